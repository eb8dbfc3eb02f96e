package cases

import (
	"cmp"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/internal/csvcell"
	"github.com/ordinatorhq/ordinator/rules/specialty"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// ExportFilter narrows an export; zero values mean all.
type ExportFilter struct {
	Specialty string
	From, To  time.Time // published at or after From, before To
}

// check refuses a filter that could only select nothing by mistake: an
// unknown specialty, or a window that ends before it starts.
func (f ExportFilter) check() error {
	if f.Specialty != "" && !specialty.Known(f.Specialty) {
		return syncengine.Invalid("unknown specialty", syncengine.Violation{Field: "specialty", Description: specialty.Problem(f.Specialty)})
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return syncengine.Invalid("the period ends before it starts", syncengine.Violation{Field: "from", Description: "must be before to"})
	}
	return nil
}

// outcomes are the export's outcome columns, in order.
var outcomes = []casesv1.Outcome{
	casesv1.Outcome_OUTCOME_CLEARED,
	casesv1.Outcome_OUTCOME_MARKED_IMPROVEMENT,
	casesv1.Outcome_OUTCOME_PARTIAL_IMPROVEMENT,
	casesv1.Outcome_OUTCOME_NO_CHANGE,
	casesv1.Outcome_OUTCOME_WORSENED,
}

// ProductRow is one product's figures.
type ProductRow struct {
	// Product is the most common spelling of the product among its cases.
	Product string
	Cases   int
	// Outcomes counts the cases per outcome, in the order of outcomes.
	Outcomes [5]int
	// MedianDurationDays is the median length of treatment.
	MedianDurationDays int
}

// Report is the export: published cases per product, most cases first.
type Report struct {
	Rows  []ProductRow
	Cases int
}

// Export aggregates published cases per product for the manufacturer:
// counts, outcomes and treatment length, nothing about patients or
// authors. Admins may.
func (s *Service) Export(ctx context.Context, p syncengine.Principal, f ExportFilter) (Report, error) {
	if err := auth.Require(p, auth.RoleAdmin); err != nil {
		return Report{}, err
	}
	if err := f.check(); err != nil {
		return Report{}, err
	}
	var from, to int64
	if !f.From.IsZero() {
		from = f.From.UnixMilli()
	}
	if !f.To.IsZero() {
		to = f.To.UnixMilli()
	}
	type group struct {
		row       ProductRow
		spellings map[string]int
		durations []int
	}
	groups := map[string]*group{}
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT product_key, product, outcome, duration_days FROM cases
			WHERE status = 'published' AND (specialty = $1 OR $1 = '') AND published_at >= $2 AND (published_at < $3 OR $3 = 0)`,
			f.Specialty, from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key, product string
			var outcome, duration int64
			if err := rows.Scan(&key, &product, &outcome, &duration); err != nil {
				return err
			}
			g := groups[key]
			if g == nil {
				g = &group{spellings: map[string]int{}}
				groups[key] = g
			}
			g.row.Cases++
			g.spellings[product]++
			if i := slices.Index(outcomes, casesv1.Outcome(outcome)); i >= 0 {
				g.row.Outcomes[i]++
			}
			if duration > 0 {
				g.durations = append(g.durations, int(duration))
			}
		}
		return rows.Err()
	})
	if err != nil {
		return Report{}, err
	}
	var r Report
	for _, g := range groups {
		g.row.Product = mostCommon(g.spellings)
		g.row.MedianDurationDays = median(g.durations)
		r.Rows = append(r.Rows, g.row)
		r.Cases += g.row.Cases
	}
	slices.SortFunc(r.Rows, func(a, b ProductRow) int {
		return cmp.Or(cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.Product, b.Product))
	})
	return r, nil
}

func mostCommon(counts map[string]int) string {
	best, n := "", 0
	for s, c := range counts {
		if c > n || (c == n && s < best) {
			best, n = s, c
		}
	}
	return best
}

func median(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

// CSVHeader is the export's first line.
var CSVHeader = []string{"product", "cases", "cleared", "marked_improvement", "partial_improvement", "no_change", "worsened", "median_duration_days"}

// WriteCSV writes the report as CSV with a header line.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, row := range r.Rows {
		rec := []string{csvcell.Safe(row.Product), strconv.Itoa(row.Cases)}
		for _, n := range row.Outcomes {
			rec = append(rec, strconv.Itoa(n))
		}
		rec = append(rec, strconv.Itoa(row.MedianDurationDays))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
