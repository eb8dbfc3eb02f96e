package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

const initialRows = 100_000

// seedNotes writes n notes of about 100 bytes into bucket, straight
// through the store (as server modules do), in large transactions.
func seedNotes(b *testing.B, s *server, bucket syncengine.Bucket, n int) [][2]string {
	b.Helper()
	rows := make([][2]string, 0, n)
	for start := 0; start < n; start += 10_000 {
		err := s.store.Update(context.Background(), func(tx syncengine.Tx) error {
			for i := start; i < min(start+10_000, n); i++ {
				id := fmt.Sprintf("d%06d", i)
				text := fmt.Sprintf("%s %c.%c., dermatologist, clinic %d, +7 900 %07d", surnames[i%len(surnames)], 'A'+i%26, 'A'+i%23, i%977, i)
				payload := sdktest.Payload(id, text, 1)
				tx.Put("note", id, payload, bucket)
				rows = append(rows, [2]string{id, string(payload)})
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return rows
}

var surnames = []string{"Ivanova", "Petrov", "Smirnova", "Kuznetsov", "Popova", "Vasiliev", "Sokolova", "Mikhailov", "Novikova", "Fedorov"}

// BenchmarkInitialSync downloads 100,000 rows from a server on PostgreSQL
// into an empty replica, end to end (HTTP, Connect, the engine's pull, the
// replica's pages, checksums and the app's table with its index), and
// compares with plain SQLite inserts of the same rows in the same run.
// Each iteration syncs three fresh replicas and takes the median, which a
// shared machine disturbs less than a single run; the process's CPU time
// per row (device and server together, both in this process) is reported
// too.
func BenchmarkInitialSync(b *testing.B) {
	s := newServer(b, serverConfig{})
	s.h.Grant("u1", "territory:7")
	rows := seedNotes(b, s, "territory:7", initialRows)
	ctx := context.Background()
	// Settle the database after the bulk load, as autovacuum would have
	// long before any device asks.
	if _, err := s.store.Pool().Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var rates, plains []float64
	var cpu time.Duration
	syncs := 0
	for b.Loop() {
		for range 3 {
			d := s.device(b, "u1", "")
			start, cpu0 := time.Now(), cpuTime()
			if err := d.Sync(ctx); err != nil {
				b.Fatal(err)
			}
			rates = append(rates, initialRows/time.Since(start).Seconds())
			cpu += cpuTime() - cpu0
			syncs++
			if n, err := d.Count(ctx, sdk.Query{Collection: "note"}); err != nil || n != initialRows {
				b.Fatalf("replica has %d notes (%v)", n, err)
			}
			if st := d.Status(); st.RowsDone < initialRows || st.RowsTotal < initialRows {
				b.Fatalf("progress %d/%d", st.RowsDone, st.RowsTotal)
			}
			d.Close()
			plains = append(plains, plainInserts(b, rows))
		}
	}
	rate, plain := median(rates), median(plains)
	perRow := float64(cpu.Microseconds()) / float64(initialRows*syncs)
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(plain, "plain-sqlite-rows/s")
	b.ReportMetric(rate/plain, "ratio")
	b.ReportMetric(perRow, "cpu-µs/row")
	b.Logf("initial sync of %d rows from PostgreSQL: %.0f rows/s end to end (median of %d; goal ≥ 100,000 and a ratio ≥ 0.4; runs %v); plain SQLite inserts of the same rows: %.0f rows/s; ratio %.2f; %.1f µs of CPU per row, device and server",
		initialRows, rate, len(rates), rounded(rates), plain, rate/plain, perRow)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func rounded(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x)
	}
	return out
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// plainInserts is the raw limit: the same rows inserted into one SQLite
// table (id primary key, payload) with the replica's pragmas, one prepared
// statement, one transaction.
func plainInserts(b *testing.B, rows [][2]string) float64 {
	b.Helper()
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "plain.db")+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE rows (id TEXT PRIMARY KEY, payload BLOB NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO rows (id, payload) VALUES (?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range rows {
		if _, err := stmt.Exec(r[0], []byte(r[1])); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return float64(len(rows)) / time.Since(start).Seconds()
}
