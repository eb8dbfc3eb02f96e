package gifts

import (
	"context"
	"fmt"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// cancelOrder is the mutation gift.cancel_order: an order not yet packed
// is cancelled, its points refunded and its units returned to the wave (to
// the warehouse once the wave is over, at the next Tick). Cancelling a
// cancelled order again changes nothing.
func (s *Service) cancelOrder(ctx context.Context, tx syncengine.Tx, call syncengine.Call, args *giftsv1.CancelOrderArgs) ([]byte, error) {
	p := call.Principal
	if err := auth.Require(p, auth.RoleDoctor); err != nil {
		return nil, err
	}
	o, err := LoadOrder(ctx, tx, args.OrderId)
	if err != nil || o.UserId != p.UserID {
		if err == nil {
			// Another doctor's order is none of this one's business.
			err = &syncengine.Error{Code: syncengine.ENOTFOUND, Message: "no gift order " + args.OrderId,
				Violations: []syncengine.Violation{{Field: "order_id", Description: "no such order"}}}
		}
		return nil, err
	}
	if o.Status == giftsv1.OrderStatus_ORDER_STATUS_CANCELLED {
		balance, err := points.Balance(ctx, tx, p.UserID)
		if err != nil {
			return nil, err
		}
		return mutator.Result(&giftsv1.CancelOrderResult{OrderId: o.Id, PointsRefunded: o.PointsTotal, Balance: balance})
	}
	now := tx.Now().UnixMilli()
	n, err := tx.Exec(ctx, `UPDATE gift_orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`, StatusCancelled, now, o.Id, StatusPlaced)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, &syncengine.Error{Code: syncengine.EPRECONDITION,
			Message:    fmt.Sprintf("order %s is already %s and can no longer be cancelled", o.Number, OrderStatusName(o.Status)),
			Violations: []syncengine.Violation{{Field: "order_id", Description: "already " + OrderStatusName(o.Status)}}}
	}
	// Lines are sorted by item, the order placeOrder locks them in.
	for _, l := range o.Lines {
		if _, err := tx.Exec(ctx, `UPDATE gift_doctor_items SET quantity = quantity - $1 WHERE wave_id = $2 AND item_id = $3 AND user_id = $4`,
			l.Quantity, o.WaveId, l.ItemId, p.UserID); err != nil {
			return nil, err
		}
	}
	posted, err := points.Post(ctx, tx, points.Entry{UserID: p.UserID, Amount: o.PointsTotal, Source: points.SourceOrderRefund, SourceID: o.Id,
		Reason: "gift order " + o.Number + " cancelled"})
	if err != nil {
		return nil, err
	}
	if err := returnStock(ctx, tx, o.WaveId, o.Id); err != nil {
		return nil, err
	}
	w, err := FindWave(ctx, tx, o.WaveId)
	if err != nil {
		return nil, err
	}
	for _, l := range o.Lines {
		it, err := FindItem(ctx, tx, l.ItemId)
		if err != nil {
			return nil, err
		}
		if err := s.maybePublish(ctx, tx, w, it, -l.Quantity); err != nil {
			return nil, err
		}
	}
	o.Status, o.UpdatedAtUnixMs = giftsv1.OrderStatus_ORDER_STATUS_CANCELLED, now
	if err := putOrder(tx, o); err != nil {
		return nil, err
	}
	return mutator.Result(&giftsv1.CancelOrderResult{OrderId: o.Id, PointsRefunded: o.PointsTotal, Balance: posted.Balance})
}
