package e2e_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// TestOfflineWritesConverge: a device goes offline, makes 500 writes it sees
// at once, comes back and converges to the server, checksums equal.
func TestOfflineWritesConverge(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	d := s.device(t, "u1", "")
	ctx := context.Background()
	must(t, d.Sync(ctx)) // the initial sync
	d.SetConnectivity(sdk.Offline)
	must(t, d.Start())
	for i := range 500 {
		if _, err := d.Mutate(ctx, "note.put", sdktest.Args(id(i), "offline", "room:a")); err != nil {
			t.Fatal(err)
		}
	}
	got, pending := notes(t, d)
	if len(got) != 500 || pending != 500 || d.Status().Pending != 500 {
		t.Fatalf("offline: %d notes, %d pending, status %+v", len(got), pending, d.Status())
	}
	if len(s.h.ServerNotes()) != 0 {
		t.Fatal("an offline device reached the server")
	}
	d.SetConnectivity(sdk.Online)
	servertest.Eventually(t, "convergence", func() bool { return converged(t, s, d) })
	if n := len(s.h.ServerNotes()); n != 500 {
		t.Fatalf("server has %d notes", n)
	}
	checkChecksums(t, s, d, "u1")
	if st := d.Status(); st.LastError != "" || st.InitialSync || st.LastCheckpoint.IsZero() {
		t.Fatalf("status after sync: %+v", st)
	}
}

// TestTwoDevicesConverge: two devices of one user write concurrently and
// both end with the server's state.
func TestTwoDevicesConverge(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	phone := s.device(t, "u1", "")
	tablet := s.device(t, "u1", "")
	must(t, phone.Start())
	must(t, tablet.Start())
	ctx := context.Background()
	done := make(chan error, 2)
	write := func(r *sdk.Replica, prefix string) {
		for i := range 60 {
			// Both edit the shared notes too: last write wins on the server.
			if _, err := r.Mutate(ctx, "note.put", sdktest.Args(prefix+id(i), prefix, "room:a")); err != nil {
				done <- err
				return
			}
			if _, err := r.Mutate(ctx, "note.put", sdktest.Args(id(i%10), prefix, "room:a")); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}
	go write(phone, "phone-")
	go write(tablet, "tablet-")
	must(t, <-done)
	must(t, <-done)
	servertest.Eventually(t, "both devices converged", func() bool { return converged(t, s, phone) && converged(t, s, tablet) })
	if n := len(s.h.ServerNotes()); n != 130 {
		t.Fatalf("server has %d notes, want 130", n)
	}
	checkChecksums(t, s, phone, "u1")
	checkChecksums(t, s, tablet, "u1")
}

// TestLiveSubscription: a change made elsewhere reaches a connected device
// through Subscribe, without polling.
func TestLiveSubscription(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	s.h.Grant("u2", "room:a")
	d := s.device(t, "u1", "", func(o *sdk.Options) { o.PollEvery = time.Hour })
	changed := make(chan string, 100)
	d.Observe("note", func(c string) { changed <- c })
	must(t, d.Start())
	servertest.Eventually(t, "the live subscription", func() bool { return d.Status().Live })
	other := s.h.NewDevice("u2")
	start := time.Now()
	other.Put("hello", "from u2", "room:a")
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("the device did not hear of the change")
	}
	got, _ := notes(t, d)
	if got["hello"] != "hello|from u2|1" {
		t.Fatalf("device notes %v", got)
	}
	t.Logf("change to device in %v", time.Since(start))
}

// TestServerRestartDuringPush: the server dies after committing a push and
// before answering; a new server on the same database takes over. Nothing
// is lost or applied twice.
func TestServerRestartDuringPush(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	d := s.device(t, "u1", "")
	ctx := context.Background()
	must(t, d.Sync(ctx))
	for i := range 120 {
		_, err := d.Mutate(ctx, "note.put", sdktest.Args(id(i), "x", "room:a"))
		must(t, err)
	}
	committed := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	s.hooks.set(func(h *hooks) {
		h.afterPush = func(*syncv1.PushResponse) error {
			// The push is committed; now the server goes away without a word.
			once.Do(func() { close(committed) })
			<-release
			return connect.NewError(connect.CodeUnavailable, errors.New("unreachable"))
		}
	})
	must(t, d.Start())
	select {
	case <-committed:
	case <-time.After(30 * time.Second):
		t.Fatal("no push arrived")
	}
	s.hooks.set(func(h *hooks) { h.afterPush = nil })
	s.restart() // connections drop while the push handler still holds its answer
	close(release)
	servertest.Eventually(t, "convergence after the restart", func() bool { return converged(t, s, d) })
	for n, payload := range s.h.ServerNotes() {
		note, err := sdktest.ParseNote([]byte(payload))
		must(t, err)
		if note.Version != 1 {
			t.Fatalf("note %s applied %d times", n, note.Version)
		}
	}
	if seqs := outcomeSeqs(t, s, d.ClientID()); len(seqs) != 120 || seqs[119] != 120 {
		t.Fatalf("server outcomes %d, last %v", len(seqs), seqs[len(seqs)-1:])
	}
	checkChecksums(t, s, d, "u1")
}
