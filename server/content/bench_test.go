package content_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// BenchmarkWindowsOpening measures the window job: items whose publish
// window has just opened, each targeted at 3 specialties in 2 regions (6
// buckets), moved onto phones per second.
func BenchmarkWindowsOpening(b *testing.B) {
	for _, d := range servertest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			e := newEnv(b, d)
			const items = 200
			var moved int
			var spent time.Duration
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				start := e.clock.Now().Add(time.Minute).UnixMilli()
				for j := range items {
					it := article(fmt.Sprintf("w%d-%d", i, j), "Статья", "Эмоленты — основа ухода при атопическом дерматите.",
						[]string{"dermatology", "pediatrics", "cosmetology"}, []string{"msk", "spb"})
					it.StartsAtUnixMs = start
					e.create(it)
					e.publish(it.Id)
				}
				e.clock.Advance(2 * time.Minute)
				b.StartTimer()
				t0 := time.Now()
				n, err := e.svc.Reevaluate(e.ctx)
				spent += time.Since(t0)
				if err != nil || n != items {
					b.Fatalf("moved %d: %v", n, err)
				}
				moved += n
			}
			rate := float64(moved) / spent.Seconds()
			b.ReportMetric(rate, "items/s")
			b.Logf("%s: %d items moved onto 6 buckets each at %.0f items/s", d, moved, rate)
		})
	}
}

// BenchmarkTrainingCompletions measures "training.complete" pushes that
// pass and pay points, one doctor each, through the sync engine.
func BenchmarkTrainingCompletions(b *testing.B) {
	for _, d := range servertest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			e := newEnv(b, d)
			e.create(training("course", 50, derm, msk))
			e.publish("course")
			probe := e.doctor("probe", "dermatology", "msk", true)
			probe.Sync()
			tr := probe.items()["course"]
			const doctors = 100
			phones := make([]*phone, doctors)
			for i := range phones {
				phones[i] = e.doctor(fmt.Sprint("doc", i), "dermatology", "msk", true)
			}
			var done int
			var spent time.Duration
			for b.Loop() {
				for _, ph := range phones {
					m := ph.Mutation(content.MutationCompleteTraining, complete(tr, answers(tr, true)))
					t0 := time.Now()
					out := ph.Push(m)
					spent += time.Since(t0)
					if out[0].Status != syncengine.StatusApplied {
						b.Fatalf("rejected: %v", out[0].Error)
					}
					done++
				}
			}
			rate := float64(done) / spent.Seconds()
			b.ReportMetric(rate, "completions/s")
			b.Logf("%s: %d completions graded and recorded at %.0f/s (one push each)", d, done, rate)
		})
	}
}
