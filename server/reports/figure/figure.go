// Package figure describes one statistic of the directors' reports as the
// module that owns its tables declares it: the SQL of its events or of its
// state, for a region or one territory. server/reports computes every
// registered figure for a period, the period before it and a daily series;
// the daily summary push reads the same figures, so the two never disagree.
package figure

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Scope is where a figure counts: a region, or one territory of it. Every
// figure's SQL takes the scope's id as $1.
type Scope struct {
	Region    string
	Territory string // "" for the whole region
}

// Arg is the scope's id, the $1 of every figure's SQL.
func (s Scope) Arg() string {
	if s.Territory != "" {
		return s.Territory
	}
	return s.Region
}

// Territories is the condition "column names a territory of the scope".
func (s Scope) Territories(column string) string {
	if s.Territory != "" {
		return column + " = $1"
	}
	return column + " IN (SELECT id FROM territories WHERE region_id = $1)"
}

// Doctors is the condition "column names a doctor's account of the scope":
// for a region, the doctors registered in it; for a territory, the
// accounts linked to the territory's directory entries.
func (s Scope) Doctors(column string) string {
	if s.Territory != "" {
		return column + " IN (SELECT user_id FROM doctors WHERE territory_id = $1 AND user_id IS NOT NULL)"
	}
	return column + " IN (SELECT id FROM users WHERE role = 'doctor' AND region_id = $1)"
}

// Users is Doctors for a figure on the users table itself (alias its
// name): for a region a condition on the row, not a join of users with
// users, so a region's new doctors are one index range.
func (s Scope) Users(alias string) string {
	if s.Territory != "" {
		return s.Doctors(alias + ".id")
	}
	return alias + ".role = 'doctor' AND " + alias + ".region_id = $1"
}

// Aggregate is how a figure's events make its value.
type Aggregate int

const (
	Count    Aggregate = iota // the number of events
	Sum                       // the sum of Value over the events
	Distinct                  // the number of distinct Value among the events
	Median                    // the median of Value (milliseconds, say) over the events
)

// Events are what a figure counts over a period: the rows From selects,
// at the time At.
type Events struct {
	// From is "FROM … WHERE …" selecting the scope's events, $1 the scope;
	// the period's bounds are added to it on At.
	From string
	// At is the event's time (unix milliseconds), or else Day its local
	// date (a YYYY-MM-DD column: a study result's due date).
	At  string
	Day string
	// Aggregate and Value: Count needs no Value.
	Aggregate Aggregate
	Value     string
	// By, when set, is the column the period's value is broken down by
	// (specialty, product, study).
	By string
	// Cumulative figures are levels: their value at a time is every event
	// before it (doctors in the territory = doctors created so far).
	Cumulative bool
}

// Figure is one statistic. Exactly one of Events and State is set.
type Figure struct {
	Key   string // stable name: "approved_edits", a summary push's param
	Label string // English label for exports and the console
	Group string // reps, doctors, studies, cases, gifts
	// Events of the figure, for a scope.
	Events func(Scope) Events
	// State counts how things stood at each of the times at (overdue
	// results, doctors not touched for 90 days), one value per time: a
	// period's value is the state at its end. A report asks for the ends
	// of the period and of the one before, so a state reads its rows once
	// for both (see CountAt).
	State func(ctx context.Context, q syncengine.Querier, s Scope, at []time.Time) ([]int64, error)
}

// Groups of figures, in the order reports show them.
const (
	GroupReps    = "reps"
	GroupDoctors = "doctors"
	GroupStudies = "studies"
	GroupCases   = "cases"
	GroupGifts   = "gifts"
)

// List is a drill-down table: which doctors, which reps.
type List struct {
	Key     string
	Title   string
	Columns []string
	// Rows lists the scope's rows at a time, at most limit of them.
	Rows func(ctx context.Context, q syncengine.Querier, s Scope, at time.Time, limit int) ([][]string, error)
}

// Rows reads a drill-down query's rows of n text columns.
func Rows(ctx context.Context, q syncengine.Querier, query string, n int, args ...any) ([][]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		row := make([]string, n)
		dest := make([]any, n)
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// Total is a counting figure's value for a region from from to to (a
// state figure's at to), as a module's own tests and callers read it; the
// reports compute the same SQL with series and breakdowns.
func Total(ctx context.Context, q syncengine.Querier, figs []Figure, key, regionID string, from, to time.Time) (int64, error) {
	s := Scope{Region: regionID}
	for _, f := range figs {
		if f.Key != key {
			continue
		}
		if f.State != nil {
			n, err := f.State(ctx, q, s, []time.Time{to})
			if err != nil {
				return 0, err
			}
			return n[0], nil
		}
		e := f.Events(s)
		var n int64
		err := q.QueryRow(ctx, `SELECT count(*) `+e.From+` AND `+e.At+` >= $2 AND `+e.At+` < $3`, s.Arg(), from.UnixMilli(), to.UnixMilli()).Scan(&n)
		return n, err
	}
	return 0, syncengine.Errorf(syncengine.ENOTFOUND, "no figure %q", key)
}

// Args are a query's values after the scope's $1.
type Args struct{ vals []any }

// NewArgs starts a query's values with the scope's id, $1.
func NewArgs(s Scope) *Args { return &Args{vals: []any{s.Arg()}} }

// Add appends a value and answers its placeholder.
func (a *Args) Add(v any) string {
	a.vals = append(a.vals, v)
	return "$" + strconv.Itoa(len(a.vals))
}

// Values are the query's arguments.
func (a *Args) Values() []any { return a.vals }

// CountAt counts, in one scan, the rows of from ("FROM … WHERE …", its
// values in args) for which each of conds holds: one count per condition,
// the state at each time a report asks for. The rows are narrowed to those
// for which some condition holds, so an index on its columns can serve.
func CountAt(ctx context.Context, q syncengine.Querier, args *Args, from string, conds []string) ([]int64, error) {
	sums := make([]string, len(conds))
	for i, c := range conds {
		sums[i] = "COALESCE(SUM(CASE WHEN " + c + " THEN 1 ELSE 0 END), 0)"
	}
	out := make([]int64, len(conds))
	dest := make([]any, len(conds))
	for i := range out {
		dest[i] = &out[i]
	}
	err := q.QueryRow(ctx, `SELECT `+strings.Join(sums, ", ")+` `+from+` AND ((`+strings.Join(conds, ") OR (")+`))`, args.Values()...).Scan(dest...)
	return out, err
}

// Same is a state that does not depend on the time (results overdue now):
// counted once, the value of every time.
func Same(n int64, at []time.Time) []int64 {
	out := make([]int64, len(at))
	for i := range out {
		out[i] = n
	}
	return out
}
