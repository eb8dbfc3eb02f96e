package gifts

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// CountOrders counts the gift orders placed by doctors of a region between
// from and to, for the directors' daily summary.
func CountOrders(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT count(*) FROM gift_orders o JOIN users u ON u.id = o.user_id
		WHERE u.region_id = $1 AND o.placed_at >= $2 AND o.placed_at < $3`, regionID, from.UnixMilli(), to.UnixMilli()).Scan(&n)
	return n, err
}
