package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/notify/fcm"
	"github.com/ordinatorhq/ordinator/server/notify/fcm/fcmtest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// benchEnv is two server processes on one PostgreSQL and the loopback FCM.
type benchEnv struct {
	b      *testing.B
	ctx    context.Context
	stores []syncengine.Store
	fcm    *fcmtest.Server
	sender *fcm.Sender
	users  []string
	now    func() time.Time
}

func newBenchEnv(b *testing.B, doctors int) *benchEnv {
	ctx := context.Background()
	// Midday in Moscow, whenever the benchmark runs: no quiet hours.
	base, started := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), time.Now()
	e := &benchEnv{b: b, ctx: ctx, now: func() time.Time { return base.Add(time.Since(started)) }}
	e.stores = servertest.Stores(b, syncengine.Postgres, e.now, 2, notify.Schema())
	e.fcm = fcmtest.Start(b, nil)
	var err error
	if e.sender, err = fcm.New(ctx, fcmtest.Project, e.fcm.Options()...); err != nil {
		b.Fatal(err)
	}
	e.seed(doctors)
	return e
}

// seed writes doctors with one signed-in device and push token each,
// straight into the tables (password hashing would dominate otherwise).
func (e *benchEnv) seed(n int) {
	store := e.stores[0]
	err := store.Update(e.ctx, func(tx syncengine.Tx) error {
		_, err := tx.Exec(e.ctx, `INSERT INTO regions (id, name, time_zone, created_at) VALUES ('msk', 'Москва', 'Europe/Moscow', 0)`)
		return err
	})
	if err != nil {
		e.b.Fatal(err)
	}
	const per = 500
	for start := 0; start < n; start += per {
		count := min(per, n-start)
		var users, devices, tokens []string
		var uargs, dargs, targs []any
		for i := range count {
			id := uuid.NewString()
			e.users = append(e.users, id)
			dev := uuid.NewString()
			users = append(users, fmt.Sprintf("($%d, 'doctor', $%d, 'x', $%d, 'dermatology', 'msk', TRUE, 0, 0)", 3*i+1, 3*i+2, 3*i+3))
			uargs = append(uargs, id, fmt.Sprintf("d%d@bench.test", start+i), fmt.Sprintf("Doctor %d", start+i))
			devices = append(devices, fmt.Sprintf("($%d, $%d, 'phone', 'android', $%d, 0, 0, 0)", 3*i+1, 3*i+2, 3*i+3))
			dargs = append(dargs, dev, id, "hash-"+dev)
			tokens = append(tokens, fmt.Sprintf("($%d, $%d, $%d, 'android', 'ru-RU', 'Europe/Moscow', 0, 0)", 3*i+1, 3*i+2, 3*i+3))
			targs = append(targs, "bench:"+strings.ReplaceAll(dev, "-", "")+"_APA91b", id, dev)
		}
		err := store.Update(e.ctx, func(tx syncengine.Tx) error {
			if _, err := tx.Exec(e.ctx, `INSERT INTO users (id, role, email, password_hash, display_name, specialty, region_id, verified, created_at, updated_at) VALUES `+strings.Join(users, ", "), uargs...); err != nil {
				return err
			}
			if _, err := tx.Exec(e.ctx, `INSERT INTO devices (id, user_id, name, platform, refresh_hash, refresh_expires_at, created_at, last_seen_at) VALUES `+strings.Join(devices, ", "), dargs...); err != nil {
				return err
			}
			_, err := tx.Exec(e.ctx, `INSERT INTO push_tokens (token, user_id, device_id, platform, locale, time_zone, created_at, updated_at) VALUES `+strings.Join(tokens, ", "), targs...)
			return err
		})
		if err != nil {
			e.b.Fatal(err)
		}
	}
	// A production database has planner statistics; freshly loaded tables
	// have none until autovacuum comes by.
	err = store.Update(e.ctx, func(tx syncengine.Tx) error {
		_, err := tx.Exec(e.ctx, `ANALYZE`)
		return err
	})
	if err != nil {
		e.b.Fatal(err)
	}
}

