package gifts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Shipment statuses as stored.
const (
	ShipmentPacked    = "packed"
	ShipmentShipped   = "shipped"
	ShipmentDelivered = "delivered"
)

var shipmentStatuses = map[string]giftsv1.ShipmentStatus{
	ShipmentPacked:    giftsv1.ShipmentStatus_SHIPMENT_STATUS_PACKED,
	ShipmentShipped:   giftsv1.ShipmentStatus_SHIPMENT_STATUS_SHIPPED,
	ShipmentDelivered: giftsv1.ShipmentStatus_SHIPMENT_STATUS_DELIVERED,
}

// ShipmentStatusName names a wire shipment status ("" for unspecified).
func ShipmentStatusName(s giftsv1.ShipmentStatus) string {
	for n, v := range shipmentStatuses {
		if v == s {
			return n
		}
	}
	return ""
}

// errNothingToPack ends a packing transaction that found its orders gone.
var errNothingToPack = errors.New("nothing to pack")

// PackShipments groups a wave's placed orders by delivery address into
// new shipments, one transaction per address. Packed orders can no longer
// be cancelled; orders placed later go into later shipments.
func (s *Service) PackShipments(ctx context.Context, p syncengine.Principal, waveID string) ([]*giftsv1.Shipment, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	var keys []string
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		if _, err := FindWave(ctx, q, waveID); err != nil {
			return err
		}
		var err error
		keys, err = sqlq.Strings(ctx, q, `SELECT DISTINCT address_key FROM gift_orders WHERE wave_id = $1 AND status = $2 AND number IS NOT NULL ORDER BY address_key`,
			waveID, StatusPlaced)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []*giftsv1.Shipment
	for _, key := range keys {
		var sh *giftsv1.Shipment
		err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			var address string
			err := tx.QueryRow(ctx, `SELECT address FROM gift_orders WHERE wave_id = $1 AND address_key = $2 AND status = $3 AND number IS NOT NULL
				ORDER BY placed_at, id LIMIT 1`, waveID, key, StatusPlaced).Scan(&address)
			if errors.Is(err, sql.ErrNoRows) {
				return errNothingToPack // cancelled meanwhile
			}
			if err != nil {
				return err
			}
			n, err := nextNumber(ctx, tx, "shipment")
			if err != nil {
				return err
			}
			id, now := uuid.NewString(), tx.Now().UnixMilli()
			if _, err := tx.Exec(ctx, `INSERT INTO gift_shipments (id, number, wave_id, address, address_key, status, packed_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, id, shipmentNumber(n), waveID, address, key, ShipmentPacked, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE gift_orders SET status = $1, shipment_id = $2, updated_at = $3
				WHERE wave_id = $4 AND address_key = $5 AND status = $6 AND number IS NOT NULL`, StatusPacked, id, now, waveID, key, StatusPlaced); err != nil {
				return err
			}
			if sh, err = loadShipment(ctx, tx, id); err != nil {
				return err
			}
			if err := giftAudit.Record(ctx, tx, p, "shipment.packed", waveID, sh.Number); err != nil {
				return err
			}
			return syncOrders(ctx, tx, sh.OrderIds)
		})
		if errors.Is(err, errNothingToPack) {
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, sh)
	}
	return out, nil
}

