package gifts_test

import (
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestWaveAudit: creating a wave, changing it and setting its offer each
// write one entry with the staff member and their host; a wave refused
// (bad input, a doctor) writes none.
func TestWaveAudit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		cream := e.item("CREAM", "Cream", 10)
		mod := auth.Principal(auth.User{ID: "mod-1", Role: auth.RoleModerator, Name: "Moderator"}, "")
		mod.Address = "10.0.0.7"
		trail := func() int {
			es, err := e.gifts.AuditTrail(e.ctx, auth.System, 0, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range es {
				if x.ActorID == mod.UserID {
					n++
				}
			}
			return n
		}
		now := e.clock.Now()
		w := gifts.Wave{RegionID: "msk", Title: "Autumn", StartsAt: now.Add(time.Hour), EndsAt: now.Add(48 * time.Hour)}
		if _, err := e.gifts.CreateWave(e.ctx, mod, gifts.Wave{RegionID: "msk", Title: "", StartsAt: now, EndsAt: now.Add(time.Hour)}); syncengine.ErrorCode(err) != syncengine.EINVALID {
			t.Fatalf("a wave without a title: %v", err)
		}
		if _, err := e.gifts.CreateWave(e.ctx, auth.Principal(e.doctor("msk", 0, true), ""), w); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("a doctor's wave: %v", err)
		}
		if n := trail(); n != 0 {
			t.Fatalf("refused waves wrote %d entries", n)
		}
		w, err := e.gifts.CreateWave(e.ctx, mod, w)
		if err != nil {
			t.Fatal(err)
		}
		w.Title = "Autumn gifts"
		if _, err := e.gifts.UpdateWave(e.ctx, mod, w); err != nil {
			t.Fatal(err)
		}
		if _, err := e.gifts.SetWaveItem(e.ctx, mod, w.ID, cream.ID, 100, 1, 5); err != nil {
			t.Fatal(err)
		}
		es, err := e.gifts.AuditTrail(e.ctx, auth.System, 0, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range es {
			if x.Action == "item.created" && x.ActorID == auth.System.UserID {
				continue // the test's seeding
			}
			if x.ActorID != mod.UserID || x.Address != "10.0.0.7" || x.ObjectID != w.ID {
				t.Fatalf("entry %+v", x)
			}
			got = append(got, x.Action)
		}
		if len(got) != 3 || got[0] != "wave.offer_set" || got[1] != "wave.changed" || got[2] != "wave.created" {
			t.Fatalf("the wave's trail: %v", got)
		}
		if _, err := e.gifts.AuditTrail(e.ctx, mod, 0, 0, 10); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("a moderator reading the trail: %v", err)
		}
	})
}
