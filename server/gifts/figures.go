package gifts

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// CountOrders counts the gift orders placed by doctors of a region between
// from and to (the gift_orders figure).
func CountOrders(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	return figure.Total(ctx, q, Figures(), "gift_orders", regionID, from, to)
}

// Figures are the gift waves' figures of the directors' reports.
func Figures() []figure.Figure {
	shipped := func(at string) func(figure.Scope) figure.Events {
		return func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM gift_order_lines l JOIN gift_orders o ON o.id = l.order_id JOIN gift_shipments sh ON sh.id = o.shipment_id
				WHERE ` + at + ` > 0 AND ` + s.Doctors("o.user_id"), At: at, Aggregate: figure.Sum, Value: "l.quantity", By: "o.territory_id"}
		}
	}
	return []figure.Figure{
		{Key: "gift_orders", Label: "Gift orders", Group: figure.GroupGifts, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM gift_orders o WHERE ` + s.Doctors("o.user_id"), At: "o.placed_at", By: "o.territory_id"}
		}},
		{Key: "gift_points_spent", Label: "Points spent on gifts", Group: figure.GroupGifts, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM gift_orders o WHERE o.status <> 'cancelled' AND ` + s.Doctors("o.user_id"), At: "o.placed_at", Aggregate: figure.Sum, Value: "o.points_total", By: "o.territory_id"}
		}},
		{Key: "items_shipped", Label: "Items shipped", Group: figure.GroupGifts, Events: shipped("sh.shipped_at")},
		{Key: "items_delivered", Label: "Items delivered", Group: figure.GroupGifts, Events: shipped("sh.delivered_at")},
	}
}
