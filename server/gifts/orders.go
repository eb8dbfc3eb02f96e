package gifts

import (
	"context"
	"database/sql"
	"errors"

	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Order statuses as stored.
const (
	StatusPlaced    = "placed"
	StatusPacked    = "packed"
	StatusShipped   = "shipped"
	StatusDelivered = "delivered"
	StatusCancelled = "cancelled"
)

var orderStatuses = map[string]giftsv1.OrderStatus{
	StatusPlaced:    giftsv1.OrderStatus_ORDER_STATUS_PLACED,
	StatusPacked:    giftsv1.OrderStatus_ORDER_STATUS_PACKED,
	StatusShipped:   giftsv1.OrderStatus_ORDER_STATUS_SHIPPED,
	StatusDelivered: giftsv1.OrderStatus_ORDER_STATUS_DELIVERED,
	StatusCancelled: giftsv1.OrderStatus_ORDER_STATUS_CANCELLED,
}

// OrderStatusName names a wire order status ("" for unspecified).
func OrderStatusName(s giftsv1.OrderStatus) string {
	for n, v := range orderStatuses {
		if v == s {
			return n
		}
	}
	return ""
}

const orderColumns = `o.id, COALESCE(o.number, ''), o.user_id, o.wave_id, w.title, o.territory_id, o.status, o.points_total, o.address,
	o.shipment_id, COALESCE(s.tracking, ''), o.created_at, o.placed_at, o.updated_at`

const orderFrom = ` FROM gift_orders o JOIN gift_waves w ON w.id = o.wave_id LEFT JOIN gift_shipments s ON s.id = o.shipment_id`

func scanOrder(row syncengine.Row) (*giftsv1.Order, error) {
	o := &giftsv1.Order{}
	var status, address string
	err := row.Scan(&o.Id, &o.Number, &o.UserId, &o.WaveId, &o.WaveTitle, &o.TerritoryId, &status, &o.PointsTotal, &address,
		&o.ShipmentId, &o.Tracking, &o.CreatedAtUnixMs, &o.PlacedAtUnixMs, &o.UpdatedAtUnixMs)
	if err != nil {
		return nil, err
	}
	o.Status = orderStatuses[status]
	if address != "" {
		if o.Address, err = decodeAddress(address); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// LoadOrder returns an order with its lines.
func LoadOrder(ctx context.Context, q syncengine.Querier, id string) (*giftsv1.Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &syncengine.Error{Code: syncengine.ENOTFOUND, Message: "no gift order " + id,
			Violations: []syncengine.Violation{{Field: "order_id", Description: "no such order"}}}
	}
	if err != nil {
		return nil, err
	}
	o.Lines, err = orderLines(ctx, q, id)
	return o, err
}

func orderLines(ctx context.Context, q syncengine.Querier, orderID string) ([]*giftsv1.OrderLine, error) {
	rows, err := q.Query(ctx, `SELECT item_id, MIN(name), CAST(SUM(quantity) AS BIGINT), MIN(points_price) FROM gift_order_lines WHERE order_id = $1
		GROUP BY item_id ORDER BY item_id`, orderID)
	if err != nil {
		return nil, err
	}
	return sqlq.Collect(rows, func(r syncengine.Row) (*giftsv1.OrderLine, error) {
		l := &giftsv1.OrderLine{}
		return l, r.Scan(&l.ItemId, &l.Name, &l.Quantity, &l.PointsPrice)
	})
}

// putOrder syncs an order to its doctor.
func putOrder(tx syncengine.Tx, o *giftsv1.Order) error {
	b, err := proto.Marshal(o)
	if err != nil {
		return err
	}
	tx.Put(OrderCollection, o.Id, b, syncengine.UserBucket(o.UserId))
	return nil
}

// syncOrders re-reads orders and syncs each to its doctor.
func syncOrders(ctx context.Context, tx syncengine.Tx, ids []string) error {
	for _, id := range ids {
		o, err := LoadOrder(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := putOrder(tx, o); err != nil {
			return err
		}
	}
	return nil
}

// ListOrders lists orders newest first, filtered by wave, doctor and
// status when given.
func (s *Service) ListOrders(ctx context.Context, p syncengine.Principal, waveID, userID, status string, limit int) ([]*giftsv1.Order, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []*giftsv1.Order
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+orderColumns+orderFrom+`
			WHERE o.number IS NOT NULL AND ($1 = '' OR o.wave_id = $1) AND ($2 = '' OR o.user_id = $2) AND ($3 = '' OR o.status = $3)
			ORDER BY o.placed_at DESC, o.id LIMIT $4`, waveID, userID, status, limit)
		if err != nil {
			return err
		}
		if out, err = sqlq.Collect(rows, scanOrder); err != nil {
			return err
		}
		for _, o := range out {
			if o.Lines, err = orderLines(ctx, q, o.Id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
