package gifts

import (
	"context"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// StockReport is the stock of every item with the totals of its movements.
func (s *Service) StockReport(ctx context.Context, p syncengine.Principal) ([]*giftsv1.Stock, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	var out []*giftsv1.Stock
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+itemColumns+`, s.on_hand, s.reserved,
				CAST(COALESCE(SUM(CASE WHEN m.kind = 'receipt' THEN m.quantity ELSE 0 END), 0) AS BIGINT),
				CAST(COALESCE(SUM(CASE WHEN m.kind = 'shipment' THEN m.quantity ELSE 0 END), 0) AS BIGINT),
				CAST(COALESCE(SUM(CASE WHEN m.kind = 'return' THEN m.quantity ELSE 0 END), 0) AS BIGINT),
				CAST(COALESCE(SUM(CASE WHEN m.kind = 'write_off' THEN m.quantity ELSE 0 END), 0) AS BIGINT)
			FROM gift_items i JOIN gift_stock s ON s.item_id = i.id LEFT JOIN gift_movements m ON m.item_id = i.id
			GROUP BY i.id, i.sku, i.name, i.description, i.kind, s.on_hand, s.reserved ORDER BY i.sku`)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (*giftsv1.Stock, error) {
			st := &giftsv1.Stock{}
			it, err := scanItem(r, &st.OnHand, &st.Reserved, &st.Received, &st.Shipped, &st.Returned, &st.WrittenOff)
			st.Item, st.Available = it.Proto(), st.OnHand-st.Reserved
			return st, err
		})
		return err
	})
	return out, err
}

// WaveReport is what each wave (or one) allocated, has in live orders and
// shipped, per item, with the points spent on it.
func (s *Service) WaveReport(ctx context.Context, p syncengine.Principal, waveID string) ([]*giftsv1.WaveItemFigures, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	var out []*giftsv1.WaveItemFigures
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+itemColumns+`, w.id, w.title, wi.allocated, `+orderedSQL+`,
				CAST(COALESCE((SELECT SUM(m.quantity) FROM gift_movements m
					WHERE m.wave_id = wi.wave_id AND m.item_id = wi.item_id AND m.kind = 'shipment'), 0) AS BIGINT),
				CAST(COALESCE((SELECT SUM(l.quantity * l.points_price) FROM gift_order_lines l JOIN gift_orders o ON o.id = l.order_id
					WHERE o.wave_id = wi.wave_id AND l.item_id = wi.item_id AND o.status <> 'cancelled' AND o.number IS NOT NULL), 0) AS BIGINT)
			FROM gift_wave_items wi JOIN gift_waves w ON w.id = wi.wave_id JOIN gift_items i ON i.id = wi.item_id
			WHERE ($1 = '' OR wi.wave_id = $1) ORDER BY w.starts_at DESC, w.id, i.sku`, waveID)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (*giftsv1.WaveItemFigures, error) {
			f := &giftsv1.WaveItemFigures{}
			it, err := scanItem(r, &f.WaveId, &f.WaveTitle, &f.Allocated, &f.Ordered, &f.Shipped, &f.Points)
			f.Item = it.Proto()
			return f, err
		})
		return err
	})
	return out, err
}

// TerritoryReport is what the doctors of each territory ordered (live
// orders) and were shipped, in one wave or all.
func (s *Service) TerritoryReport(ctx context.Context, p syncengine.Principal, waveID string) ([]*giftsv1.TerritoryFigures, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	var out []*giftsv1.TerritoryFigures
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT o.territory_id, COUNT(DISTINCT o.id), CAST(SUM(l.quantity) AS BIGINT),
				CAST(SUM(CASE WHEN o.status IN ('shipped', 'delivered') THEN l.quantity ELSE 0 END) AS BIGINT),
				CAST(SUM(l.quantity * l.points_price) AS BIGINT)
			FROM gift_orders o JOIN gift_order_lines l ON l.order_id = o.id
			WHERE o.status <> 'cancelled' AND o.number IS NOT NULL AND ($1 = '' OR o.wave_id = $1)
			GROUP BY o.territory_id ORDER BY o.territory_id`, waveID)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (*giftsv1.TerritoryFigures, error) {
			f := &giftsv1.TerritoryFigures{}
			return f, r.Scan(&f.TerritoryId, &f.Orders, &f.UnitsOrdered, &f.UnitsShipped, &f.Points)
		})
		return err
	})
	return out, err
}
