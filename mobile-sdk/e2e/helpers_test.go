package e2e_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"testing"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func id(i int) string { return fmt.Sprintf("n%04d", i) }

// notes returns a replica's notes as payloads by id, and how many are pending.
func notes(t testing.TB, r *sdk.Replica) (map[string]string, int) {
	t.Helper()
	recs, err := r.Query(context.Background(), sdk.Query{Collection: "note"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	pending := 0
	for _, rec := range recs {
		out[rec.ID] = string(rec.Payload)
		if rec.Pending {
			pending++
		}
	}
	return out, pending
}

// converged reports whether a replica holds exactly the server's notes,
// none pending, with an empty outbox.
func converged(t testing.TB, s *server, r *sdk.Replica) bool {
	t.Helper()
	got, pending := notes(t, r)
	return pending == 0 && r.Status().Pending == 0 && maps.Equal(got, s.h.ServerNotes())
}

// checkChecksums compares the replica's bucket checksums, recomputed from
// its rows, with those of a reference client that downloads everything the
// user may read from the engine.
func checkChecksums(t testing.TB, s *server, r *sdk.Replica, user string) {
	t.Helper()
	got, err := r.Checksums(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ref := s.h.NewDevice(user)
	ref.Sync()
	want := map[syncengine.Bucket]syncengine.Checksum{}
	for _, b := range ref.Replica.Buckets() {
		want[b] = ref.Replica.Checksum(b)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("replica checksums %v, server %v", got, want)
	}
}

func dirEntries(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
