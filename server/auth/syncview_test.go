package auth_test

import (
	"context"
	"slices"
	"testing"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestInspectSync: the sync view of a rep lists exactly the buckets the
// rep's pull reads, each with why and the records it holds, and the rep's
// device with its session and schema; only moderators and admins may see
// it, an unknown account is not found, and a disabled one reads nothing.
// FindAccount finds the account by id or login, for the same staff.
func TestInspectSync(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		rep := e.staff(auth.RoleRep, "rep@inspect.test")
		if _, err := e.svc.AssignTerritory(ctx, auth.System, rep.user.Id, "msk-north", true); err != nil {
			t.Fatal(err)
		}
		north := auth.TerritoryBucket("msk-north")
		if err := e.store.Update(ctx, func(tx syncengine.Tx) error {
			tx.Put("probe", "a", []byte("a"), north)
			tx.Put("probe", "b", []byte("b"), north, auth.TerritoryBucket("msk-south"))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		res, err := rep.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientId: "tablet-1", ClientSchemaVersion: 1}))
		if err != nil {
			t.Fatal(err)
		}
		var northSum int64
		for _, b := range res.Msg.GetCheckpoint().GetBuckets() {
			if b.Bucket == string(north) {
				northSum = int64(b.Checksum)
			}
		}

		mod := auth.Principal(auth.User{ID: "mod", Role: auth.RoleModerator}, "")
		v, err := e.svc.InspectSync(ctx, mod, rep.user.Id)
		if err != nil {
			t.Fatal(err)
		}
		var pulled, shown []string
		for _, c := range res.Msg.Cursors {
			pulled = append(pulled, c.Bucket)
		}
		reasons := map[syncengine.Bucket]auth.BucketView{}
		for _, b := range v.Buckets {
			shown = append(shown, string(b.Bucket))
			reasons[b.Bucket] = b
		}
		slices.Sort(pulled)
		slices.Sort(shown)
		if !slices.Equal(pulled, shown) {
			t.Fatalf("inspector shows %v, the rep's pull reads %v", shown, pulled)
		}
		if b := reasons[north]; b.Reason != auth.ReasonTerritory || b.State.Count != 2 || int64(b.State.Sum) != northSum {
			t.Fatalf("territory bucket %+v, want reason territory, 2 records, checksum %d", b, northSum)
		}
		if reasons[syncengine.UserBucket(rep.user.Id)].Reason != auth.ReasonOwn || reasons[auth.GlobalBucket].Reason != auth.ReasonEveryone {
			t.Fatalf("reasons %+v", reasons)
		}
		if len(v.Clients) != 1 || v.Clients[0].ClientID != "tablet-1" || v.Clients[0].SchemaVersion != 1 ||
			v.Clients[0].Device == nil || v.Clients[0].Device.ID != rep.device || v.Clients[0].LastPull.IsZero() {
			t.Fatalf("clients %+v", v.Clients)
		}

		admin := auth.Principal(auth.User{ID: "adm", Role: auth.RoleAdmin}, "")
		if _, err := e.svc.InspectSync(ctx, admin, rep.user.Id); err != nil {
			t.Fatalf("an admin: %v", err)
		}
		for _, role := range []auth.Role{auth.RoleRep, auth.RoleDoctor, auth.RoleDirector} {
			_, err := e.svc.InspectSync(ctx, auth.Principal(auth.User{ID: rep.user.Id, Role: role}, ""), rep.user.Id)
			if syncengine.ErrorCode(err) != syncengine.EPERMISSION {
				t.Fatalf("a %s inspecting: %v, want EPERMISSION", role, err)
			}
		}
		if _, err := e.svc.InspectSync(ctx, mod, "no-such-account"); syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
			t.Fatalf("unknown account: %v, want ENOTFOUND", err)
		}
		for _, key := range []string{rep.user.Id, " REP@inspect.test "} {
			if u, err := e.svc.FindAccount(ctx, mod, key); err != nil || u.ID != rep.user.Id {
				t.Fatalf("finding %q: %+v %v", key, u, err)
			}
		}
		for key, code := range map[string]string{"": syncengine.EINVALID, "nobody@inspect.test": syncengine.ENOTFOUND, "no-such-id": syncengine.ENOTFOUND} {
			if _, err := e.svc.FindAccount(ctx, mod, key); syncengine.ErrorCode(err) != code {
				t.Fatalf("finding %q: %v, want %s", key, err, code)
			}
		}
		if _, err := e.svc.FindAccount(ctx, auth.Principal(auth.User{ID: rep.user.Id, Role: auth.RoleRep}, ""), rep.user.Id); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("a rep finding an account: %v", err)
		}
		if _, err := e.svc.SetUserDisabled(ctx, admin, rep.user.Id, true); err != nil {
			t.Fatal(err)
		}
		if v, err := e.svc.InspectSync(ctx, mod, rep.user.Id); err != nil || len(v.Buckets) != 0 || len(v.Clients) != 1 {
			t.Fatalf("a disabled account: %+v %v, want no buckets and its client", v, err)
		}
	})
}
