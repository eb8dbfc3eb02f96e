package gifts_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// BenchmarkOrdersContended measures gift orders applied per second on
// PostgreSQL with 200 devices contending for one item: each iteration is
// a round of 2,000 orders (10 per device), pushed through the sync engine
// one, five or ten orders per push. Beside it, in the same run, what
// limits it: the sync engine alone applying as many one-row mutations
// from as many devices in pushes of the same size (every push commits
// while holding the change log's lock, through its WAL flush), the latency
// of one commit, and plain pgx taking one stock row per transaction.
func BenchmarkOrdersContended(b *testing.B) {
	for _, perPush := range []int{1, 5, 10} {
		b.Run(fmt.Sprintf("orders-per-push=%d", perPush), func(b *testing.B) { benchOrders(b, perPush) })
	}
}

func benchOrders(b *testing.B, perPush int) {
	const devices, perDevice = 200, 10
	const round = devices * perDevice
	e := newEnv(b, syncengine.Postgres, gifts.Config{})
	cream := e.item("CREAM", "Cream", 10_000_000)
	w := e.wave("msk", 24*time.Hour, time.Hour)
	e.offer(w, cream, 1, 0, 0)
	docs := make([]*servertest.Device, devices)
	for i := range docs {
		docs[i] = e.device(e.doctor("msk", 1_000_000, true))
	}

	var elapsed time.Duration
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		e.offer(w, cream, 1, 0, int64((n+10)*round))
		batches := make([][][]syncengine.Mutation, devices)
		for i, d := range docs {
			for j := 0; j < perDevice; j += perPush {
				var ms []syncengine.Mutation
				for k := j; k < j+perPush && k < perDevice; k++ {
					ms = append(ms, order(d, w.ID, line(cream, 1)))
				}
				batches[i] = append(batches[i], ms)
			}
		}
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for i, d := range docs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, ms := range batches[i] {
					outs, err := d.TryPush(ms...)
					if err != nil {
						b.Errorf("push: %v", err)
						return
					}
					for _, o := range outs {
						if o.Status != syncengine.StatusApplied {
							b.Errorf("order rejected: %v", o.Error)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		elapsed += time.Since(start)
	}
	b.StopTimer()
	if got := e.ordered(w.ID, ""); got != int64(b.N*round) {
		b.Fatalf("%d units ordered, want %d", got, b.N*round)
	}
	perSec := float64(b.N*round) / elapsed.Seconds()
	engine := engineOnly(b, e, devices, b.N*perDevice, perPush)
	raw, commit := rawContended(b, e.store.(*postgres.Store), devices, b.N*round, perPush)
	b.ReportMetric(perSec, "orders/s")
	b.ReportMetric(engine, "engine-mutations/s")
	b.ReportMetric(perSec/engine, "ratio-to-engine")
	b.ReportMetric(raw, "raw-orders/s")
	b.ReportMetric(float64(commit.Microseconds()), "commit-µs")
	b.Logf("%d devices, one item, %d order(s) per push: %.0f orders/s; the sync engine alone with a one-row mutation %.0f/s (ratio %.2f); one commit (WAL flush) %v; plain pgx taking one stock row per transaction %.0f/s",
		devices, perPush, perSec, engine, perSec/engine, commit.Round(time.Microsecond), raw)
}

// engineOnly pushes one-row note mutations (the sync engine's test
// mutator: an access check and an upsert) from as many devices in pushes
// of the same size, and returns mutations applied per second.
func engineOnly(b *testing.B, e *env, devices, perDevice, perPush int) float64 {
	h := storetest.NewHarness(b, e.store, e.clock, syncengine.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	pushes := make([][][]syncengine.Mutation, devices)
	devs := make([]*storetest.Device, devices)
	for i := range devs {
		user, room := fmt.Sprint("bench-", i), syncengine.Bucket(fmt.Sprint("room:", i))
		h.Grant(user, room)
		devs[i] = h.NewDevice(user)
		for j := 0; j < perDevice; j += perPush {
			var ms []syncengine.Mutation
			for k := j; k < j+perPush && k < perDevice; k++ {
				ms = append(ms, devs[i].Mutation("note.put", storetest.NoteArgs{ID: uuid.NewString(), Text: "a gift order's worth of text", Buckets: []string{string(room)}}))
			}
			pushes[i] = append(pushes[i], ms)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, ms := range pushes[i] {
				if out, err := d.TryPush(ms...); err != nil || out[len(out)-1].Status != syncengine.StatusApplied {
					b.Errorf("note push: %v %v", out, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(devices*perDevice) / time.Since(start).Seconds()
}

// rawContended runs orders transactions with plain pgx from as many
// clients: the conditional UPDATE of one stock row, an insert per order,
// commit. It returns orders per second and the latency of one commit of a
// one-row transaction.
func rawContended(b *testing.B, s *postgres.Store, clients, orders, perTx int) (float64, time.Duration) {
	ctx := context.Background()
	pool := s.Pool()
	for _, q := range []string{
		`CREATE TABLE bench_stock (id INT PRIMARY KEY, allocated BIGINT NOT NULL, ordered BIGINT NOT NULL)`,
		`CREATE TABLE bench_orders (id TEXT PRIMARY KEY, quantity BIGINT NOT NULL)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO bench_stock VALUES (1, $1, 0)`, orders); err != nil {
		b.Fatal(err)
	}
	txs := orders / perTx
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan struct{}, txs)
	for range txs {
		work <- struct{}{}
	}
	close(work)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					for range perTx {
						if _, err := tx.Exec(ctx, `INSERT INTO bench_orders VALUES ($1, 1)`, uuid.NewString()); err != nil {
							return err
						}
					}
					tag, err := tx.Exec(ctx, `UPDATE bench_stock SET ordered = ordered + $1 WHERE id = 1 AND ordered + $1 <= allocated`, perTx)
					if err == nil && tag.RowsAffected() != 1 {
						err = fmt.Errorf("raw stock ran out")
					}
					return err
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	raw := float64(txs*perTx) / time.Since(start).Seconds()

	const commits = 200
	start = time.Now()
	for range commits {
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE bench_stock SET ordered = ordered WHERE id = 1`)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	return raw, time.Since(start) / commits
}
