package sdk

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// BenchmarkApplyPages is the device's share of an initial sync: 100,000
// rows in pages of 10,000 applied to an empty replica, checkpoint and all,
// with no network or server in the measurement.
func BenchmarkApplyPages(b *testing.B) {
	const rows, pageRows = 100_000, 10_000
	schema := NewSchema().AddCollection(Collection{
		Name:    "doctor",
		Columns: []Column{{Name: "name", Type: Text}},
		Extract: func(p []byte) ([]any, error) { n, _, _ := strings.Cut(string(p), ","); return []any{n}, nil },
	})
	var pages []*syncv1.PullResponse
	var sum syncengine.Checksum
	for start := 0; start < rows; start += pageRows {
		p := &syncv1.PullResponse{HasMore: start+pageRows < rows}
		for i := start; i < start+pageRows; i++ {
			id := fmt.Sprintf("d%06d", i)
			payload := []byte(fmt.Sprintf("Ivanova %c.%c., dermatologist, clinic %d, +7 900 %07d, Moscow, Tverskaya %d", 'A'+i%26, 'A'+i%23, i%977, i, i%300))
			sum.Add(syncengine.RecordHash("doctor", id, payload))
			p.Changes = append(p.Changes, &syncv1.Change{Seq: int64(i + 1), Bucket: "territory:7", Collection: "doctor", RecordId: id, Op: syncv1.Op_OP_UPSERT, Payload: payload})
		}
		p.Cursors = []*syncv1.BucketCursor{{Bucket: "territory:7", After: int64(start + pageRows), FromZero: p.HasMore}}
		pages = append(pages, p)
	}
	pages[len(pages)-1].Checkpoint = &syncv1.Checkpoint{Seq: rows, Buckets: []*syncv1.BucketChecksum{{Bucket: "territory:7", Checksum: sum.Sum, Count: sum.Count}}}
	var took, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		r, err := Open(b.Context(), Options{Dir: b.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: schema})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		for _, p := range pages {
			res, err := r.applyForTest(p)
			if err != nil || len(res.mismatched) > 0 {
				b.Fatal(err, res.mismatched)
			}
		}
		took += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		r.Close()
		b.StartTimer()
	}
	rate := float64(rows*b.N) / took.Seconds()
	perRow := float64(cpu.Microseconds()) / float64(rows*b.N)
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(perRow, "cpu-µs/row")
	b.Logf("applying %d rows to an empty replica: %.0f rows/s, %.1f µs of CPU per row", rows, rate, perRow)
}

// cpuTime is the process's user and system CPU time: a figure a busy
// machine disturbs less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
