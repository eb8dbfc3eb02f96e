package auth_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/internal/audit"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestAccountAudit: each account decision over the RPCs writes exactly one
// entry with its actor, object and the caller's host; a refused one (no
// permission, bad input) writes nothing, and no entry holds a password.
func TestAccountAudit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin := e.staff(auth.RoleAdmin, "admin@ordinator.test")
		rep := e.staff(auth.RoleRep, "rep@ordinator.test")
		mod := e.staff(auth.RoleModerator, "mod@ordinator.test")
		trail := func() []audit.Entry {
			t.Helper()
			es, err := e.svc.AuditTrail(ctx, auth.System, 0, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		before := len(trail())
		if _, err := mod.admin.SetUserDisabled(ctx, connect.NewRequest(&authv1.SetUserDisabledRequest{UserId: rep.user.Id, Disabled: true})); code(err) != connect.CodePermissionDenied {
			t.Fatalf("a moderator disabling: %v", err)
		}
		if _, err := admin.admin.ResetPassword(ctx, connect.NewRequest(&authv1.ResetPasswordRequest{UserId: rep.user.Id, Password: "short"})); code(err) != connect.CodeInvalidArgument {
			t.Fatalf("a bad password: %v", err)
		}
		if n := len(trail()); n != before {
			t.Fatalf("refused decisions wrote %d entries", n-before)
		}
		if _, err := admin.admin.SetUserDisabled(ctx, connect.NewRequest(&authv1.SetUserDisabledRequest{UserId: rep.user.Id, Disabled: true})); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.admin.ResetPassword(ctx, connect.NewRequest(&authv1.ResetPasswordRequest{UserId: rep.user.Id, Password: "another long secret"})); err != nil {
			t.Fatal(err)
		}
		es := trail()
		if len(es) != before+2 {
			t.Fatalf("two decisions wrote %d entries: %+v", len(es)-before, es)
		}
		for i, want := range []string{"password.reset", "user.disabled"} {
			got := es[i]
			if got.Action != want || got.ActorID != admin.user.Id || got.ObjectID != rep.user.Id || got.Address != "127.0.0.1" || got.AtUnixMs == 0 {
				t.Fatalf("entry %d: %+v, want %s by %s from 127.0.0.1", i, got, want, admin.user.Id)
			}
		}
		if es[0].Detail != "" {
			t.Fatalf("a password reset's detail: %q", es[0].Detail)
		}
		if _, err := e.svc.AuditTrail(ctx, auth.Principal(auth.User{ID: mod.user.Id, Role: auth.RoleModerator}, ""), 0, 0, 10); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatal("a moderator read the account trail")
		}
	})
}
