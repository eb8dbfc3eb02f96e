package reports_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
)

// benchSeed is a region of 100,000 doctors in 50 territories with 100 reps
// and a year of activity, written with set-based SQL ($1 is the start of
// the year, $2 its length in milliseconds).
var benchSeed = []string{
	`INSERT INTO regions (id, name, time_zone, created_at) VALUES ('msk', 'Москва', 'Europe/Moscow', 0), ('spb', 'Санкт-Петербург', 'Europe/Moscow', 0)`,
	`INSERT INTO territories (id, region_id, name, created_at) SELECT 't' || g, 'msk', 'Территория ' || g, 0 FROM generate_series(1, 50) g`,
	`INSERT INTO territories (id, region_id, name, created_at) VALUES ('spb-1', 'spb', 'Запад', 0)`,
	`INSERT INTO users (id, role, password_hash, display_name, region_id, created_at, updated_at) SELECT 'rep' || g, 'rep', '', 'Rep ' || g, 'msk', 0, 0 FROM generate_series(1, 100) g`,
	`INSERT INTO rep_territories (user_id, territory_id) SELECT 'rep' || g, 't' || (1 + (g - 1) % 50) FROM generate_series(1, 100) g`,
	`INSERT INTO users (id, role, password_hash, display_name, specialty, region_id, verified, created_at, updated_at)
		SELECT 'u' || g, 'doctor', '', 'Doctor ' || g, CASE WHEN g % 3 = 0 THEN 'cosmetology' ELSE 'dermatology' END, 'msk', g % 2 = 0,
			$1::bigint - 86400000::bigint * 365 + (g::bigint * 7919 * 1000) % ($2::bigint * 2), 0 FROM generate_series(1, 100000) g`,
	`INSERT INTO doctors (id, user_id, fields, full_name, territory_id, version, created_at, updated_at)
		SELECT 'd' || g, 'u' || g, '{}', 'Doctor ' || g, 't' || (1 + g % 50), 1, u.created_at, u.created_at FROM generate_series(1, 100000) g JOIN users u ON u.id = 'u' || g`,
	`INSERT INTO edit_requests (id, doctor_id, territory_id, proposer_id, base_version, changes, comment, status, created_at, decided_at)
		SELECT 'e' || g, 'd' || (1 + g % 100000), 't' || (1 + (g % 100000) % 50), 'rep' || (1 + g % 100), 1, '', '',
			(ARRAY['pending', 'approved', 'rejected', 'approved'])[1 + g % 4], $1::bigint + (g::bigint * 104729) % $2::bigint,
			CASE WHEN g % 4 = 0 THEN 0 ELSE $1::bigint + (g::bigint * 104729) % $2::bigint + (g % 4000) * 60000 END FROM generate_series(1, 200000) g`,
	`INSERT INTO doctor_history (id, doctor_id, n, action, actor_id, request_id, version, changes, note, at)
		SELECT 'h' || e.id, e.doctor_id, row_number() OVER (PARTITION BY e.doctor_id ORDER BY e.id), 'edit_approved', 'mod', e.id, 1, '', '', e.decided_at FROM edit_requests e WHERE e.status = 'approved'`,
	`INSERT INTO doctor_requests (id, doctor_id, rep_id, kind, message, created_at)
		SELECT 'r' || g, 'd' || (1 + (g * 7) % 100000), 'rep' || (1 + g % 100), 'update', '', $1::bigint + (g::bigint * 15485863) % $2::bigint FROM generate_series(1, 50000) g`,
	`INSERT INTO studies (id, title, description, visit_weeks, fields, points_per_result, region_id, created_by, created_at) VALUES ('acne', 'Acne', '', '[]', '[]', 0, '', 'mod', 0)`,
	`INSERT INTO study_enrolments (study_id, doctor_id, start_date, enrolled_at) SELECT 'acne', 'u' || g, '', $1::bigint + (g::bigint * 999983) % $2::bigint FROM generate_series(1, 100000, 3) g`,
	`INSERT INTO study_results (id, study_id, doctor_id, visit, due_date, status, submitted_at, overdue_reminded_at, reminder_at)
		SELECT 'sr' || en.doctor_id || '-' || v, 'acne', en.doctor_id, v, to_char(to_timestamp((en.enrolled_at + v * 14 * 86400000::bigint) / 1000) AT TIME ZONE 'Europe/Moscow', 'YYYY-MM-DD'),
			(ARRAY['owed', 'overdue', 'submitted', 'submitted'])[1 + (v + length(en.doctor_id)) % 4],
			CASE WHEN (v + length(en.doctor_id)) % 4 >= 2 THEN en.enrolled_at + v * 14 * 86400000::bigint ELSE 0 END, 0, 0
		FROM study_enrolments en CROSS JOIN generate_series(1, 3) v`,
	`INSERT INTO gift_waves (id, region_id, title, description, starts_at, ends_at, grace_ms, created_at, updated_at) VALUES ('wave', 'msk', 'Wave', '', 0, 1, 0, 0, 0)`,
	`INSERT INTO gift_orders (id, user_id, wave_id, territory_id, status, points_total, address, address_key, shipment_id, created_at, placed_at, updated_at)
		SELECT 'o' || g, 'u' || (1 + (g * 13) % 100000), 'wave', 't' || (1 + ((g * 13) % 100000) % 50), 'placed', 100 + g % 500, '', '', '', 0, $1::bigint + (g::bigint * 7919) % $2::bigint, 0
		FROM generate_series(1, 30000) g`,
	`INSERT INTO points_ledger (id, user_id, amount, source, source_id, reason, actor_id, balance_after, created_at)
		SELECT 'p' || g, 'u' || (1 + g % 100000), CASE WHEN g % 3 = 0 THEN -50 ELSE 100 END, 'bench', 'p' || g, '', '', 0, $1::bigint + (g::bigint * 31337) % $2::bigint FROM generate_series(1, 200000) g`,
	`INSERT INTO devices (id, user_id, name, platform, refresh_hash, refresh_expires_at, created_at, last_seen_at)
		SELECT 'dev' || g, 'u' || g, '', '', 'dev' || g, 0, 0, $1::bigint + (g::bigint * 65537) % $2::bigint FROM generate_series(1, 100000) g`,
	`INSERT INTO cases (id, author_id, status, content, product_key, specialty, version, created_at, updated_at, submitted_at, published_at)
		SELECT 'c' || g, 'u' || (1 + (g * 17) % 100000), 'published', '', 'cream', 'dermatology', 1, 0, 0, $1::bigint + (g::bigint * 7919) % $2::bigint,
			$1::bigint + (g::bigint * 7919) % $2::bigint + 86400000 FROM generate_series(1, 20000) g`,
	`ANALYZE`,
}

