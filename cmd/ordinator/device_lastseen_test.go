package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// thisDevice is the session in --dir as AuthService.ListDevices shows it
// to its user.
func thisDevice(t *testing.T, url, dir string) *authv1.Device {
	t.Helper()
	req := connect.NewRequest(&authv1.ListDevicesRequest{})
	req.Header().Set("Authorization", "Bearer "+readSessionFile(t, dir)["access_token"].(string))
	res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, url).ListDevices(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Msg.Devices {
		if d.Current {
			return d
		}
	}
	t.Fatalf("ListDevices shows no current device: %v", res.Msg.Devices)
	return nil
}

// TestDeviceLastSeen: ListDevices shows when each device last reached the
// server, written at most once a minute per device rather than at every
// call, on both databases.
func TestDeviceLastSeen(t *testing.T) {
	for name, o := range map[string]platformOptions{"sqlite": {}, "postgres": {Postgres: true}} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p := startPlatform(t, o)
			u := p.User(auth.RoleRep, "rep@lastseen.test")
			dir := t.TempDir()
			mustDevice(t, "login", "--server", p.URL, "--login", "rep@lastseen.test", "--password", platformPassword, "--dir", dir)
			mustDevice(t, "sync", "--dir", dir)
			setSeen := func(query string, args ...any) {
				t.Helper()
				if err := p.Store.Update(ctx, func(tx syncengine.Tx) error {
					_, err := tx.Exec(ctx, query, args...)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}

			// Signed in an hour ago and not seen since: a sync is seen.
			hour := time.Hour.Milliseconds()
			setSeen(`UPDATE devices SET created_at = created_at - $1, last_seen_at = created_at - $1 WHERE user_id = $2`, hour, u.ID)
			before := time.Now().UnixMilli()
			mustDevice(t, "sync", "--dir", dir)
			d := thisDevice(t, p.URL, dir)
			if d.LastSeenAtUnixMs < before || d.CreatedAtUnixMs > before-hour+time.Minute.Milliseconds() {
				t.Fatalf("after a sync at %d: created %d, last seen %d", before, d.CreatedAtUnixMs, d.LastSeenAtUnixMs)
			}

			// Seen half a minute ago: syncing again writes nothing.
			seen := time.Now().Add(-30 * time.Second).UnixMilli()
			setSeen(`UPDATE devices SET last_seen_at = $1 WHERE user_id = $2`, seen, u.ID)
			mustDevice(t, "sync", "--dir", dir)
			mustDevice(t, "sync", "--dir", dir)
			if d := thisDevice(t, p.URL, dir); d.LastSeenAtUnixMs != seen {
				t.Fatalf("last seen %d after syncs within the minute, want %d (no write)", d.LastSeenAtUnixMs, seen)
			}
		})
	}
}
