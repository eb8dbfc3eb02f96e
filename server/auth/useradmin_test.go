package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestDisableUser: a disabled account's devices are refused at their next
// pull and push, their tokens stop refreshing and it cannot sign in;
// enabled again, the same devices go on. Only admins may, not on
// themselves.
func TestDisableUser(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin := e.staff(auth.RoleAdmin, "admin@ordinator.test")
		rep := e.staff(auth.RoleRep, "rep@ordinator.test")
		mod := e.staff(auth.RoleModerator, "mod@ordinator.test")
		disable := func(c *client, id string, disabled bool) (*authv1.User, error) {
			res, err := c.admin.SetUserDisabled(ctx, connect.NewRequest(&authv1.SetUserDisabledRequest{UserId: id, Disabled: disabled}))
			if err != nil {
				return nil, err
			}
			return res.Msg.User, nil
		}
		if _, err := disable(mod, rep.user.Id, true); code(err) != connect.CodePermissionDenied {
			t.Fatalf("a moderator disabling: %v", err)
		}
		if _, err := disable(admin, admin.user.Id, true); code(err) != connect.CodeFailedPrecondition {
			t.Fatalf("an admin disabling themselves: %v", err)
		}
		if _, err := disable(admin, "no-such-user", true); code(err) != connect.CodeNotFound {
			t.Fatalf("disabling nobody: %v", err)
		}
		rep.buckets(t)
		// A live stream open before the account is disabled ends at once.
		live, cancel := context.WithTimeout(ctx, 10*time.Second) // a stream left open fails the test, not hangs it
		defer cancel()
		stream, err := rep.sync.Subscribe(live, connect.NewRequest(&syncv1.SubscribeRequest{ClientId: "c1", ClientSchemaVersion: 1}))
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		if !stream.Receive() {
			t.Fatalf("the stream did not open: %v", stream.Err())
		}
		u, err := disable(admin, rep.user.Id, true)
		if err != nil || !u.Disabled {
			t.Fatalf("disable: %v %v", u, err)
		}
		for stream.Receive() {
		}
		if code(stream.Err()) != connect.CodeUnauthenticated || !strings.Contains(stream.Err().Error(), "this account is disabled") {
			t.Fatalf("the disabled account's live stream ended with %v", stream.Err())
		}
		_, err = rep.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 1}))
		if code(err) != connect.CodeUnauthenticated || revoked(err) {
			t.Fatalf("a disabled account's pull: %v, want unauthenticated without a wipe", err)
		}
		_, err = rep.sync.Push(ctx, connect.NewRequest(&syncv1.PushRequest{ClientId: "c1", ClientSchemaVersion: 1}))
		if code(err) != connect.CodeUnauthenticated {
			t.Fatalf("a disabled account's push: %v", err)
		}
		if _, err := rep.auth.Refresh(ctx, connect.NewRequest(&authv1.RefreshRequest{RefreshToken: rep.refresh})); code(err) != connect.CodePermissionDenied {
			t.Fatalf("a disabled account's refresh: %v", err)
		}
		if _, err := e.anonymous().auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: "rep@ordinator.test", Password: "correct horse battery"})); code(err) != connect.CodePermissionDenied {
			t.Fatalf("a disabled account signing in: %v", err)
		}
		list, err := admin.admin.ListUsers(ctx, connect.NewRequest(&authv1.ListUsersRequest{Role: authv1.Role_ROLE_REP}))
		if err != nil || len(list.Msg.Users) != 1 || !list.Msg.Users[0].Disabled {
			t.Fatalf("reps listed: %v %v", list, err)
		}
		if u, err := disable(admin, rep.user.Id, false); err != nil || u.Disabled {
			t.Fatalf("enable: %v %v", u, err)
		}
		rep.buckets(t)
		if _, err := rep.auth.Refresh(ctx, connect.NewRequest(&authv1.RefreshRequest{RefreshToken: rep.refresh})); err != nil {
			t.Fatalf("refresh once enabled again: %v", err)
		}
	})
}