// BenchmarkRegionReport: one region's monthly report with every figure,
// its previous month, the daily series and the drill-down lists, over a
// region of 100,000 doctors on PostgreSQL. The raw limit beside it is one
// indexed count of the month's edits in the region.
func BenchmarkRegionReport(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, moscow)
	store := servertest.Store(b, syncengine.Postgres, func() time.Time { return now }, reports.Schema())
	start := time.Date(2025, 12, 10, 0, 0, 0, 0, moscow)
	seedStart := time.Now()
	err := store.Update(ctx, func(tx syncengine.Tx) error {
		for _, q := range benchSeed {
			if _, err := tx.Exec(ctx, q, argsOf(q, start.UnixMilli(), now.Sub(start).Milliseconds())...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Autovacuum brings a database in service to this state (statistics,
	// visibility map); a bulk load followed by the benchmark would not.
	if _, err := store.(*postgres.Store).Pool().Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	counts := map[string]int64{}
	err = store.View(ctx, func(q syncengine.Querier) error {
		for _, t := range []string{"doctors", "territories", "rep_territories", "edit_requests", "doctor_history", "doctor_requests", "study_results", "gift_orders", "points_ledger", "devices", "cases"} {
			var n int64
			if err := q.QueryRow(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
				return err
			}
			counts[t] = n
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded in %v: %v", time.Since(seedStart).Round(time.Millisecond), counts)
	figs, lists := reports.ModuleFigures()
	svc := reports.New(reports.Config{Store: store, Figures: figs, Lists: lists, Now: func() time.Time { return now }})
	month := reports.Month(time.Date(2026, 11, 1, 0, 0, 0, 0, moscow))

	// The raw limit: one indexed count over the same month.
	rawStart := time.Now()
	const rawRuns = 20
	for range rawRuns {
		err := store.View(ctx, func(q syncengine.Querier) error {
			var n int64
			return q.QueryRow(ctx, `SELECT count(*) FROM edit_requests WHERE territory_id IN (SELECT id FROM territories WHERE region_id = 'msk') AND created_at >= $1 AND created_at < $2`,
				month.From.UnixMilli(), month.To.UnixMilli()).Scan(&n)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	raw := time.Since(rawStart) / rawRuns

	// Each figure alone, to name the slowest.
	for _, f := range figs {
		one := reports.New(reports.Config{Store: store, Figures: []figure.Figure{f}, Now: func() time.Time { return now }})
		t0 := time.Now()
		if _, err := one.Report(ctx, staff, reports.Scope{Region: "msk"}, "2026-11"); err != nil {
			b.Fatal(err)
		}
		if d := time.Since(t0); d > 20*time.Millisecond {
			b.Logf("figure %s: %v", f.Key, d.Round(time.Millisecond))
		}
	}
	for _, l := range lists {
		one := reports.New(reports.Config{Store: store, Lists: []figure.List{l}, Now: func() time.Time { return now }})
		t0 := time.Now()
		if _, err := one.Report(ctx, staff, reports.Scope{Region: "msk"}, "2026-11"); err != nil {
			b.Fatal(err)
		}
		b.Logf("list %s: %v", l.Key, time.Since(t0).Round(time.Millisecond))
	}

	b.ResetTimer()
	var r *reports.Report
	for b.Loop() {
		if r, err = svc.Report(ctx, staff, reports.Scope{Region: "msk"}, "2026-11"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/report")
	b.ReportMetric(float64(per)/float64(raw), "x-raw-count")
	b.Logf("region report (%d figures, %d-day series, %d lists): %v per report; one raw indexed count %v (%.0fx); goal 300ms",
		len(r.Values), len(r.Values[0].Series), len(r.Lists), per.Round(time.Millisecond), raw.Round(time.Microsecond), float64(per)/float64(raw))
}

// argsOf passes the year's bounds to the statements that use them.
func argsOf(q string, from, span int64) []any {
	switch {
	case strings.Contains(q, "$2"):
		return []any{from, span}
	case strings.Contains(q, "$1"):
		return []any{from}
	}
	return nil
}
