package gifts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Movement kinds. Each moves an item's stock on hand and reserved by fixed
// rules; the stock is the sum of its movements.
const (
	MoveReceipt     = "receipt"     // on hand +q
	MoveReservation = "reservation" // reserved +q (allocated to a wave; negative releases)
	MoveShipment    = "shipment"    // on hand -q, reserved -q
	MoveReturn      = "return"      // on hand +q
	MoveWriteOff    = "write_off"   // on hand -q
)

var movementKinds = map[string]giftsv1.MovementKind{
	MoveReceipt:     giftsv1.MovementKind_MOVEMENT_KIND_RECEIPT,
	MoveReservation: giftsv1.MovementKind_MOVEMENT_KIND_RESERVATION,
	MoveShipment:    giftsv1.MovementKind_MOVEMENT_KIND_SHIPMENT,
	MoveReturn:      giftsv1.MovementKind_MOVEMENT_KIND_RETURN,
	MoveWriteOff:    giftsv1.MovementKind_MOVEMENT_KIND_WRITE_OFF,
}

// MovementKindName names a wire movement kind ("" if unknown).
func MovementKindName(k giftsv1.MovementKind) string {
	for n, v := range movementKinds {
		if v == k {
			return n
		}
	}
	return ""
}

// Movement is one stock movement.
type Movement struct {
	ID            string
	ItemID        string
	Kind          string
	Quantity      int64
	OnHandDelta   int64
	ReservedDelta int64
	WaveID        string
	ShipmentID    string
	Note          string
	ActorID       string
	// Address is the host the decision came from, for the audit log.
	Address   string
	RequestID string
	CreatedAt int64
}

// Proto encodes a movement for the wire.
func (m Movement) Proto() *giftsv1.Movement {
	return &giftsv1.Movement{Id: m.ID, ItemId: m.ItemID, Kind: movementKinds[m.Kind], Quantity: m.Quantity,
		OnHandDelta: m.OnHandDelta, ReservedDelta: m.ReservedDelta, WaveId: m.WaveID, ShipmentId: m.ShipmentID,
		Note: m.Note, ActorId: m.ActorID, CreatedAtUnixMs: m.CreatedAt}
}

// deltas returns how a movement of a kind moves on hand and reserved.
func deltas(kind string, q int64) (onHand, reserved int64) {
	switch kind {
	case MoveReceipt, MoveReturn:
		return q, 0
	case MoveReservation:
		return 0, q
	case MoveShipment:
		return -q, -q
	case MoveWriteOff:
		return -q, 0
	}
	panic("gifts: unknown movement kind " + kind)
}

// Level is an item's stock.
type Level struct {
	OnHand   int64
	Reserved int64
}

// Available is what can be allocated or written off.
func (l Level) Available() int64 { return l.OnHand - l.Reserved }

