package cases

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// CountSubmitted counts the cases doctors of a region submitted between
// from and to, for the directors' daily summary.
func CountSubmitted(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	return countCases(ctx, q, "submitted_at", regionID, from, to)
}

// CountPublished counts the cases of a region's doctors published between
// from and to.
func CountPublished(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	return countCases(ctx, q, "published_at", regionID, from, to)
}

func countCases(ctx context.Context, q syncengine.Querier, column, regionID string, from, to time.Time) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT count(*) FROM cases c JOIN users u ON u.id = c.author_id
		WHERE u.region_id = $1 AND c.`+column+` > 0 AND c.`+column+` >= $2 AND c.`+column+` < $3`, regionID, from.UnixMilli(), to.UnixMilli()).Scan(&n)
	return n, err
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
