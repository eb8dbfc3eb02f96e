package auth_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestReadersInvertBuckets: for every bucket anyone reads, Readers lists
// exactly the accounts whose Buckets include it.
func TestReadersInvertBuckets(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.svc.CreateRegion(ctx, auth.System, auth.Region{ID: "spb", Name: "St Petersburg", TimeZone: "Europe/Moscow"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateTerritory(ctx, auth.System, auth.Territory{ID: "spb-1", RegionID: "spb", Name: "spb-1"}); err != nil {
			t.Fatal(err)
		}
		var users []auth.User
		add := func(role auth.Role, email, region, specialty string) auth.User {
			u, err := e.svc.CreateUser(ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: "long enough pw", Name: email, RegionID: region, Specialty: specialty})
			if err != nil {
				t.Fatal(err)
			}
			users = append(users, u)
			return u
		}
		for i, spec := range []string{"dermatology", "cosmetology", "dermatology"} {
			region := []string{"msk", "spb", "msk"}[i]
			doc := add(auth.RoleDoctor, "doc"+string(rune('a'+i))+"@x.ru", region, spec)
			if _, err := e.svc.AttachDiploma(ctx, auth.Principal(doc, ""), "media-"+doc.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.ReviewDiploma(ctx, auth.System, doc.ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		add(auth.RoleDoctor, "unverified@x.ru", "msk", "dermatology")
		rep := add(auth.RoleRep, "rep@x.ru", "msk", "")
		if _, err := e.svc.AssignTerritory(ctx, auth.System, rep.ID, "msk-north", true); err != nil {
			t.Fatal(err)
		}
		rep2 := add(auth.RoleRep, "rep2@x.ru", "spb", "")
		if _, err := e.svc.AssignTerritory(ctx, auth.System, rep2.ID, "spb-1", true); err != nil {
			t.Fatal(err)
		}
		dir := add(auth.RoleDirector, "dir@x.ru", "msk", "")
		for _, r := range []string{"msk", "spb"} {
			if _, err := e.svc.AssignRegion(ctx, auth.System, dir.ID, r, true); err != nil {
				t.Fatal(err)
			}
		}
		add(auth.RoleModerator, "mod@x.ru", "", "")

		want := map[syncengine.Bucket][]string{}
		err := e.store.View(ctx, func(q syncengine.Querier) error {
			for _, u := range users {
				bs, err := e.svc.Buckets(ctx, q, syncengine.Principal{UserID: u.ID})
				if err != nil {
					return err
				}
				for _, b := range append(bs, syncengine.UserBucket(u.ID)) {
					want[b] = append(want[b], u.ID)
				}
			}
			for b, ids := range want {
				got, err := e.svc.Readers(ctx, q, b)
				if err != nil {
					return err
				}
				slices.Sort(got)
				slices.Sort(ids)
				if !slices.Equal(got, slices.Compact(ids)) {
					t.Errorf("readers of %s: %v, want %v", b, got, ids)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 10 {
			t.Fatalf("only %d buckets exercised", len(want))
		}
	})
}