// move records a movement in tx and applies it to the item's stock with one
// conditional UPDATE, so concurrent movements can never take reserved
// stock above what is on hand or below zero. A movement that would is
// refused with EPRECONDITION and writes nothing.
func move(ctx context.Context, tx syncengine.Tx, m Movement, itemName string) (Movement, Level, error) {
	m.OnHandDelta, m.ReservedDelta = deltas(m.Kind, m.Quantity)
	now := tx.Now().UnixMilli()
	var lv Level
	err := tx.QueryRow(ctx, `UPDATE gift_stock SET on_hand = on_hand + $1, reserved = reserved + $2, updated_at = $3
		WHERE item_id = $4 AND on_hand + $1 >= reserved + $2 AND reserved + $2 >= 0 RETURNING on_hand, reserved`,
		m.OnHandDelta, m.ReservedDelta, now, m.ItemID).Scan(&lv.OnHand, &lv.Reserved)
	if errors.Is(err, sql.ErrNoRows) {
		have, err := stockLevel(ctx, tx, m.ItemID)
		if err != nil {
			return m, lv, err
		}
		return m, lv, shortage(m, itemName, have)
	}
	if err != nil {
		return m, lv, err
	}
	m.ID, m.CreatedAt = uuid.NewString(), now
	_, err = tx.Exec(ctx, `INSERT INTO gift_movements (id, item_id, kind, quantity, on_hand_delta, reserved_delta, wave_id, shipment_id, note, actor_id, request_id, created_at, address)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		m.ID, m.ItemID, m.Kind, m.Quantity, m.OnHandDelta, m.ReservedDelta, m.WaveID, m.ShipmentID, m.Note, m.ActorID, sqlq.Nullable(m.RequestID), now, m.Address)
	return m, lv, err
}

func shortage(m Movement, itemName string, have Level) error {
	field := "quantity"
	var msg string
	switch {
	case m.Kind == MoveReservation && m.Quantity > 0:
		field = "allocated"
		msg = fmt.Sprintf("not enough stock of %s to allocate %d: %d available (%d on hand, %d reserved for waves)", itemName, m.Quantity, have.Available(), have.OnHand, have.Reserved)
	case m.Kind == MoveWriteOff && have.Reserved > 0:
		msg = fmt.Sprintf("cannot write off %d of %s: %d available (%d on hand, %d reserved for waves; release them from their wave first)", m.Quantity, itemName, have.Available(), have.OnHand, have.Reserved)
	case m.Kind == MoveWriteOff:
		msg = fmt.Sprintf("cannot write off %d of %s: only %d on hand", m.Quantity, itemName, have.OnHand)
	default:
		msg = fmt.Sprintf("a %s of %d %s does not fit the stock (%d on hand, %d reserved)", m.Kind, m.Quantity, itemName, have.OnHand, have.Reserved)
	}
	return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: msg, Violations: []syncengine.Violation{{Field: field, Description: fmt.Sprintf("%d available", have.Available())}}}
}

func stockLevel(ctx context.Context, q syncengine.Querier, itemID string) (Level, error) {
	var lv Level
	err := q.QueryRow(ctx, `SELECT on_hand, reserved FROM gift_stock WHERE item_id = $1`, itemID).Scan(&lv.OnHand, &lv.Reserved)
	return lv, err
}

// NewMovement is goods received, returned or written off, to record.
type NewMovement struct {
	// Item is the item's SKU or id.
	Item string
	// Kind is MoveReceipt, MoveReturn or MoveWriteOff.
	Kind     string
	Quantity int64
	Note     string
	// RequestID, if set, makes a retried request record once: it returns
	// the first movement.
	RequestID string
}

// RecordMovement records goods received, returned or written off.
func (s *Service) RecordMovement(ctx context.Context, p syncengine.Principal, m NewMovement) (Recorded, error) {
	if err := requireStaff(p); err != nil {
		return Recorded{}, err
	}
	var v []syncengine.Violation
	if m.Kind != MoveReceipt && m.Kind != MoveReturn && m.Kind != MoveWriteOff {
		v = append(v, syncengine.Violation{Field: "kind", Description: "must be receipt, return or write_off (waves reserve and shipments ship by themselves)"})
	}
	if m.Quantity <= 0 || m.Quantity > 100_000_000 {
		v = append(v, syncengine.Violation{Field: "quantity", Description: "must be a positive number of units"})
	}
	if len([]rune(m.Note)) > 500 {
		v = append(v, syncengine.Violation{Field: "note", Description: "at most 500 characters"})
	}
	if len(v) > 0 {
		return Recorded{}, syncengine.Invalid("the movement cannot be recorded", v...)
	}
	var out Recorded
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		it, err := FindItem(ctx, tx, m.Item)
		if err != nil {
			return err
		}
		out.Item = it
		if m.RequestID != "" {
			prior, err := scanMovements(tx.Query(ctx, `SELECT `+movementColumns+` FROM gift_movements WHERE request_id = $1`, m.RequestID))
			if err != nil {
				return err
			}
			if len(prior) > 0 {
				if prior[0].ItemID != it.ID || prior[0].Kind != m.Kind || prior[0].Quantity != m.Quantity {
					return syncengine.Errorf(syncengine.ECONFLICT, "request %s already recorded a different movement", m.RequestID)
				}
				out.Movement = prior[0]
				out.Level, err = stockLevel(ctx, tx, it.ID)
				return err
			}
		}
		out.Movement, out.Level, err = move(ctx, tx, Movement{ItemID: it.ID, Kind: m.Kind, Quantity: m.Quantity, Note: m.Note, ActorID: p.UserID, Address: p.Address, RequestID: m.RequestID}, it.Name)
		return err
	})
	return out, err
}

// Recorded is a movement recorded and the stock after it.
type Recorded struct {
	Movement Movement
	Item     Item
	Level    Level
}

const movementColumns = `id, item_id, kind, quantity, on_hand_delta, reserved_delta, wave_id, shipment_id, note, actor_id, COALESCE(request_id, ''), created_at, address`

func scanMovements(rows syncengine.Rows, err error) ([]Movement, error) {
	if err != nil {
		return nil, err
	}
	return sqlq.Collect(rows, func(r syncengine.Row) (m Movement, err error) {
		err = r.Scan(&m.ID, &m.ItemID, &m.Kind, &m.Quantity, &m.OnHandDelta, &m.ReservedDelta, &m.WaveID, &m.ShipmentID, &m.Note, &m.ActorID, &m.RequestID, &m.CreatedAt, &m.Address)
		return m, err
	})
}

// ListMovements lists movements newest first, of one item (id or SKU) and
// one wave if given.
func (s *Service) ListMovements(ctx context.Context, p syncengine.Principal, itemRef, waveID string, limit int) ([]Movement, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []Movement
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		itemID := ""
		if itemRef != "" {
			it, err := FindItem(ctx, q, itemRef)
			if err != nil {
				return err
			}
			itemID = it.ID
		}
		var err error
		out, err = scanMovements(q.Query(ctx, `SELECT `+movementColumns+` FROM gift_movements
			WHERE ($1 = '' OR item_id = $1) AND ($2 = '' OR wave_id = $2) ORDER BY created_at DESC, id LIMIT $3`, itemID, waveID, limit))
		return err
	})
	return out, err
}

// StockDrift lists items whose stock differs from the sum of their
// movements, and wave items ("<wave>/<item>") whose shards do not add up to
// their allocation; it is empty unless something wrote around this package.
func StockDrift(ctx context.Context, q syncengine.Querier) ([]string, error) {
	return sqlq.Strings(ctx, q, `SELECT s.item_id FROM gift_stock s
		LEFT JOIN (SELECT item_id, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved FROM gift_movements GROUP BY item_id) m ON m.item_id = s.item_id
		WHERE s.on_hand <> COALESCE(m.on_hand, 0) OR s.reserved <> COALESCE(m.reserved, 0)
		UNION ALL
		SELECT wi.wave_id || '/' || wi.item_id FROM gift_wave_items wi
		WHERE wi.allocated <> COALESCE((SELECT SUM(sh.allocated) FROM gift_stock_shards sh WHERE sh.wave_id = wi.wave_id AND sh.item_id = wi.item_id), 0)`)
}