// TestResetPassword: the new password works, the old one no longer does,
// and every session of the account ends (its devices are told to wipe).
func TestResetPassword(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin := e.staff(auth.RoleAdmin, "admin@ordinator.test")
		doctor := e.staff(auth.RoleDoctor, "doc@ordinator.test")
		phone := e.login("doc@ordinator.test", "correct horse battery")
		reset := func(c *client, id, pw string) (*authv1.ResetPasswordResponse, error) {
			res, err := c.admin.ResetPassword(ctx, connect.NewRequest(&authv1.ResetPasswordRequest{UserId: id, Password: pw}))
			if err != nil {
				return nil, err
			}
			return res.Msg, nil
		}
		if _, err := reset(doctor, doctor.user.Id, "a new long password"); code(err) != connect.CodePermissionDenied {
			t.Fatalf("a doctor resetting: %v", err)
		}
		if _, err := reset(admin, doctor.user.Id, "short"); code(err) != connect.CodeInvalidArgument {
			t.Fatalf("a short password: %v", err)
		}
		if _, err := e.svc.ResetPassword(ctx, auth.System, doctor.user.Id, "short"); err == nil || !containsField(err, "password") {
			t.Fatalf("the service took a short password: %v", err)
		}
		res, err := reset(admin, doctor.user.Id, "a new long password")
		if err != nil || res.RevokedDevices != 2 {
			t.Fatalf("reset: %v %v, want 2 sessions ended", res, err)
		}
		for _, c := range []*client{doctor, phone} {
			if _, err := c.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 1})); !revoked(err) {
				t.Fatalf("a session of the reset account: %v, want revoked", err)
			}
		}
		if _, err := e.anonymous().auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: "doc@ordinator.test", Password: "correct horse battery"})); code(err) != connect.CodeUnauthenticated {
			t.Fatalf("the old password: %v", err)
		}
		e.login("doc@ordinator.test", "a new long password")
	})
}

// TestRevokeUserDevice: an admin lists and revokes any account's device,
// which is told to wipe; nobody else may.
func TestRevokeUserDevice(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin := e.staff(auth.RoleAdmin, "admin@ordinator.test")
		rep := e.staff(auth.RoleRep, "rep@ordinator.test")
		other := e.staff(auth.RoleRep, "other@ordinator.test")
		if _, err := other.admin.ListUserDevices(ctx, connect.NewRequest(&authv1.ListUserDevicesRequest{UserId: rep.user.Id})); code(err) != connect.CodePermissionDenied {
			t.Fatalf("a rep listing another's devices: %v", err)
		}
		if _, err := other.admin.RevokeUserDevice(ctx, connect.NewRequest(&authv1.RevokeUserDeviceRequest{DeviceId: rep.device})); code(err) != connect.CodePermissionDenied {
			t.Fatalf("a rep revoking another's device: %v", err)
		}
		devices, err := admin.admin.ListUserDevices(ctx, connect.NewRequest(&authv1.ListUserDevicesRequest{UserId: rep.user.Id}))
		if err != nil || len(devices.Msg.Devices) != 1 || devices.Msg.Devices[0].Id != rep.device {
			t.Fatalf("devices: %v %v", devices, err)
		}
		if _, err := admin.admin.ListUserDevices(ctx, connect.NewRequest(&authv1.ListUserDevicesRequest{UserId: "nobody"})); code(err) != connect.CodeNotFound {
			t.Fatalf("devices of nobody: %v", err)
		}
		if _, err := admin.admin.RevokeUserDevice(ctx, connect.NewRequest(&authv1.RevokeUserDeviceRequest{DeviceId: "no-such-device"})); code(err) != connect.CodeNotFound {
			t.Fatalf("revoking no device: %v", err)
		}
		res, err := admin.admin.RevokeUserDevice(ctx, connect.NewRequest(&authv1.RevokeUserDeviceRequest{DeviceId: rep.device}))
		if err != nil || res.Msg.UserId != rep.user.Id {
			t.Fatalf("revoke: %v %v", res, err)
		}
		if _, err := rep.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 1})); !revoked(err) {
			t.Fatalf("the revoked device's pull: %v, want a wipe", err)
		}
		other.buckets(t) // the others go on
		if _, err := admin.admin.ListUsers(ctx, connect.NewRequest(&authv1.ListUsersRequest{RegionId: "atlantis"})); code(err) != connect.CodeInvalidArgument || !containsField(err, "region_id") {
			t.Fatalf("users of an unknown region: %v", err)
		}
	})
}

// containsField reports whether err, from the service or over Connect,
// carries a violation of field.
func containsField(err error, field string) bool {
	var se *syncengine.Error
	if errors.As(err, &se) {
		for _, v := range se.Violations {
			if v.Field == field {
				return true
			}
		}
		return false
	}
	for _, v := range detail(err).GetViolations() {
		if v.GetField() == field {
			return true
		}
	}
	return false
}
