package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// BenchmarkPush measures mutations applied to PostgreSQL per second, pushed
// in batches of 100 (each a note upsert into a bucket: the domain row, its
// change-log entry, outcome and checksum), against the same note rows
// written with plain pgx in transactions of 100, measured in the same run.
//
// It runs with one client pushing at a time and with four pushing at once
// (their batches apply concurrently and serialise only on the log append).
func BenchmarkPush(b *testing.B) {
	for _, clients := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchPush(b, clients) })
	}
}

func benchPush(b *testing.B, clients int) {
	const batch = 100
	ctx := context.Background()
	s, err := postgres.Open(ctx, testenv.PostgresURL(b, template), postgres.Options{MaxConns: 8})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := storetest.NewHarness(b, s, storetest.NewClock(), syncengine.Config{})
	devices := make([]*storetest.Device, clients)
	batches := make([][][]syncengine.Mutation, clients)
	for c := range devices {
		user := fmt.Sprintf("u%d", c)
		h.Grant(user, "room:a")
		d := h.NewDevice(user)
		devices[c] = d
		for i := c; i < b.N; i += clients {
			ms := make([]syncengine.Mutation, batch)
			for j := range ms {
				ms[j] = d.Mutation("note.put", storetest.NoteArgs{ID: fmt.Sprintf("p%d-%d", i, j), Text: "a note of ordinary length for a benchmark", Buckets: []string{"room:a"}})
			}
			batches[c] = append(batches[c], ms)
		}
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c, d := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, ms := range batches[c] {
				out, err := d.TryPush(ms...)
				if err != nil || out[batch-1].Status != syncengine.StatusApplied {
					b.Errorf("push: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	engine := time.Since(start)
	b.StopTimer()

	// The raw limit: the same note rows, plain pgx, one transaction and
	// one pipelined batch per 100, from as many clients.
	start = time.Now()
	for c := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range batches[c] {
				tx, err := s.Pool().Begin(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				pb := &pgx.Batch{}
				for j := 0; j < batch; j++ {
					pb.Queue(`INSERT INTO test_notes (id, text, version) VALUES ($1, $2, 1)
						ON CONFLICT (id) DO UPDATE SET text = excluded.text, version = test_notes.version + 1`,
						uuid.NewString(), "a note of ordinary length for a benchmark")
				}
				if err := tx.SendBatch(ctx, pb).Close(); err != nil {
					b.Error(err)
					return
				}
				if err := tx.Commit(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	raw := time.Since(start)

	// What the mutator itself costs: its two statements (the access check
	// and the upsert) in one round trip per mutation, as the mutator sends
	// them, with plain pgx and no engine.
	start = time.Now()
	for c := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range batches[c] {
				tx, err := s.Pool().Begin(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				for j := 0; j < batch; j++ {
					var n, v int64
					pb := &pgx.Batch{}
					pb.Queue(`SELECT count(*) FROM test_access WHERE user_id = $1 AND bucket = $2`, "u0", "room:a").QueryRow(func(r pgx.Row) error { return r.Scan(&n) })
					pb.Queue(`INSERT INTO test_notes (id, text, version) VALUES ($1, $2, 1)
						ON CONFLICT (id) DO UPDATE SET text = excluded.text, version = test_notes.version + 1 RETURNING version`,
						uuid.NewString(), "a note of ordinary length for a benchmark").QueryRow(func(r pgx.Row) error { return r.Scan(&v) })
					if err := tx.SendBatch(ctx, pb).Close(); err != nil {
						b.Error(err)
						return
					}
				}
				if err := tx.Commit(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	sequential := time.Since(start)
	n := float64(b.N * batch)
	b.ReportMetric(n/sequential.Seconds(), "mutator-only/s")
	b.ReportMetric(n/engine.Seconds(), "mutations/s")
	b.ReportMetric(n/raw.Seconds(), "raw-rows/s")
	b.ReportMetric(raw.Seconds()/engine.Seconds(), "ratio-to-raw")
	b.Logf("push, %d clients: %.0f mutations/s in batches of %d; plain pgx pipelined inserts %.0f rows/s (ratio %.2f); the mutator's own statements without the engine %.0f/s (ratio %.2f)",
		clients, n/engine.Seconds(), batch, n/raw.Seconds(), raw.Seconds()/engine.Seconds(), n/sequential.Seconds(), sequential.Seconds()/engine.Seconds())
}
