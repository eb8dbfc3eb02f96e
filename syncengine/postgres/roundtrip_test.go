package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// TestPushRoundTrips counts a push's round trips with a pgx tracer. The
// engine's own work is three whatever the batch's size (the client row's
// upsert with BEGIN, the records' locks and state with every queued
// write, the change log's append with COMMIT); a mutation adds only the statements whose
// results it reads: none for note.queue into the user's own bucket, one
// (the access check) into a shared room; one for note.put anywhere, whose
// access check and upsert (syncengine.Tx.QueueScan) travel together.
func TestPushRoundTrips(t *testing.T) {
	ctx := context.Background()
	var trips testenv.RoundTrips
	s, err := postgres.Open(ctx, testenv.PostgresURL(t, template), postgres.Options{Tracer: &trips})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	h := storetest.NewHarness(t, s, storetest.NewClock(), syncengine.Config{})
	h.Grant("u1", "room:a")
	d := h.NewDevice("u1")
	notes := 0
	push := func(name string, n int, bucket string) int64 {
		ms := make([]syncengine.Mutation, n)
		for i := range ms {
			notes++
			ms[i] = d.Mutation(name, storetest.NoteArgs{ID: fmt.Sprintf("n%d", notes), Text: "ok", Buckets: []string{bucket}})
		}
		before := trips.Count()
		out, err := d.TryPushContext(trips.Context(ctx), ms...)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if o.Status != syncengine.StatusApplied {
				t.Fatalf("%+v", o)
			}
		}
		return trips.Count() - before
	}
	for _, name := range []string{"note.queue", "note.put"} { // prepares the statements
		push(name, 2, "room:a")
		push(name, 2, "user:u1")
	}
	const engine = 3
	for _, c := range []struct {
		mutator string
		n       int
		bucket  string
		want    int64
	}{
		{"note.queue", 1, "user:u1", engine},
		{"note.queue", 50, "user:u1", engine},
		{"note.queue", 1, "room:a", engine + 1},
		{"note.queue", 50, "room:a", engine + 50},
		{"note.put", 50, "user:u1", engine + 50},
		{"note.put", 50, "room:a", engine + 50},
	} {
		if got := push(c.mutator, c.n, c.bucket); got != c.want {
			t.Errorf("%d %s into %s: %d round trips, want %d", c.n, c.mutator, c.bucket, got, c.want)
		}
	}
}
