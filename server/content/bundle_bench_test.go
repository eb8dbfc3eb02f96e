package content_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// BenchmarkBundleImport measures importing a bundle of new articles (each
// for one specialty in two regions): items published per second through
// the content path, and the ratio to inserting the same payloads as plain
// rows into a table of the same store in one transaction.
func BenchmarkBundleImport(b *testing.B) {
	for _, d := range servertest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			const items = 300
			var imported int
			var spent, raw time.Duration
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				s := newStacks(b, d)
				for j := range items {
					it := article(fmt.Sprintf("b%d-%d", i, j), "Статья", "Эмоленты — основа ухода при атопическом дерматите.", derm, []string{"msk"})
					s.ru.create(it)
					s.ru.publish(it.Id)
				}
				data, _, err := s.ru.svc.ExportBundle(s.ru.ctx, s.ruImg.svc, content.ExportOptions{Source: "ru", Destination: "kz", Key: s.key})
				must(b, err)
				payload := make([]byte, len(data)/items)
				must(b, s.kz.store.Update(s.kz.ctx, func(tx syncengine.Tx) error {
					_, err := tx.Exec(s.kz.ctx, `CREATE TABLE bench_raw (id TEXT PRIMARY KEY, payload BYTEA NOT NULL)`)
					return err
				}))
				b.StartTimer()
				t0 := time.Now()
				res, err := s.importBundle(data)
				spent += time.Since(t0)
				if err != nil || res.Added != items {
					b.Fatalf("imported %+v: %v", res, err)
				}
				t0 = time.Now()
				must(b, s.kz.store.Update(s.kz.ctx, func(tx syncengine.Tx) error {
					for j := range items {
						if _, err := tx.Exec(s.kz.ctx, `INSERT INTO bench_raw (id, payload) VALUES ($1, $2)`, fmt.Sprint(j), payload); err != nil {
							return err
						}
					}
					return nil
				}))
				raw += time.Since(t0)
				imported += items
			}
			rate, rawRate := float64(imported)/spent.Seconds(), float64(imported)/raw.Seconds()
			b.ReportMetric(rate, "items/s")
			b.ReportMetric(rate/rawRate, "ratio-to-raw")
			b.Logf("%s: %d items imported at %.0f items/s; plain inserts of the same payloads %.0f rows/s (ratio %.2f)", d, imported, rate, rawRate, rate/rawRate)
		})
	}
}
