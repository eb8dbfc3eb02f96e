package cases

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// CountSubmitted counts the cases doctors of a region submitted between
// from and to (the cases_submitted figure).
func CountSubmitted(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	return figure.Total(ctx, q, Figures(), "cases_submitted", regionID, from, to)
}

// CountPublished counts the cases of a region's doctors published between
// from and to (the cases_published figure).
func CountPublished(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	return figure.Total(ctx, q, Figures(), "cases_published", regionID, from, to)
}

// Figures are the clinical cases' figures of the directors' reports.
func Figures() []figure.Figure {
	cases := func(cond, at, by string) func(figure.Scope) figure.Events {
		return func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM cases c WHERE ` + s.Doctors("c.author_id") + cond, At: at, By: by}
		}
	}
	return []figure.Figure{
		{Key: "cases_submitted", Label: "Cases submitted", Group: figure.GroupCases, Events: cases(" AND c.submitted_at > 0", "c.submitted_at", "c.product_key")},
		{Key: "cases_published", Label: "Cases published", Group: figure.GroupCases, Events: cases(" AND c.published_at > 0", "c.published_at", "c.specialty")},
		{Key: "cases_rejected", Label: "Cases rejected", Group: figure.GroupCases, Events: cases(" AND c.status = 'rejected'", "c.updated_at", "c.product_key")},
	}
}
