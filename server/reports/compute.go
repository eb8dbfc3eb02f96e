package reports

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Value is one figure of a report: the period's value, the previous
// period's, the breakdown and the daily series of the period.
type Value struct {
	Key, Label, Group string
	// State figures are a state at the period's end (or now, if sooner).
	State             bool
	Current, Previous int64
	By                []Part
	Series            []Point
}

// Part is one key of a breakdown (a specialty, a product, a study).
type Part struct {
	Key   string
	Value int64
}

// Point is the value of one local day.
type Point struct {
	Day   string // YYYY-MM-DD
	Value int64
}

// window is what one figure is computed over: the previous period and the
// current one, back to back, and the time states are read at.
type window struct {
	prev, cur Period
	now       time.Time
}

func (w window) stateAt(p Period) time.Time {
	if w.now.Before(p.To) {
		return w.now
	}
	return p.To
}

// compute computes one figure over w.
func compute(ctx context.Context, q syncengine.Querier, f figure.Figure, s figure.Scope, w window) (Value, error) {
	v := Value{Key: f.Key, Label: f.Label, Group: f.Group}
	if f.State != nil {
		v.State = true
		n, err := f.State(ctx, q, s, []time.Time{w.stateAt(w.cur), w.stateAt(w.prev)})
		if err != nil {
			return v, err
		}
		v.Current, v.Previous = n[0], n[1]
		return v, nil
	}
	e := f.Events(s)
	evs, err := events(ctx, q, e, s, w)
	if err != nil {
		return v, err
	}
	var base int64
	if e.Cumulative {
		if err := q.QueryRow(ctx, `SELECT count(*) `+e.From+` AND `+e.At+` < $2`, s.Arg(), w.prev.From.UnixMilli()).Scan(&base); err != nil {
			return v, err
		}
	}
	days := append(w.prev.Days(), w.cur.Days()...)
	names := make([]string, len(days))
	for i, d := range days {
		names[i] = d.Format(time.DateOnly)
	}
	split := len(w.prev.Days())
	perDay := make([][]event, len(days))
	for _, ev := range evs {
		i := ev.day
		if i < 0 {
			i = sort.SearchStrings(names, ev.date)
			if i >= len(names) || names[i] != ev.date {
				continue
			}
		}
		perDay[i] = append(perDay[i], ev)
	}
	agg := func(lo, hi int) int64 {
		var all []event
		for _, d := range perDay[lo:hi] {
			all = append(all, d...)
		}
		return aggregate(e.Aggregate, all)
	}
	if e.Cumulative {
		v.Previous = base + agg(0, split)
		v.Current = v.Previous + agg(split, len(days))
		level := v.Previous
		for i := split; i < len(days); i++ {
			level += agg(i, i+1)
			v.Series = append(v.Series, Point{Day: names[i], Value: level})
		}
	} else {
		v.Previous, v.Current = agg(0, split), agg(split, len(days))
		for i := split; i < len(days); i++ {
			v.Series = append(v.Series, Point{Day: names[i], Value: agg(i, i+1)})
		}
	}
	if e.By != "" {
		parts := map[string][]event{}
		for _, d := range perDay[split:] {
			for _, ev := range d {
				parts[ev.by] = append(parts[ev.by], ev)
			}
		}
		for k, evs := range parts {
			v.By = append(v.By, Part{Key: k, Value: aggregate(e.Aggregate, evs)})
		}
		slices.SortFunc(v.By, func(a, b Part) int {
			if a.Value != b.Value {
				return int(b.Value - a.Value)
			}
			if a.Key < b.Key {
				return -1
			}
			return 1
		})
	}
	return v, nil
}

// event is one row (or, for counts and sums, one group of rows) of a
// figure's events: its day (an index into the window's days, or a date),
// its breakdown key, and its value.
type event struct {
	day   int
	date  string
	by    string
	value int64
	key   string // Distinct: the value counted once
	n     int64  // rows in the group
}

// events reads the figure's events over the window: counts and sums
// grouped by hour (or date) in the database, distinct keys and median
// values row by row.
func events(ctx context.Context, q syncengine.Querier, e figure.Events, s figure.Scope, w window) ([]event, error) {
	by := "''"
	if e.By != "" {
		by = "COALESCE(" + e.By + ", '')"
	}
	var sel, where, group string
	var lo, hi any
	if e.Day != "" {
		sel, lo, hi = e.Day, w.prev.From.Format(time.DateOnly), w.cur.To.Format(time.DateOnly)
		where = e.Day
	} else {
		sel, lo, hi = "("+e.At+" - $2) / 3600000", w.prev.From.UnixMilli(), w.cur.To.UnixMilli()
		where = e.At
	}
	switch e.Aggregate {
	case figure.Count:
		sel += ", " + by + ", count(*), '', count(*)"
		group = " GROUP BY 1, 2"
	case figure.Sum:
		sel += ", " + by + ", CAST(COALESCE(sum(" + e.Value + "), 0) AS BIGINT), '', count(*)"
		group = " GROUP BY 1, 2"
	case figure.Distinct:
		sel = "DISTINCT " + sel + ", " + by + ", 0, CAST(" + e.Value + " AS TEXT), 1"
	case figure.Median:
		sel += ", " + by + ", CAST(" + e.Value + " AS BIGINT), '', 1"
	}
	rows, err := q.Query(ctx, `SELECT `+sel+` `+e.From+` AND `+where+` >= $2 AND `+where+` < $3`+group, s.Arg(), lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bounds := append(append(w.prev.Days(), w.cur.Days()...), w.cur.To)
	var out []event
	for rows.Next() {
		var ev event
		if e.Day != "" {
			err = rows.Scan(&ev.date, &ev.by, &ev.value, &ev.key, &ev.n)
			ev.day = -1
		} else {
			var hour int64
			err = rows.Scan(&hour, &ev.by, &ev.value, &ev.key, &ev.n)
			at := w.prev.From.Add(time.Duration(hour) * time.Hour)
			ev.day = sort.Search(len(bounds), func(i int) bool { return bounds[i].After(at) }) - 1
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

func aggregate(a figure.Aggregate, evs []event) int64 {
	switch a {
	case figure.Distinct:
		seen := map[string]bool{}
		for _, ev := range evs {
			seen[ev.key] = true
		}
		return int64(len(seen))
	case figure.Median:
		if len(evs) == 0 {
			return 0
		}
		vals := make([]int64, len(evs))
		for i, ev := range evs {
			vals[i] = ev.value
		}
		slices.Sort(vals)
		return vals[len(vals)/2]
	}
	var n int64
	for _, ev := range evs {
		n += ev.value
	}
	return n
}