// ShipShipment marks a packed shipment shipped: its goods leave the stock
// (shipment movements), its orders become shipped, and each doctor is told
// their gift is on its way.
func (s *Service) ShipShipment(ctx context.Context, p syncengine.Principal, ref, tracking string) (*giftsv1.Shipment, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	tracking = strings.TrimSpace(tracking)
	if len(tracking) > 100 {
		return nil, syncengine.Invalid("the shipment cannot be shipped", syncengine.Violation{Field: "tracking", Description: "at most 100 characters"})
	}
	var out *giftsv1.Shipment
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		sh, err := findShipment(ctx, tx, ref)
		if err != nil {
			return err
		}
		now := tx.Now().UnixMilli()
		n, err := tx.Exec(ctx, `UPDATE gift_shipments SET status = $1, tracking = $2, shipped_at = $3, updated_at = $3 WHERE id = $4 AND status = $5`,
			ShipmentShipped, tracking, now, sh.Id, ShipmentPacked)
		if err != nil {
			return err
		}
		if n == 0 {
			return syncengine.Errorf(syncengine.EPRECONDITION, "shipment %s is already %s", sh.Number, ShipmentStatusName(sh.Status))
		}
		for _, l := range sh.Lines {
			if _, _, err := move(ctx, tx, Movement{ItemID: l.ItemId, Kind: MoveShipment, Quantity: l.Quantity, WaveID: sh.WaveId, ShipmentID: sh.Id,
				ActorID: p.UserID, Address: p.Address, Note: "shipment " + sh.Number}, l.Name); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE gift_orders SET status = $1, updated_at = $2 WHERE shipment_id = $3 AND status = $4`,
			StatusShipped, now, sh.Id, StatusPacked); err != nil {
			return err
		}
		if err := syncOrders(ctx, tx, sh.OrderIds); err != nil {
			return err
		}
		if err := giftAudit.Record(ctx, tx, p, "shipment.shipped", sh.Id, strings.TrimSpace(sh.Number+" "+tracking)); err != nil {
			return err
		}
		for _, id := range sh.OrderIds {
			o, err := LoadOrder(ctx, tx, id)
			if err != nil {
				return err
			}
			if _, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: o.UserId, Kind: NoticeShipped,
				Params:    map[string]string{"number": o.Number, "tracking": tracking, "title": o.WaveTitle, "order_id": o.Id},
				DedupeKey: NoticeShipped + ":" + o.Id}); err != nil {
				return err
			}
		}
		out, err = loadShipment(ctx, tx, sh.Id)
		return err
	})
	return out, err
}

// DeliverShipment marks a shipped shipment delivered, with its orders.
func (s *Service) DeliverShipment(ctx context.Context, p syncengine.Principal, ref string) (*giftsv1.Shipment, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	var out *giftsv1.Shipment
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		sh, err := findShipment(ctx, tx, ref)
		if err != nil {
			return err
		}
		now := tx.Now().UnixMilli()
		n, err := tx.Exec(ctx, `UPDATE gift_shipments SET status = $1, delivered_at = $2, updated_at = $2 WHERE id = $3 AND status = $4`,
			ShipmentDelivered, now, sh.Id, ShipmentShipped)
		if err != nil {
			return err
		}
		if n == 0 {
			return syncengine.Errorf(syncengine.EPRECONDITION, "shipment %s is %s, not shipped", sh.Number, ShipmentStatusName(sh.Status))
		}
		if _, err := tx.Exec(ctx, `UPDATE gift_orders SET status = $1, updated_at = $2 WHERE shipment_id = $3 AND status = $4`,
			StatusDelivered, now, sh.Id, StatusShipped); err != nil {
			return err
		}
		if err := syncOrders(ctx, tx, sh.OrderIds); err != nil {
			return err
		}
		if err := giftAudit.Record(ctx, tx, p, "shipment.delivered", sh.Id, sh.Number); err != nil {
			return err
		}
		out, err = loadShipment(ctx, tx, sh.Id)
		return err
	})
	return out, err
}

// ListShipments lists shipments newest first, of one wave and status if
// given.
func (s *Service) ListShipments(ctx context.Context, p syncengine.Principal, waveID, status string, limit int) ([]*giftsv1.Shipment, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []*giftsv1.Shipment
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		ids, err := sqlq.Strings(ctx, q, `SELECT id FROM gift_shipments WHERE ($1 = '' OR wave_id = $1) AND ($2 = '' OR status = $2)
			ORDER BY packed_at DESC, number DESC LIMIT $3`, waveID, status, limit)
		if err != nil {
			return err
		}
		for _, id := range ids {
			sh, err := loadShipment(ctx, q, id)
			if err != nil {
				return err
			}
			out = append(out, sh)
		}
		return nil
	})
	return out, err
}

func findShipment(ctx context.Context, q syncengine.Querier, ref string) (*giftsv1.Shipment, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM gift_shipments WHERE id = $1 OR number = $2`, ref, strings.ToUpper(strings.TrimSpace(ref))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &syncengine.Error{Code: syncengine.ENOTFOUND, Message: "no shipment " + ref,
			Violations: []syncengine.Violation{{Field: "shipment", Description: "no shipment with this id or number"}}}
	}
	if err != nil {
		return nil, err
	}
	return loadShipment(ctx, q, id)
}

// loadShipment returns a shipment with its orders and their lines summed
// per item.
func loadShipment(ctx context.Context, q syncengine.Querier, id string) (*giftsv1.Shipment, error) {
	sh := &giftsv1.Shipment{Id: id}
	var status, address string
	if err := q.QueryRow(ctx, `SELECT number, wave_id, address, status, tracking, packed_at, shipped_at, delivered_at FROM gift_shipments WHERE id = $1`, id).
		Scan(&sh.Number, &sh.WaveId, &address, &status, &sh.Tracking, &sh.PackedAtUnixMs, &sh.ShippedAtUnixMs, &sh.DeliveredAtUnixMs); err != nil {
		return nil, err
	}
	sh.Status = shipmentStatuses[status]
	var err error
	if sh.Address, err = decodeAddress(address); err != nil {
		return nil, err
	}
	if sh.OrderIds, err = sqlq.Strings(ctx, q, `SELECT id FROM gift_orders WHERE shipment_id = $1 ORDER BY id`, id); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT l.item_id, MIN(l.name), CAST(SUM(l.quantity) AS BIGINT) FROM gift_order_lines l JOIN gift_orders o ON o.id = l.order_id
		WHERE o.shipment_id = $1 GROUP BY l.item_id ORDER BY l.item_id`, id)
	if err != nil {
		return nil, err
	}
	sh.Lines, err = sqlq.Collect(rows, func(r syncengine.Row) (*giftsv1.OrderLine, error) {
		l := &giftsv1.OrderLine{}
		return l, r.Scan(&l.ItemId, &l.Name, &l.Quantity)
	})
	if err != nil {
		return nil, fmt.Errorf("shipment %s lines: %w", id, err)
	}
	return sh, nil
}
