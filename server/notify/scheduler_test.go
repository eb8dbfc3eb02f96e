package notify_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestSchedulerRunsEachJobOnceAcrossProcesses runs the schedulers of two
// server processes against one database, at the same instants: every job
// runs once per interval.
func TestSchedulerRunsEachJobOnceAcrossProcesses(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 2)
		var hourly, daily atomic.Int64
		var mu sync.Mutex
		var runAt []time.Time
		scheds := make([]*notify.Scheduler, 2)
		for i := range scheds {
			scheds[i] = notify.NewScheduler(notify.SchedulerConfig{Store: e.stores[i], Now: e.clock.Now, Logger: e.log})
			scheds[i].Add(notify.Job{Name: "hourly", Every: time.Hour, Run: func(ctx context.Context, now time.Time) error {
				hourly.Add(1)
				mu.Lock()
				runAt = append(runAt, now)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond) // overlap with the other process
				return nil
			}})
			scheds[i].Add(notify.Job{Name: "daily", Every: 24 * time.Hour, Run: func(ctx context.Context, now time.Time) error {
				daily.Add(1)
				return nil
			}})
		}
		round := func() {
			var wg sync.WaitGroup
			for _, s := range scheds {
				for range 3 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := s.RunDue(e.ctx); err != nil {
							t.Error(err)
						}
					}()
				}
			}
			wg.Wait()
		}
		round()
		if hourly.Load() != 1 || daily.Load() != 1 {
			t.Fatalf("first round: hourly ran %d times, daily %d", hourly.Load(), daily.Load())
		}
		e.clock.Advance(59 * time.Minute)
		round()
		if hourly.Load() != 1 {
			t.Fatal("hourly ran again within the hour")
		}
		e.clock.Advance(time.Minute)
		round()
		if hourly.Load() != 2 || daily.Load() != 1 {
			t.Fatalf("after an hour: hourly %d, daily %d", hourly.Load(), daily.Load())
		}
		if !runAt[1].Equal(runAt[0].Add(time.Hour)) {
			t.Fatalf("ran at %v", runAt)
		}
	})
}
