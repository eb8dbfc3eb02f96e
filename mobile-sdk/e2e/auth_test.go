package e2e_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
)

// rotatingTokens hands out an expired token until asked to refresh.
type rotatingTokens struct {
	mu        sync.Mutex
	current   string
	next      string
	refreshes int
	fail      error
}

func (r *rotatingTokens) Token(_ context.Context, refresh bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if refresh {
		r.refreshes++
		if r.fail != nil {
			return "", r.fail
		}
		r.current = r.next
	}
	return r.current, nil
}

// TestTokenRefresh: an expired token is refreshed once and the call
// retried; the bearer token is what the server sees.
func TestTokenRefresh(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	s.auth.add("fresh", "u1", "phone")
	src := &rotatingTokens{current: "expired", next: "fresh"}
	d := s.device(t, "u1", "", func(o *sdk.Options) { o.Tokens = src })
	ctx := context.Background()
	_, err := d.Mutate(ctx, "note.put", sdktest.Args("n1", "x", "room:a"))
	must(t, err)
	must(t, d.Sync(ctx))
	if src.refreshes != 1 {
		t.Fatalf("%d refreshes, want 1", src.refreshes)
	}
	if !converged(t, s, d) {
		t.Fatal("not converged after a refresh")
	}
	// The session ends: the refreshed token is refused too and the source
	// cannot refresh. The device reports it and keeps its outbox.
	s.auth.remove("fresh")
	src.fail = errors.New("refresh token expired")
	_, err = d.Mutate(ctx, "note.put", sdktest.Args("n2", "x", "room:a"))
	must(t, err)
	err = d.Sync(ctx)
	if err == nil || !strings.Contains(err.Error(), "not signed in") {
		t.Fatalf("sync without a session: %v", err)
	}
	if st := d.Status(); st.Pending != 1 || !strings.Contains(st.LastError, "not signed in") {
		t.Fatalf("status %+v", st)
	}
	// Signed in again: the outbox goes through.
	s.auth.add("renewed", "u1", "phone")
	src.mu.Lock()
	src.fail, src.next = nil, "renewed"
	src.mu.Unlock()
	must(t, d.Sync(ctx))
	if !converged(t, s, d) {
		t.Fatal("not converged after signing in again")
	}
}
