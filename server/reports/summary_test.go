package reports_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestDailySummaryEqualsReport: the daily summary push of a day carries
// the numbers of that day's report, on both databases.
func TestDailySummaryEqualsReport(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d)
			// A doctor who registers and submits a case on the day.
			at := time.Date(2026, 12, 9, 10, 0, 0, 0, moscow).UnixMilli()
			w.exec(`INSERT INTO users (id, role, password_hash, display_name, region_id, created_at, updated_at) VALUES ('new', 'doctor', '', 'New', 'msk', $1, $1)`, at)
			w.exec(`INSERT INTO cases (id, author_id, status, content, version, created_at, updated_at, submitted_at) VALUES ('new-case', 'new', 'submitted', $1, 1, $2, $2, $2)`, []byte{}, at)
			sums := notify.NewSummaries(w.store, 9)
			keys := []string{notify.FigureNewDoctors, notify.FigureApprovedEdits, notify.FigureCasesSubmitted,
				notify.FigureCasesPublished, notify.FigureOverdueResults, notify.FigureGiftOrders}
			for _, k := range keys {
				sums.Register(k, w.reports.Counter(k))
			}
			if err := sums.SendDue(w.ctx, w.now); err != nil {
				t.Fatal(err)
			}
			var raw string
			err := w.store.View(w.ctx, func(q syncengine.Querier) error {
				return q.QueryRow(w.ctx, `SELECT params FROM notifications WHERE user_id = 'dir-msk' AND kind = $1`, notify.KindDailySummary).Scan(&raw)
			})
			if err != nil {
				t.Fatal(err)
			}
			var params map[string]string
			if err := json.Unmarshal([]byte(raw), &params); err != nil {
				t.Fatal(err)
			}
			day := params["date"]
			r, err := w.reports.Report(w.ctx, staff, reports.Scope{Region: "msk"}, day)
			if err != nil {
				t.Fatal(err)
			}
			nonzero := 0
			for _, v := range r.Values {
				for _, k := range keys {
					if v.Key == k {
						if params[k] != strconv.FormatInt(v.Current, 10) {
							t.Errorf("%s on %s: summary %s, report %d", k, day, params[k], v.Current)
						}
						if v.Current > 0 {
							nonzero++
						}
					}
				}
			}
			if day != "2026-12-09" || nonzero < 3 {
				t.Errorf("summary of %s with %d non-zero figures: the test data is too thin", day, nonzero)
			}
		})
	}
}
