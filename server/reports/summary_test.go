package reports_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	reportsv1 "github.com/ordinatorhq/ordinator/api/ordinator/reports/v1"
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

// TestDailySummaryRefreshesSnapshot: the daily summary rewrites the
// snapshots of the region it reports on before its push goes out, into the
// buckets of that region's directors only, and once per day, on both
// databases.
func TestDailySummaryRefreshesSnapshot(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d)
			sums := notify.NewSummaries(w.store, 9)
			sums.Register(notify.FigureApprovedEdits, w.reports.Counter(notify.FigureApprovedEdits))
			sums.Refresh(w.reports.WriteRegionSnapshots)
			if got := w.snapshots("dir-msk"); len(got) != 0 {
				t.Fatalf("snapshots before any summary: %v", got)
			}
			if err := sums.SendDue(w.ctx, w.now); err != nil {
				t.Fatal(err)
			}
			got := w.snapshots("dir-msk")
			for _, id := range []string{"msk:week", "msk:month", "msk/north:week", "msk/north:month", "msk/south:week", "msk/south:month"} {
				snap, ok := got[id]
				if !ok {
					t.Fatalf("no snapshot %s after the summary: %v", id, got)
				}
				if snap.ComputedAt != w.now.UnixMilli() {
					t.Errorf("%s computed at %d, the summary ran at %d", id, snap.ComputedAt, w.now.UnixMilli())
				}
			}
			if len(got) != 6 {
				t.Errorf("msk's director holds %d snapshots, want 6", len(got))
			}
			month := got["msk:month"].Report
			r, err := w.reports.Report(w.ctx, staff, reports.Scope{Region: "msk"}, month.Period.Name)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range r.Values {
				if f := month.Figures[i]; f.Key != v.Key || f.Current != v.Current || f.Previous != v.Previous {
					t.Errorf("snapshot %s %d/%d, report %s %d/%d", f.Key, f.Current, f.Previous, v.Key, v.Current, v.Previous)
				}
			}
			for id := range w.snapshots("dir-spb") {
				if id[:3] != "spb" {
					t.Errorf("spb's director holds %s", id)
				}
			}
			// A second run the same day sends nothing and rewrites nothing.
			later := w.now.Add(time.Hour)
			if err := sums.SendDue(w.ctx, later); err != nil {
				t.Fatal(err)
			}
			if snap := w.snapshots("dir-msk")["msk:month"]; snap.ComputedAt != w.now.UnixMilli() {
				t.Errorf("the snapshot was rewritten at %d by a summary already sent", snap.ComputedAt)
			}
		})
	}
}

// snapshots are the report snapshots a user's bucket holds now, by id.
func (w *world) snapshots(user string) map[string]*reportsv1.ReportSnapshot {
	w.t.Helper()
	out := map[string]*reportsv1.ReportSnapshot{}
	cursor := syncengine.Cursor{Bucket: syncengine.UserBucket(user)}
	for {
		res, err := w.store.Read(w.ctx, syncengine.ReadRequest{UserID: user, ClientID: "test", Cursors: []syncengine.Cursor{cursor}, MaxRows: 1000, MaxBytes: 1 << 24})
		if err != nil {
			w.t.Fatal(err)
		}
		for _, c := range res.Changes {
			if c.Collection != reports.SnapshotCollection {
				continue
			}
			if c.Op == syncengine.OpDelete {
				delete(out, c.RecordID)
				continue
			}
			snap := &reportsv1.ReportSnapshot{}
			if err := proto.Unmarshal(c.Payload, snap); err != nil {
				w.t.Fatal(err)
			}
			out[c.RecordID] = snap
		}
		if !res.HasMore {
			return out
		}
		cursor = res.Cursors[0]
	}
}
