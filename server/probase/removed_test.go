package probase_test

import (
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// A doctor moved to another territory is gone from the sync log of the one
// they left once the move commits: a new tablet of a rep there downloads
// no byte of their record, before any compaction, and the phone number the
// move replaced reaches no one. Markers are looked for in every payload of
// the raw pull pages, and the log keeps their name only in the buckets of
// the new territory (the reps' record and the directors' summary).
func TestMovedDoctorLeavesNoTrace(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		const name, oldPhone, newPhone = "Зоя Квоккина", "+79165550101", "+79165550202"
		mod := auth.Principal(e.moderator, "console")
		move := func(territory, phone string) {
			t.Helper()
			rows, bad, err := probase.ReadImport(strings.NewReader("external_id,full_name,specialty,phones,territory_id\ncrm-77," + name + ",dermatology," + phone + "," + territory + "\n"))
			must(t, err)
			if len(bad) != 0 {
				t.Fatalf("import rows refused: %v", bad)
			}
			rep, err := e.dir.Import(e.ctx, mod, rows, nil)
			must(t, err)
			if len(rep.Errors) != 0 || rep.Created+rep.Updated != 1 {
				t.Fatalf("import: %+v", rep)
			}
		}
		fresh := func(u auth.User) []*syncengine.PullResult {
			t.Helper()
			return storetest.FreshPull(t, e.engine, auth.Principal(u, "new-tablet"), 0, 3)
		}
		move("north", oldPhone)
		if pages := fresh(e.repA); len(storetest.Containing(pages, name)) != 1 || len(storetest.Containing(pages, oldPhone)) != 1 {
			t.Fatal("a new tablet of the territory did not receive the doctor")
		}

		move("south", newPhone)
		north := fresh(e.repA)
		for _, m := range []string{name, oldPhone} {
			if got := storetest.Containing(north, m); len(got) != 0 {
				t.Fatalf("a new tablet of the territory the doctor left received %q in %s %s", m, got[0].Collection, got[0].RecordID)
			}
		}
		south := fresh(e.repSouth)
		if len(storetest.Containing(south, name)) != 1 || len(storetest.Containing(south, newPhone)) != 1 || len(storetest.Containing(south, oldPhone)) != 0 {
			t.Fatal("a new tablet of the doctor's new territory did not receive exactly their current record")
		}
		if got := storetest.LogContaining(t, e.store, oldPhone); len(got) != 0 {
			t.Fatalf("the sync log still holds the replaced phone in %s", got[0].Bucket)
		}
		for _, ch := range storetest.LogContaining(t, e.store, name) {
			if ch.Bucket != auth.TerritoryBucket("south") && ch.Bucket != auth.TerritorySummaryBucket("south") {
				t.Fatalf("the moved doctor's record is still in %s", ch.Bucket)
			}
		}
	})
}
