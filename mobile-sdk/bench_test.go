package sdk_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
)

// percentile returns the p-th percentile of durations (sorted in place).
func percentile(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	i := int(float64(len(d)-1) * p)
	return d[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkLocalWrite measures Mutate: the outbox entry and the optimistic
// effect (read the note, write it with its index columns) in one SQLite
// transaction. Each iteration is 1,000 writes; the figure is their p99.
func BenchmarkLocalWrite(b *testing.B) {
	r := offline(b, "", nil)
	ctx := context.Background()
	const perIteration = 1000
	var lat []time.Duration
	n := 0
	start := time.Now()
	for b.Loop() {
		for range perIteration {
			args := sdktest.Args(fmt.Sprintf("n%07d", n), "Ivanova Maria Petrovna, dermatologist", "room:a")
			n++
			t := time.Now()
			if _, err := r.Mutate(ctx, "note.put", args); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
	}
	elapsed := time.Since(start)
	p50, p99 := percentile(lat, 0.50), percentile(lat, 0.99)
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "writes/s")
	b.Logf("local write (outbox + optimistic row): %d writes, p50 %.3f ms, p99 %.3f ms (goal ≤ 2 ms), %.0f writes/s",
		n, ms(p50), ms(p99), float64(n)/elapsed.Seconds())
}

var surnames = []string{"Ivanov", "Ivanova", "Petrov", "Petrova", "Sidorov", "Smirnova", "Kuznetsov", "Popova", "Vasiliev", "Sokolova",
	"Mikhailov", "Novikova", "Fedorov", "Morozova", "Volkov", "Alekseeva", "Lebedev", "Semenova", "Egorov", "Pavlova"}

// BenchmarkSearch finds records among 10,000 local ones by a name prefix
// through the indexed text column, 50 at a time as a list screen would.
// Each iteration is 210 searches; the figures are their p50 and p99.
func BenchmarkSearch(b *testing.B) {
	r := offline(b, "", nil)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range 10000 {
		name := fmt.Sprintf("%s %c.%c.", surnames[rng.IntN(len(surnames))], 'A'+rng.IntN(26), 'A'+rng.IntN(26))
		if _, err := r.Mutate(ctx, "note.put", sdktest.Args(fmt.Sprintf("d%05d", i), name, "territory:7")); err != nil {
			b.Fatal(err)
		}
	}
	prefixes := []string{"Iva", "Pet", "Sm", "Kuz", "Vol", "Ivanova A", "S"}
	var lat []time.Duration
	found := 0
	for b.Loop() {
		for i := range 210 {
			t := time.Now()
			recs, err := r.Query(ctx, sdk.Query{
				Collection: "note",
				Where:      []sdk.Filter{{Column: "text", Op: sdk.Prefix, Value: prefixes[i%len(prefixes)]}},
				OrderBy:    "text",
				Limit:      50,
			})
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
			found += len(recs)
		}
	}
	if found == 0 {
		b.Fatal("the searches found nothing")
	}
	p50, p99 := percentile(lat, 0.50), percentile(lat, 0.99)
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.Logf("prefix search over 10,000 local rows (50 per page): %d searches, p50 %.3f ms, p99 %.3f ms (goal ≤ 5 ms)", len(lat), ms(p50), ms(p99))
}
