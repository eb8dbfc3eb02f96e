package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestRejectionRolledBack: a mutation the server rejects disappears from
// the local rows, the pending ones around it stay, and the app hears why.
func TestRejectionRolledBack(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	d := s.device(t, "u1", "")
	ctx := context.Background()
	must(t, d.Sync(ctx))
	type reported struct {
		rej   sdk.Rejection
		notes map[string]string // what the app saw when told
	}
	rejections := make(chan reported, 10)
	d.ObserveRejections(func(r sdk.Rejection) {
		n, _ := notes(t, d)
		rejections <- reported{r, n}
	})

	_, err := d.Mutate(ctx, "note.put", sdktest.Args("keep", "first", "room:a"))
	must(t, err)
	bad, err := d.Mutate(ctx, "note.reject", sdktest.Args("keep", "second", "room:a"))
	must(t, err)
	_, err = d.Mutate(ctx, "note.reject", sdktest.Args("ghost", "never", "room:a"))
	must(t, err)
	got, pending := notes(t, d)
	if got["keep"] != "keep|second|2" || got["ghost"] != "ghost|never|1" || pending != 2 {
		t.Fatalf("optimistic state %v (%d pending)", got, pending)
	}
	must(t, d.Sync(ctx))
	var rej sdk.Rejection
	select {
	case r := <-rejections:
		rej = r.rej
		if _, ok := r.notes["ghost"]; ok {
			t.Fatal("the rejection was reported before its effect was rolled back")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no rejection reported")
	}
	if rej.MutationID != bad || rej.Mutation != "note.reject" || rej.Code != syncengine.EINVALID ||
		len(rej.Violations) != 1 || rej.Violations[0].Field != "text" || !strings.Contains(rej.Reason, "cannot be saved") {
		t.Fatalf("rejection %+v", rej)
	}
	// Rolled back to the server's state: the first put stands, the ghost is gone.
	got, pending = notes(t, d)
	if len(got) != 1 || got["keep"] != "keep|first|1" || pending != 0 {
		t.Fatalf("after the rejections: %v (%d pending)", got, pending)
	}
	listed, err := d.Rejections(ctx)
	must(t, err)
	if len(listed) != 2 {
		t.Fatalf("%d rejections listed, want 2", len(listed))
	}
	must(t, d.DismissRejection(ctx, listed[0].MutationID))
	if listed, _ = d.Rejections(ctx); len(listed) != 1 {
		t.Fatalf("%d rejections after dismissing one", len(listed))
	}
	if d.Status().Pending != 0 {
		t.Fatalf("status %+v", d.Status())
	}
}

// TestRejectionFromUserBucket: the push response is lost after the server
// committed it; the rejection still arrives, through the outcome record in
// the user's bucket.
func TestRejectionFromUserBucket(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	d := s.device(t, "u1", "")
	ctx := context.Background()
	must(t, d.Sync(ctx))
	s.hooks.set(func(h *hooks) {
		h.afterPush = func(*syncv1.PushResponse) error {
			return connect.NewError(connect.CodeUnavailable, nil)
		}
	})
	_, err := d.Mutate(ctx, "note.reject", sdktest.Args("n1", "x", "room:a"))
	must(t, err)
	if err := d.Sync(ctx); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("sync with a lost push answer: %v", err)
	}
	s.hooks.set(func(h *hooks) { h.afterPush = nil })
	// Pull only: the outbox entry is still queued, its outcome comes from
	// the user bucket, so the next push has nothing to send.
	_, err = d.Mutate(ctx, "note.put", sdktest.Args("n2", "y", "room:a"))
	must(t, err)
	must(t, d.Sync(ctx))
	listed, err := d.Rejections(ctx)
	must(t, err)
	if len(listed) != 1 || listed[0].Code != syncengine.EINVALID || listed[0].Violations[0].Field != "text" {
		t.Fatalf("rejections %+v", listed)
	}
	if !converged(t, s, d) {
		got, _ := notes(t, d)
		t.Fatalf("device %v, server %v", got, s.h.ServerNotes())
	}
}

// TestPoisonMutation: a mutation the server refuses to even decode (here,
// a request over the server's size limit) is isolated from its batch and
// rejected locally; the ones after it still go through, exactly once.
func TestPoisonMutation(t *testing.T) {
	s := newServer(t, serverConfig{maxRequestBytes: 16 << 10})
	s.h.Grant("u1", "room:a")
	d := s.device(t, "u1", "")
	ctx := context.Background()
	must(t, d.Sync(ctx))
	text := strings.Repeat("t", 1000)
	for i := range 10 {
		_, err := d.Mutate(ctx, "note.put", sdktest.Args(id(i), text, "room:a"))
		must(t, err)
	}
	poison, err := d.Mutate(ctx, "note.put", sdktest.Args("huge", strings.Repeat("h", 40<<10), "room:a"))
	must(t, err)
	for i := 10; i < 20; i++ {
		_, err := d.Mutate(ctx, "note.put", sdktest.Args(id(i), text, "room:a"))
		must(t, err)
	}
	must(t, d.Sync(ctx))
	listed, err := d.Rejections(ctx)
	must(t, err)
	if len(listed) != 1 || listed[0].MutationID != poison || listed[0].Code != syncengine.EINVALID {
		t.Fatalf("rejections %+v", listed)
	}
	server := s.h.ServerNotes()
	if len(server) != 20 {
		t.Fatalf("server has %d notes, want 20", len(server))
	}
	if seqs := outcomeSeqs(t, s, d.ClientID()); len(seqs) != 20 || seqs[19] != 20 {
		t.Fatalf("outcome seqs %v", seqs)
	}
	if !converged(t, s, d) {
		t.Fatal("device did not converge")
	}
	// Numbering carries on after the renumbering.
	_, err = d.Mutate(ctx, "note.put", sdktest.Args("after", "x", "room:a"))
	must(t, err)
	must(t, d.Sync(ctx))
	if !converged(t, s, d) || len(s.h.ServerNotes()) != 21 {
		t.Fatal("a mutation after the poison one did not go through")
	}
}
