package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
)

// TestAdminAccountTasks: `ordinator admin` lists accounts, disables one
// (its device's next sync is refused) and enables it again, lists and
// revokes a device (it wipes itself at its next sync) and resets a
// password (the old one stops working), against a running server, on both
// stores; bad input is refused naming the field.
func TestAdminAccountTasks(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dir := t.TempDir()
			var db, serveArgs []string
			if store == "postgres" {
				db = []string{"--database-url", testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})}
				serveArgs = append(db, "--blob-dir", t.TempDir())
			}
			admin := func(args ...string) (int, string) {
				t.Helper()
				return runCLI(t, dir, append(append([]string{"admin"}, args...), db...)...)
			}
			must := func(args ...string) string {
				t.Helper()
				code, out := admin(args...)
				if code != 0 {
					t.Fatalf("admin %v: exit %d\n%s", args, code, out)
				}
				return out
			}
			must("create-region", "--id", "msk", "--name", "Moscow")
			must("create-user", "--role", "rep", "--email", "rep@clinic.ru", "--password", "long enough pw", "--name", "Анна", "--region", "msk")
			must("create-user", "--role", "moderator", "--email", "mod@clinic.ru", "--password", "long enough pw", "--name", "Ольга")

			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"list-users", "--role", "astronaut"}, "role: must be doctor, rep, director, moderator or admin"},
				{[]string{"list-users", "--region", "atlantis"}, "region_id: no region atlantis"},
				{[]string{"disable-user"}, "user: is required"},
				{[]string{"disable-user", "--user", "nobody@clinic.ru"}, "nobody@clinic.ru"},
				{[]string{"revoke-device"}, "device: is required"},
				{[]string{"revoke-device", "--device", "no-such-device"}, "no device no-such-device"},
				{[]string{"reset-password", "--user", "rep@clinic.ru", "--password", "short"}, "password: must be 10 to 200 characters"},
			} {
				code, out := admin(c.args...)
				if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, c.want) {
					t.Errorf("admin %v: exit %d, want one line saying %q:\n%s", c.args, code, c.want, out)
				}
			}
			reps := must("list-users", "--role", "rep", "--region", "msk")
			if !regexp.MustCompile(`(?m)^\S+\s+rep\s+rep@clinic\.ru\s+Анна\s+msk\s+active$`).MatchString(reps) || !strings.HasSuffix(reps, "1 accounts\n") {
				t.Fatalf("list-users --role rep:\n%s", reps)
			}

			p := start(t, dir, serveArgs...)
			tablet := t.TempDir()
			mustDevice(t, "login", "--server", p.url(), "--login", "rep@clinic.ru", "--password", "long enough pw", "--dir", tablet)
			mustDevice(t, "sync", "--dir", tablet)

			must("disable-user", "--user", "rep@clinic.ru")
			if out := must("list-users", "--role", "rep"); !strings.Contains(out, "disabled") {
				t.Fatalf("list-users after disabling:\n%s", out)
			}
			if out, errOut, code := device(t, context.Background(), "sync", "--dir", tablet); code == 0 || !strings.Contains(out+errOut, "this account is disabled") {
				t.Fatalf("a disabled account's device synced: exit %d\n%s%s", code, out, errOut)
			}
			must("enable-user", "--user", "rep@clinic.ru")
			mustDevice(t, "sync", "--dir", tablet)

			devices := must("list-devices", "--user", "rep@clinic.ru")
			id := regexp.MustCompile(`(?m)^([0-9a-f-]{36})\s+ordinator device \(terminal\)\s+cli\s+.*active$`).FindStringSubmatch(devices)
			if id == nil {
				t.Fatalf("list-devices:\n%s", devices)
			}
			if out := must("revoke-device", "--device", id[1]); !strings.Contains(out, "revoked device "+id[1]) {
				t.Fatalf("revoke-device: %s", out)
			}
			if out, errOut, _ := device(t, context.Background(), "sync", "--dir", tablet); !strings.Contains(out+errOut, "the server revoked this device") {
				t.Fatalf("the revoked device's sync:\n%s%s", out, errOut)
			}

			if out := must("reset-password", "--user", "rep@clinic.ru", "--password", "a brand new password"); !strings.Contains(out, "password of rep@clinic.ru reset; 0 sessions ended") {
				t.Fatalf("reset-password: %s", out)
			}
			signIn := func(pw string) error {
				_, err := authv1connect.NewAuthServiceClient(http.DefaultClient, p.url()).Login(context.Background(),
					connect.NewRequest(&authv1.LoginRequest{Login: "rep@clinic.ru", Password: pw, DeviceName: "test"}))
				return err
			}
			if err := signIn("long enough pw"); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("the old password after a reset: %v", err)
			}
			if err := signIn("a brand new password"); err != nil {
				t.Fatalf("the new password: %v", err)
			}
		})
	}
}
