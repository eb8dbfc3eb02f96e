package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// MaxSpan is the longest period a report covers.
const MaxSpan = 2 * 366 * 24 * time.Hour

// Period is a range of local days: From inclusive, To exclusive, both
// local midnights.
type Period struct {
	Name     string // "2026-11", "2026-W45", "2026-Q4", "2026-11-05", "2026-11-01..2026-11-20"
	From, To time.Time
	kind     string
}

// Days are the period's local days.
func (p Period) Days() []time.Time {
	var out []time.Time
	for d := p.From; d.Before(p.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// ParsePeriod reads a period in a region's time zone: a day (2026-11-05),
// an ISO week (2026-W45), a month (2026-11), a quarter (2026-Q4) or a
// custom range of days, both included (2026-11-01..2026-11-20).
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	bad := func(why string) (Period, error) {
		return Period{}, syncengine.Invalid("bad period", syncengine.Violation{Field: "period", Description: fmt.Sprintf("%q: %s", s, why)})
	}
	day := func(v string) (time.Time, bool) {
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		return t, err == nil
	}
	if a, b, ok := strings.Cut(s, ".."); ok {
		from, ok1 := day(a)
		last, ok2 := day(b)
		if !ok1 || !ok2 {
			return bad("a range is two dates YYYY-MM-DD..YYYY-MM-DD")
		}
		return Range(from, last.AddDate(0, 0, 1))
	}
	if t, ok := day(s); ok {
		return Period{Name: s, From: t, To: t.AddDate(0, 0, 1), kind: "day"}, nil
	}
	if y, rest, ok := strings.Cut(s, "-"); ok && len(y) == 4 {
		year, err := strconv.Atoi(y)
		if err != nil {
			return bad("the year is not a number")
		}
		switch {
		case strings.HasPrefix(rest, "W"):
			w, err := strconv.Atoi(rest[1:])
			if err != nil || w < 1 || w > 53 {
				return bad("the week is 1 to 53")
			}
			return Week(year, w, loc), nil
		case strings.HasPrefix(rest, "Q"):
			q, err := strconv.Atoi(rest[1:])
			if err != nil || q < 1 || q > 4 {
				return bad("the quarter is 1 to 4")
			}
			from := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, loc)
			return Period{Name: s, From: from, To: from.AddDate(0, 3, 0), kind: "quarter"}, nil
		default:
			m, err := strconv.Atoi(rest)
			if err != nil || m < 1 || m > 12 {
				return bad("the month is 01 to 12")
			}
			return Month(time.Date(year, time.Month(m), 1, 0, 0, 0, 0, loc)), nil
		}
	}
	return bad("use 2026-11-05, 2026-W45, 2026-11, 2026-Q4 or 2026-11-01..2026-11-20")
}

// Range is the custom period from (inclusive) to (exclusive), local
// midnights; it may not end before it starts nor span over two years.
func Range(from, to time.Time) (Period, error) {
	switch {
	case !to.After(from):
		return Period{}, syncengine.Invalid("bad period", syncengine.Violation{Field: "period", Description: "the period ends before it starts"})
	case to.Sub(from) > MaxSpan:
		return Period{}, syncengine.Invalid("bad period", syncengine.Violation{Field: "period", Description: "a report covers at most two years"})
	}
	return Period{Name: from.Format(time.DateOnly) + ".." + to.AddDate(0, 0, -1).Format(time.DateOnly), From: from, To: to, kind: "range"}, nil
}

// Month is the calendar month holding t.
func Month(t time.Time) Period {
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	return Period{Name: from.Format("2006-01"), From: from, To: from.AddDate(0, 1, 0), kind: "month"}
}

// Week is ISO week w of year.
func Week(year, w int, loc *time.Location) Period {
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
	y, n := monday.ISOWeek()
	return Period{Name: fmt.Sprintf("%d-W%02d", y, n), From: monday, To: monday.AddDate(0, 0, 7), kind: "week"}
}

// WeekOf is the ISO week holding t.
func WeekOf(t time.Time) Period {
	y, w := t.ISOWeek()
	return Week(y, w, t.Location())
}

// Previous is the period of the same kind just before p: the previous
// month, week or quarter, or as many days just before a range.
func (p Period) Previous() Period {
	switch p.kind {
	case "month":
		return Month(p.From.AddDate(0, -1, 0))
	case "week":
		return WeekOf(p.From.AddDate(0, 0, -7))
	case "quarter":
		from := p.From.AddDate(0, -3, 0)
		return Period{Name: fmt.Sprintf("%d-Q%d", from.Year(), (int(from.Month())+2)/3), From: from, To: p.From, kind: "quarter"}
	case "day":
		from := p.From.AddDate(0, 0, -1)
		return Period{Name: from.Format(time.DateOnly), From: from, To: p.From, kind: "day"}
	}
	days := len(p.Days())
	from := p.From.AddDate(0, 0, -days)
	return Period{Name: from.Format(time.DateOnly) + ".." + p.From.AddDate(0, 0, -1).Format(time.DateOnly), From: from, To: p.From, kind: "range"}
}
