package gifts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// offer is what placing an order needs to know, read in one statement:
// the wave, the requested items it offers with their stock, and whether
// the order id is taken.
type offer struct {
	wave       Wave
	orderOwner string // the doctor who placed an order with this id, if any
	items      []WaveItem
}

// line is one requested item, resolved against the wave.
type line struct {
	index int // in the arguments, for violations
	wi    WaveItem
	qty   int64
	takes []take
}

func loadOffer(ctx context.Context, q syncengine.Querier, waveID, orderID string, itemIDs []string) (offer, error) {
	args := []any{waveID, orderID}
	for _, id := range itemIDs {
		args = append(args, id)
	}
	rows, err := q.Query(ctx, `SELECT w.id, w.region_id, w.title, w.description, w.starts_at, w.ends_at, w.grace_ms, w.retired_at, w.updated_at,
			COALESCE((SELECT o.user_id FROM gift_orders o WHERE o.id = $2), ''),
			i.id, i.sku, i.name, i.description, i.kind, wi.points_price, wi.limit_per_doctor, wi.allocated, `+orderedSQL+`
		FROM gift_waves w LEFT JOIN gift_wave_items wi ON wi.wave_id = w.id AND wi.item_id IN (`+sqlq.Placeholders(3, len(itemIDs))+`)
		LEFT JOIN gift_items i ON i.id = wi.item_id
		WHERE w.id = $1`, args...)
	if err != nil {
		return offer{}, err
	}
	defer rows.Close()
	var o offer
	found := false
	for rows.Next() {
		found = true
		var starts, ends, grace, retired, updated int64
		var id, sku, name, description, kind sql.NullString
		var price, limit, allocated, ordered sql.NullInt64
		w := &o.wave
		if err := rows.Scan(&w.ID, &w.RegionID, &w.Title, &w.Description, &starts, &ends, &grace, &retired, &updated, &o.orderOwner,
			&id, &sku, &name, &description, &kind, &price, &limit, &allocated, &ordered); err != nil {
			return offer{}, err
		}
		*w = waveFrom(*w, starts, ends, grace, retired, updated)
		if id.Valid {
			o.items = append(o.items, WaveItem{WaveID: w.ID, Item: Item{ID: id.String, SKU: sku.String, Name: name.String, Description: description.String, Kind: kindFromName(kind.String)},
				PointsPrice: price.Int64, LimitPerDoctor: limit.Int64, Allocated: allocated.Int64, Ordered: ordered.Int64})
		}
	}
	if err := rows.Err(); err != nil {
		return offer{}, err
	}
	if !found {
		return offer{}, errNoWave(waveID)
	}
	return o, nil
}

// errNoWave answers an order for a wave that does not exist, or not for
// the doctor: a wave of another region is none of their business.
func errNoWave(waveID string) *syncengine.Error {
	return &syncengine.Error{Code: syncengine.ENOTFOUND, Message: "no gift wave " + waveID,
		Violations: []syncengine.Violation{{Field: "wave_id", Description: "no such wave"}}}
}

// lines resolves the requested items against the offer.
func (o offer) lines(items []*giftsv1.PlaceOrderLine) ([]line, error) {
	var out []line
	var missing []syncengine.Violation
	for i, l := range items {
		found := false
		for _, wi := range o.items {
			if wi.Item.ID == l.ItemId {
				out = append(out, line{index: i, wi: wi, qty: l.Quantity})
				found = true
			}
		}
		if !found {
			missing = append(missing, syncengine.Violation{Field: fmt.Sprintf("items[%d].item_id", i), Description: "no item " + l.ItemId + " in this wave"})
		}
	}
	if len(missing) > 0 {
		return nil, &syncengine.Error{Code: syncengine.ENOTFOUND, Message: fmt.Sprintf("unknown item: wave %q does not offer it", o.wave.Title), Violations: missing}
	}
	return out, nil
}

// insertLines writes an order's lines, one row per item and stock shard,
// and adds them (per item) to the order record.
func insertLines(ctx context.Context, tx syncengine.Tx, orderID string, lines []line, o *giftsv1.Order) error {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO gift_order_lines (order_id, item_id, shard, name, quantity, points_price) VALUES `)
	var args []any
	for _, l := range lines {
		for _, t := range l.takes {
			if len(args) > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + sqlq.Placeholders(len(args)+1, 6) + ")")
			args = append(args, orderID, l.wi.Item.ID, t.shard, l.wi.Item.Name, t.qty, l.wi.PointsPrice)
		}
		o.Lines = append(o.Lines, &giftsv1.OrderLine{ItemId: l.wi.Item.ID, Name: l.wi.Item.Name, Quantity: l.qty, PointsPrice: l.wi.PointsPrice})
	}
	tx.Queue(ctx, sb.String(), args...)
	return nil
}

func outOfStock(l line, remaining int64) error {
	msg := fmt.Sprintf("out of stock: %s is sold out", l.wi.Item.Name)
	if remaining > 0 {
		msg = fmt.Sprintf("out of stock: only %d of %s left, this order needs %d", remaining, l.wi.Item.Name, l.qty)
	}
	return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: msg,
		Violations: []syncengine.Violation{{Field: fmt.Sprintf("items[%d].quantity", l.index), Description: fmt.Sprintf("%d left", max(remaining, 0))}}}
}

// beginLimit counts the line against the doctor's limit for the item, with
// one conditional upsert, queued (syncengine.Tx.QueueScan) to travel with
// the order's other statements; the function it returns answers it. An
// item without a limit needs no count: limits are fixed once the wave
// opens.
func beginLimit(ctx context.Context, tx syncengine.Tx, w Wave, userID string, l line) func(context.Context) error {
	if l.wi.LimitPerDoctor == 0 {
		return func(context.Context) error { return nil }
	}
	if l.qty > l.wi.LimitPerDoctor {
		return func(context.Context) error { return overLimit(l, 0) }
	}
	var held int64
	wait := tx.QueueScan(ctx, []any{&held}, `INSERT INTO gift_doctor_items (wave_id, item_id, user_id, quantity) VALUES ($1, $2, $3, $4)
		ON CONFLICT (wave_id, item_id, user_id) DO UPDATE SET quantity = gift_doctor_items.quantity + excluded.quantity
		WHERE gift_doctor_items.quantity + excluded.quantity <= $5 RETURNING quantity`,
		w.ID, l.wi.Item.ID, userID, l.qty, l.wi.LimitPerDoctor)
	return func(ctx context.Context) error {
		err := wait()
		if errors.Is(err, sql.ErrNoRows) {
			if err := tx.QueryRow(ctx, `SELECT quantity FROM gift_doctor_items WHERE wave_id = $1 AND item_id = $2 AND user_id = $3`, w.ID, l.wi.Item.ID, userID).Scan(&held); err != nil {
				return err
			}
			return overLimit(l, held)
		}
		return err
	}
}

func overLimit(l line, held int64) error {
	msg := fmt.Sprintf("over the limit: at most %d of %s per doctor in this wave", l.wi.LimitPerDoctor, l.wi.Item.Name)
	if held > 0 {
		msg += fmt.Sprintf(", and you have already ordered %d", held)
	}
	return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: msg,
		Violations: []syncengine.Violation{{Field: fmt.Sprintf("items[%d].quantity", l.index), Description: fmt.Sprintf("at most %d more", max(l.wi.LimitPerDoctor-held, 0))}}}
}