// announce enqueues one notice per doctor, as a wave opening does, and
// returns how long that took.
func (e *benchEnv) announce(wave string) time.Duration {
	start := time.Now()
	const per = 1000
	for i := 0; i < len(e.users); i += per {
		chunk := e.users[i:min(i+per, len(e.users))]
		err := e.stores[0].Update(e.ctx, func(tx syncengine.Tx) error {
			for _, u := range chunk {
				if _, err := notify.Enqueue(e.ctx, tx, notify.Notification{UserID: u, Kind: "gift.wave_opened",
					Params: map[string]string{"title": wave, "ends_at": "2026-03-31"}, DedupeKey: "gift.wave_opened:" + wave + ":" + u}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			e.b.Fatal(err)
		}
	}
	return time.Since(start)
}

// drain runs one worker in each process until the outbox is empty.
func (e *benchEnv) drain() time.Duration {
	ctx, cancel := context.WithCancel(e.ctx)
	var wg sync.WaitGroup
	start := time.Now()
	for _, store := range e.stores {
		w := notify.NewWorker(notify.WorkerConfig{Store: store, Sender: e.sender, Poll: 5 * time.Millisecond, Now: e.now,
			Logger: slog.New(slog.DiscardHandler)})
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	for {
		var n int64
		err := e.stores[0].View(e.ctx, func(q syncengine.Querier) error {
			return q.QueryRow(e.ctx, `SELECT count(*) FROM notifications WHERE state IN ('pending', 'sending')`).Scan(&n)
		})
		if err != nil {
			e.b.Fatal(err)
		}
		if n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Since(start)
	cancel()
	wg.Wait()
	return took
}

// BenchmarkDelivery measures notifications delivered per second to the
// loopback FCM by two workers, each in its own server process, on
// PostgreSQL.
func BenchmarkDelivery(b *testing.B) {
	const doctors = 10000
	e := newBenchEnv(b, doctors)
	var total time.Duration
	sent := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		e.announce(fmt.Sprintf("w%d", i))
		b.StartTimer()
		total += e.drain()
		sent += doctors
	}
	if e.fcm.Count() != sent {
		b.Fatalf("%d pushes delivered, want %d", e.fcm.Count(), sent)
	}
	rate := float64(sent) / total.Seconds()
	b.ReportMetric(rate, "notifications/s")
	b.Logf("delivery: %d notifications to the loopback FCM in %v by 2 workers (2 processes, PostgreSQL): %.0f notifications/s", sent, total.Round(time.Millisecond), rate)
}

// BenchmarkWaveDrain50k measures how long the announcement of a gift wave
// to 50,000 doctors takes to drain: enqueuing the notices (inbox items
// and outbox rows), then delivering them with two workers.
func BenchmarkWaveDrain50k(b *testing.B) {
	const doctors = 50000
	e := newBenchEnv(b, doctors)
	var enqueue, drain time.Duration
	for i := 0; b.Loop(); i++ {
		enqueue += e.announce(fmt.Sprintf("w%d", i))
		drain += e.drain()
	}
	if e.fcm.Count() != doctors*b.N {
		b.Fatalf("%d pushes delivered, want %d", e.fcm.Count(), doctors*b.N)
	}
	n := float64(b.N)
	b.ReportMetric(enqueue.Seconds()/n, "enqueue-s")
	b.ReportMetric(drain.Seconds()/n, "drain-s")
	b.Logf("wave of %d: enqueued in %v, drained by 2 workers in %v (%.0f notifications/s)", doctors,
		(enqueue / time.Duration(b.N)).Round(time.Millisecond), (drain / time.Duration(b.N)).Round(time.Millisecond), float64(doctors)*n/drain.Seconds())
}
