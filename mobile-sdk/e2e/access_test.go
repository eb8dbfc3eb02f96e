package e2e_test

import (
	"context"
	"testing"
	"time"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// TestAccessRemoved: when the user loses a bucket, its rows leave the
// device; rows also in a bucket kept stay.
func TestAccessRemoved(t *testing.T) {
	s := newServer(t, serverConfig{})
	for _, b := range []syncengine.Bucket{"room:a", "room:b"} {
		s.h.Grant("writer", b)
		s.h.Grant("u1", b)
	}
	w := s.h.NewDevice("writer")
	for i := range 5 {
		w.Put("a"+id(i), "x", "room:a")
		w.Put("b"+id(i), "x", "room:b")
	}
	w.Put("both", "x", "room:a", "room:b")
	d := s.device(t, "u1", "")
	must(t, d.Start())
	servertest.Eventually(t, "the initial sync", func() bool { n, _ := notes(t, d); return len(n) == 11 })
	s.h.Revoke("u1", "room:b")
	servertest.Eventually(t, "room:b to leave", func() bool { n, _ := notes(t, d); return len(n) == 6 })
	got, _ := notes(t, d)
	if _, ok := got["both"]; !ok {
		t.Fatal("a note still readable through room:a left with room:b")
	}
	for i := range 5 {
		if _, ok := got["b"+id(i)]; ok {
			t.Fatalf("note b%s is still on the device", id(i))
		}
	}
	sums, err := d.Checksums(context.Background())
	must(t, err)
	if _, ok := sums["room:b"]; ok {
		t.Fatal("the device still holds room:b")
	}
	checkChecksums(t, s, d, "u1")
}

// TestBucketReset: a device offline longer than the tombstone retention
// downloads its bucket again and ends with the server's state.
func TestBucketReset(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	d := s.device(t, "u1", "")
	ctx := context.Background()
	w := s.h.NewDevice("u1")
	w.Put("stays", "x", "room:a")
	w.Put("doomed", "x", "room:a")
	must(t, d.Sync(ctx))
	w.Push(w.Mutation("note.delete", storetest.NoteArgs{ID: "doomed"}))
	s.h.Clock.Advance(8 * 24 * time.Hour)
	w.Put("later", "y", "room:a")
	_, err := s.h.Engine.Compact(ctx, syncengine.CompactOptions{TombstoneRetention: 7 * 24 * time.Hour})
	must(t, err)
	var reset bool
	s.hooks.set(func(h *hooks) {
		h.beforePull = func(p *syncv1.PullResponse) { reset = reset || len(p.GetResetBuckets()) > 0 }
	})
	must(t, d.Sync(ctx))
	if !reset {
		t.Fatal("the server did not reset the bucket")
	}
	if !converged(t, s, d) {
		got, _ := notes(t, d)
		t.Fatalf("after the reset the device has %v, server %v", got, s.h.ServerNotes())
	}
	checkChecksums(t, s, d, "u1")
}

// TestChecksumMismatch: a server that loses a change is caught by the
// checkpoint's checksum; the device downloads that bucket again by itself.
func TestChecksumMismatch(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	s.h.Grant("u1", "room:b")
	w := s.h.NewDevice("u1")
	for i := range 10 {
		w.Put(id(i), "x", "room:a")
		w.Put("b"+id(i), "x", "room:b")
	}
	dropped := 0
	s.hooks.set(func(h *hooks) {
		h.beforePull = func(p *syncv1.PullResponse) {
			for i, c := range p.GetChanges() {
				if dropped == 0 && c.GetRecordId() == id(3) {
					p.Changes = append(p.Changes[:i], p.Changes[i+1:]...)
					dropped++
					return
				}
			}
		}
	})
	d := s.device(t, "u1", "")
	var seen []int
	d.Observe("note", func(string) { n, _ := notes(t, d); seen = append(seen, len(n)) })
	must(t, d.Sync(context.Background()))
	if dropped != 1 {
		t.Fatal("the faulty server dropped nothing")
	}
	if !converged(t, s, d) {
		t.Fatal("the device did not repair the bucket")
	}
	checkChecksums(t, s, d, "u1")
	d.Close() // drains the observer calls
	for _, n := range seen {
		if n != 20 {
			t.Fatalf("the app saw %d notes at some point: %v", n, seen)
		}
	}
}

// TestDeviceRevoked: the server answers a revoked device with DeviceRevoked;
// the replica deletes its data and media and says so.
func TestDeviceRevoked(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	dir := t.TempDir()
	d := s.device(t, "u1", dir)
	ctx := context.Background()
	_, err := d.Mutate(ctx, "note.put", sdktest.Args("n1", "x", "room:a"))
	must(t, err)
	must(t, d.Sync(ctx))
	statuses := make(chan sdk.Status, 100)
	d.ObserveStatus(func(st sdk.Status) { statuses <- st })
	s.auth.revokeAll()
	must(t, d.Start())
	servertest.Eventually(t, "the wipe", func() bool { return d.Status().Wiped })
	if _, err := d.Mutate(ctx, "note.put", sdktest.Args("n2", "x", "room:a")); err != sdk.ErrWiped {
		t.Fatalf("write after the wipe: %v", err)
	}
	if _, err := d.Query(ctx, sdk.Query{Collection: "note"}); err != sdk.ErrWiped {
		t.Fatalf("read after the wipe: %v", err)
	}
	entries := dirEntries(t, dir)
	if len(entries) != 0 {
		t.Fatalf("the replica directory still holds %v", entries)
	}
	for st := range statuses {
		if st.Wiped {
			break
		}
	}
}
