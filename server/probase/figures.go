package probase

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// CountApprovedEdits counts the edit requests approved in a region between
// from and to, for the directors' daily summary.
func CountApprovedEdits(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT count(*) FROM edit_requests e JOIN territories t ON t.id = e.territory_id
		WHERE e.status = 'approved' AND t.region_id = $1 AND e.decided_at >= $2 AND e.decided_at < $3`,
		regionID, from.UnixMilli(), to.UnixMilli()).Scan(&n)
	return n, err
}
