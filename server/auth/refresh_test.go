package auth_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
)

func (c *client) refreshWith(token string) (*authv1.Tokens, error) {
	res, err := c.auth.Refresh(context.Background(), connect.NewRequest(&authv1.RefreshRequest{RefreshToken: token}))
	if err != nil {
		return nil, err
	}
	return res.Msg.Tokens, nil
}

// use makes the client's calls with tokens from now on.
func (c *client) use(t *authv1.Tokens) { c.token, c.refresh = t.AccessToken, t.RefreshToken }

func (c *client) pull() error {
	_, err := c.sync.Pull(context.Background(), connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 1}))
	return err
}

// TestRefreshRetry: Login, Refresh(R), Refresh(R) — the answer of the first
// refresh was lost — keeps the device, which goes on syncing and refreshing.
func TestRefreshRetry(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		rep := e.staff(auth.RoleRep, "rep@ordinator.test")
		e.clock.Advance(16 * time.Minute)
		r := rep.refresh
		lost, err := rep.refreshWith(r)
		if err != nil {
			t.Fatal(err)
		}
		again, err := rep.refreshWith(r)
		if err != nil {
			t.Fatalf("refresh retried: %v", err)
		}
		if again.RefreshToken != lost.RefreshToken || again.RefreshToken == r {
			t.Fatal("the retry did not answer with the rotation's successor")
		}
		if again.AccessToken == "" || again.RefreshExpiresAtUnixMs != lost.RefreshExpiresAtUnixMs {
			t.Fatalf("retry answered %+v, the lost answer was %+v", again, lost)
		}
		rep.use(again)
		if err := rep.pull(); err != nil {
			t.Fatalf("sync after a retried refresh: %v", err)
		}
		list, err := rep.auth.ListDevices(context.Background(), connect.NewRequest(&authv1.ListDevicesRequest{}))
		if err != nil || len(list.Msg.Devices) != 1 || list.Msg.Devices[0].Revoked {
			t.Fatalf("devices after a retried refresh: %v %v", list, err)
		}
		// The session goes on rotating; a lost answer of a later rotation is
		// retried the same way.
		e.clock.Advance(16 * time.Minute)
		next, err := rep.refreshWith(rep.refresh)
		if err != nil {
			t.Fatal(err)
		}
		if retried, err := rep.refreshWith(rep.refresh); err != nil || retried.RefreshToken != next.RefreshToken {
			t.Fatalf("second rotation retried: %v", err)
		}
		rep.use(next)
		if err := rep.pull(); err != nil {
			t.Fatalf("sync after the second rotation: %v", err)
		}
	})
}

// TestRefreshReplay: once the successor was used, by a call with its access
// token or by refreshing it, the old token presented again is theft and
// revokes the device; a token the server never issued revokes nothing.
func TestRefreshReplay(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		t.Run("successor's access token used", func(t *testing.T) {
			phone := e.staff(auth.RoleRep, "called@ordinator.test")
			old := phone.refresh
			next, err := phone.refreshWith(old)
			if err != nil {
				t.Fatal(err)
			}
			phone.use(next)
			if err := phone.pull(); err != nil {
				t.Fatal(err)
			}
			if _, err := phone.refreshWith(old); !revoked(err) {
				t.Fatalf("replay after the successor's first call: %v", err)
			}
			if err := phone.pull(); !revoked(err) {
				t.Fatalf("sync after the replay: %v, want wipe", err)
			}
			if _, err := phone.refreshWith(phone.refresh); !revoked(err) {
				t.Fatalf("refreshing the revoked session: %v", err)
			}
		})
		t.Run("successor refreshed", func(t *testing.T) {
			phone := e.staff(auth.RoleRep, "rotated@ordinator.test")
			first := phone.refresh
			second, err := phone.refreshWith(first)
			if err != nil {
				t.Fatal(err)
			}
			third, err := phone.refreshWith(second.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			// The previous token, its successor unused, still gets it.
			if again, err := phone.refreshWith(second.RefreshToken); err != nil || again.RefreshToken != third.RefreshToken {
				t.Fatalf("retry of the previous token: %v", err)
			}
			// An older one is theft.
			if _, err := phone.refreshWith(first); !revoked(err) {
				t.Fatalf("replay of a token two rotations old: %v", err)
			}
			phone.use(third)
			if err := phone.pull(); !revoked(err) {
				t.Fatalf("sync after the replay: %v, want wipe", err)
			}
		})
		t.Run("forged token", func(t *testing.T) {
			phone := e.staff(auth.RoleRep, "forged@ordinator.test")
			if _, err := phone.refreshWith(phone.refresh); err != nil {
				t.Fatal(err)
			}
			// The device and generation of the first token, with a MAC of
			// someone's invention.
			parts := strings.Split(phone.refresh, ".")
			if len(parts) != 3 {
				t.Fatalf("refresh token %q is not device.gen.mac", phone.refresh)
			}
			forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
			if _, err := phone.refreshWith(forged); code(err) != connect.CodeUnauthenticated || revoked(err) {
				t.Fatalf("forged token: %v, want unauthenticated without a revocation", err)
			}
			if err := phone.pull(); err != nil {
				t.Fatalf("a forged token revoked the device: %v", err)
			}
		})
	})
}

// TestRefreshRace: retries of one refresh sent at once, as a client that
// times out and sends again while the first is still running, all get the
// same successor, on PostgreSQL's concurrent transactions as on SQLite.
func TestRefreshRace(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		rep := e.staff(auth.RoleRep, "rep@ordinator.test")
		const n = 8
		var wg sync.WaitGroup
		answers := make([]*authv1.Tokens, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i], errs[i] = rep.refreshWith(rep.refresh)
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("refresh %d of %d: %v", i, n, errs[i])
			}
			if answers[i].RefreshToken != answers[0].RefreshToken {
				t.Fatalf("refresh %d answered another successor", i)
			}
		}
		rep.use(answers[n-1])
		if err := rep.pull(); err != nil {
			t.Fatalf("sync after racing refreshes: %v", err)
		}
		if _, err := rep.refreshWith(rep.refresh); err != nil {
			t.Fatalf("refreshing the successor: %v", err)
		}
	})
}
