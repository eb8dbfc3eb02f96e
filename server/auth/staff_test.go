package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestStaffSignIn: a sign-in for some roles only refuses anyone else's
// correct password without opening a session; the sessions it opens are
// checked the way Authenticate checks them; an account sets its language;
// moderators read names.
func TestStaffSignIn(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		rep := e.staff(auth.RoleRep, "rep@ordinator.test")
		mod := e.staff(auth.RoleModerator, "mod@ordinator.test")
		staff := []auth.Role{auth.RoleModerator, auth.RoleAdmin}
		before, err := e.svc.ListDevices(ctx, rep.user.Id)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Login(ctx, auth.LoginInput{Login: "rep@ordinator.test", Password: "correct horse battery", Roles: staff})
		var wrong *auth.WrongRoleError
		if !errors.As(err, &wrong) || syncengine.ErrorCode(err) != syncengine.EPERMISSION || wrong.Role != auth.RoleRep {
			t.Fatalf("a rep signing in for staff: %v", err)
		}
		if after, _ := e.svc.ListDevices(ctx, rep.user.Id); len(after) != len(before) {
			t.Fatalf("the refused sign-in opened a session: %d sessions, %d before", len(after), len(before))
		}
		// A wrong password is still a wrong password.
		if _, err := e.svc.Login(ctx, auth.LoginInput{Login: "rep@ordinator.test", Password: "nope", Roles: staff}); syncengine.ErrorCode(err) != syncengine.EUNAUTHENTICATED {
			t.Fatalf("a wrong password: %v", err)
		}

		s, err := e.svc.Login(ctx, auth.LoginInput{Login: "mod@ordinator.test", Password: "correct horse battery", Roles: staff, Device: "web console"})
		if err != nil {
			t.Fatal(err)
		}
		if u, err := e.svc.CheckSession(ctx, s.User.ID, s.DeviceID); err != nil || u.ID != mod.user.Id {
			t.Fatalf("a live session: %v %v", u, err)
		}
		if _, err := e.svc.CheckSession(ctx, rep.user.Id, s.DeviceID); syncengine.ErrorCode(err) != syncengine.EUNAUTHENTICATED {
			t.Fatalf("another account's session: %v", err)
		}
		if err := e.svc.RevokeDevice(ctx, s.User.ID, s.DeviceID); err != nil {
			t.Fatal(err)
		}
		var rev *auth.RevokedError
		if _, err := e.svc.CheckSession(ctx, s.User.ID, s.DeviceID); !errors.As(err, &rev) {
			t.Fatalf("a revoked session: %v", err)
		}

		p := auth.Principal(s.User, s.DeviceID)
		if err := e.svc.SetLocale(ctx, p, "english"); syncengine.ErrorCode(err) != syncengine.EINVALID {
			t.Fatalf("a bad language: %v", err)
		}
		if err := e.svc.SetLocale(ctx, p, "en"); err != nil {
			t.Fatal(err)
		}
		if u, _, _, err := e.svc.Me(ctx, s.User.ID); err != nil || u.Locale != "en" {
			t.Fatalf("locale after setting it: %q (%v)", u.Locale, err)
		}

		names, err := e.svc.DisplayNames(ctx, p, []string{rep.user.Id, mod.user.Id, rep.user.Id, "nobody"})
		if err != nil || len(names) != 2 || names[rep.user.Id] != "rep@ordinator.test" {
			t.Fatalf("names %v (%v)", names, err)
		}
		if _, err := e.svc.DisplayNames(ctx, auth.Principal(auth.User{ID: rep.user.Id, Role: auth.RoleRep}, rep.device), nil); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("a rep reading names: %v", err)
		}
	})
}
