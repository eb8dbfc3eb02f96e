package reports_test

import (
	"maps"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestFiguresEqualIndependentCounts: every figure of every scope, its
// previous period, every day of its series and its breakdown equal what the
// test counts from the rows it wrote, on both databases.
func TestFiguresEqualIndependentCounts(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d)
			scopes := []reports.Scope{{Region: "msk"}, {Region: "msk", Territory: "north"}, {Region: "msk", Territory: "south"}, {Region: "spb"}, {Region: "spb", Territory: "west"}}
			for _, period := range []string{"2026-11", "2026-W44", "2026-Q4", "2026-10-03..2026-11-17", "2026-11-12"} {
				for _, s := range scopes {
					r, err := w.reports.Report(w.ctx, staff, s, period)
					if err != nil {
						t.Fatalf("%s %v: %v", period, s, err)
					}
					figs, _ := reports.ModuleFigures()
					if len(r.Values) != len(figs) {
						t.Fatalf("%d values, want %d", len(r.Values), len(figs))
					}
					nonzero := 0
					for _, v := range r.Values {
						check(t, w, v, s, r.Period, r.Previous)
						if v.Current != 0 {
							nonzero++
						}
					}
					if period == "2026-Q4" && s == (reports.Scope{Region: "msk"}) && nonzero < len(r.Values) {
						t.Errorf("%v %s: only %d of %d figures are non-zero: the test data misses figures", s, period, nonzero, len(r.Values))
					}
				}
			}
		})
	}
}

func check(t *testing.T, w *world, v reports.Value, s reports.Scope, cur, prev reports.Period) {
	t.Helper()
	at := func(p reports.Period) time.Time {
		if w.now.Before(p.To) {
			return w.now
		}
		return p.To
	}
	if v.State {
		if want := w.state(v.Key, s, at(cur)); v.Current != want {
			t.Errorf("%s %v %s: %d, want %d", v.Key, s, cur.Name, v.Current, want)
		}
		if want := w.state(v.Key, s, at(prev)); v.Previous != want && v.Key != "overdue_results" {
			t.Errorf("%s %v previous %s: %d, want %d", v.Key, s, prev.Name, v.Previous, want)
		}
		return
	}
	from := func(p reports.Period) time.Time {
		if v.Key == "doctors" { // a level: everything before the end
			return time.Time{}
		}
		return p.From
	}
	want, by := w.expect(v.Key, s, from(cur), cur.To)
	if v.Current != want {
		t.Errorf("%s %v %s: %d, want %d", v.Key, s, cur.Name, v.Current, want)
	}
	if wantPrev, _ := w.expect(v.Key, s, from(prev), prev.To); v.Previous != wantPrev {
		t.Errorf("%s %v previous %s: %d, want %d", v.Key, s, prev.Name, v.Previous, wantPrev)
	}
	days := cur.Days()
	if len(v.Series) != len(days) {
		t.Fatalf("%s: %d points for %d days", v.Key, len(v.Series), len(days))
	}
	for i, day := range days {
		lo := day
		if v.Key == "doctors" {
			lo = time.Time{}
		}
		if want, _ := w.expect(v.Key, s, lo, day.AddDate(0, 0, 1)); v.Series[i].Value != want || v.Series[i].Day != day.Format(time.DateOnly) {
			t.Errorf("%s %v %s: %+v, want %d", v.Key, s, day.Format(time.DateOnly), v.Series[i], want)
		}
	}
	if len(by) > 0 && v.Key != "doctors" {
		got := map[string]int64{}
		for _, p := range v.By {
			got[p.Key] = p.Value
		}
		if !maps.Equal(got, by) {
			t.Errorf("%s %v by: %v, want %v", v.Key, s, got, by)
		}
	}
}

// TestBadInput: each bad request is refused with its code, naming what is
// wrong; an empty period gives zeros.
func TestBadInput(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			w := newWorld(t, d)
			for _, c := range []struct {
				who    syncengine.Principal
				scope  reports.Scope
				period string
				code   string
			}{
				{staff, reports.Scope{Region: "msk"}, "2026-11-20..2026-11-01", syncengine.EINVALID},
				{staff, reports.Scope{Region: "msk"}, "2024-01-01..2026-11-01", syncengine.EINVALID},
				{staff, reports.Scope{Region: "msk"}, "2026-13", syncengine.EINVALID},
				{staff, reports.Scope{Region: "msk"}, "november", syncengine.EINVALID},
				{staff, reports.Scope{Region: "kzn"}, "2026-11", syncengine.ENOTFOUND},
				{staff, reports.Scope{Region: "msk", Territory: "west"}, "2026-11", syncengine.ENOTFOUND},
				{staff, reports.Scope{Region: "msk", Territory: "nowhere"}, "2026-11", syncengine.ENOTFOUND},
				{other, reports.Scope{Region: "msk"}, "2026-11", syncengine.EPERMISSION},
				{other, reports.Scope{Region: "msk", Territory: "north"}, "2026-11", syncengine.EPERMISSION},
				{syncengine.Principal{UserID: "u01", Claims: nil}, reports.Scope{Region: "msk"}, "2026-11", syncengine.EPERMISSION},
			} {
				r, err := w.reports.Report(w.ctx, c.who, c.scope, c.period)
				if syncengine.ErrorCode(err) != c.code || r != nil {
					t.Errorf("%s %v %q: %v (%s), want %s", c.who.UserID, c.scope, c.period, err, syncengine.ErrorCode(err), c.code)
				}
			}
			r, err := w.reports.Report(w.ctx, director, reports.Scope{Region: "msk"}, "2020-02")
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range r.Values {
				if v.Key != "overdue_results" && v.Key != "verified_doctors" && (v.Current != 0 || v.Previous != 0) {
					t.Errorf("%s in an empty month: %d, previous %d", v.Key, v.Current, v.Previous)
				}
				if !v.State && len(v.Series) != 29 {
					t.Errorf("%s: %d points in February 2020", v.Key, len(v.Series))
				}
			}
		})
	}
}
