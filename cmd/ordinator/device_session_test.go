package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
)

// TestDeviceSessionRetry: `ordinator device` on the whole platform. The
// process is killed after the server rotated its refresh token and before
// the answer arrived; the next run retries with the token it kept, gets the
// same rotation and goes on. When the user then signs the device out
// elsewhere, the next run deletes everything and says what unsent work went.
func TestDeviceSessionRetry(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, platformOptions{})
	u := p.User(auth.RoleRep, "rep@ordinator.test")
	dir := t.TempDir()
	mustDevice(t, "login", "--server", p.URL, "--login", "rep@ordinator.test", "--password", platformPassword, "--dir", dir)
	mustDevice(t, "sync", "--dir", dir)

	// The killed run had found its access token running out and sent the
	// refresh with the token it kept; the server committed it.
	kept := readSessionFile(t, dir)
	lost, err := authv1connect.NewAuthServiceClient(http.DefaultClient, p.URL).Refresh(ctx,
		connect.NewRequest(&authv1.RefreshRequest{RefreshToken: kept["refresh_token"].(string)}))
	if err != nil {
		t.Fatal(err)
	}
	kept["access_expires_unix_ms"] = 1
	writeSessionFile(t, dir, kept)

	out, _ := mustDevice(t, "sync", "--dir", dir)
	if !strings.Contains(out, "synced     online") {
		t.Fatalf("sync after the lost refresh said %q", out)
	}
	if got := readSessionFile(t, dir)["refresh_token"]; got != lost.Msg.Tokens.RefreshToken {
		t.Fatal("the session does not keep the rotation the server had committed")
	}
	devices, err := p.Accounts.ListDevices(ctx, u.ID)
	if err != nil || len(devices) != 1 || devices[0].Revoked {
		t.Fatalf("devices %+v (%v), want the one, not revoked", devices, err)
	}

	for _, n := range []string{"1", "2"} {
		mustDevice(t, "mutate", "--dir", dir, "doctor.request_update", `{"request_id":"5b0c9a4e-1f7d-4d2b-8c3a-2e6f9d1b7a4`+n+`","doctor_id":"d`+n+`","kind":"update_data"}`)
	}
	if err := p.Accounts.RevokeDevice(ctx, u.ID, devices[0].ID); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := device(t, ctx, "sync", "--dir", dir)
	if code != 1 || !strings.Contains(errOut, "revoked this device") || !strings.Contains(errOut, "2 mutations and 0 photos that had not reached the server") {
		t.Fatalf("revoked: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "session.json")); !os.IsNotExist(err) {
		t.Fatal("the session survived the revocation")
	}
}

func readSessionFile(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func writeSessionFile(t *testing.T, dir string, s map[string]any) {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "session.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}
