package gifts

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// placeOrder is the mutation gift.place_order. In its one transaction the
// wave must be open, the per-doctor limits hold, the points are debited
// and the stock reserved, each with an atomic conditional write, so
// concurrent orders can neither oversell nor overdraw. Locks are taken in
// one order (the order row, the doctor's limit rows, their balance, the
// wave's stock shards by item).
//
// On PostgreSQL it takes two round trips in the common case: the offer's
// read, with the doctor's territory queued before it; then the numbered
// order's insert, the limits, the debit and the takes, all queued
// (syncengine.Tx.QueueScan) and sent together when the order's number is
// asked for. A refusal found in their answers (no points, no stock) is
// undone with the mutation's savepoint like any other. The ledger entry
// and the lines are queued writes that travel with the commit.
func (s *Service) placeOrder(ctx context.Context, tx syncengine.Tx, call syncengine.Call, args *giftsv1.PlaceOrderArgs) ([]byte, error) {
	p := call.Principal
	if err := auth.RequireVerifiedDoctor(p); err != nil {
		return nil, err
	}
	var v []syncengine.Violation
	ids := make([]string, len(args.Items))
	for i, l := range args.Items {
		if slices.Contains(ids[:i], l.ItemId) {
			v = append(v, syncengine.Violation{Field: fmt.Sprintf("items[%d].item_id", i), Description: "is listed twice; order a larger quantity instead"})
		}
		ids[i] = l.ItemId
	}
	addr, av := cleanAddress(args.Address)
	if v = append(v, av...); len(v) > 0 {
		return nil, syncengine.Invalid("the order cannot be placed", v...)
	}
	var territory string
	territoryRead := s.territory(ctx, tx, p.UserID, &territory)
	o, err := loadOffer(ctx, tx, args.WaveId, args.OrderId, ids)
	if err != nil {
		return nil, err
	}
	w := o.wave
	if o.orderOwner == p.UserID {
		// The same order pushed again under a new seq gets that order back.
		return duplicateOrder(ctx, tx, p.UserID, args.OrderId)
	}
	if w.RegionID != auth.ClaimsOf(p).RegionID {
		return nil, errNoWave(args.WaveId)
	}
	if o.orderOwner != "" {
		return duplicateOrder(ctx, tx, p.UserID, args.OrderId)
	}
	now := tx.Now()
	created := call.Mutation.CreatedAt
	if created.IsZero() || created.UnixMilli() <= 0 {
		created = now
	}
	if err := s.checkWindow(ctx, tx, w, now, created); err != nil {
		return nil, err
	}
	lines, err := o.lines(args.Items)
	if err != nil {
		return nil, err
	}
	// Refuse at once what the stock plainly cannot cover, before taking
	// any lock: in a rush most orders for a scarce item end here.
	var total int64
	for _, l := range lines {
		if l.wi.Remaining() < l.qty {
			return nil, outOfStock(l, l.wi.Remaining())
		}
		total += l.qty * l.wi.PointsPrice
	}
	if err := territoryRead(); err != nil {
		return nil, err
	}
	address, err := encodeAddress(addr)
	if err != nil {
		return nil, err
	}
	numberSQL, numberArg, err := orderNumberSQL(ctx, tx, w.RegionID, 11)
	if err != nil {
		return nil, err
	}
	// No ON CONFLICT: loadOffer saw no order with this id, so a key
	// violation here is a concurrent push of the same order, a race the
	// store answers by running the push again (then loadOffer sees it).
	var number string
	placed := tx.QueueScan(ctx, []any{&number}, `INSERT INTO gift_orders (id, user_id, wave_id, territory_id, status, points_total, address, address_key, created_at, placed_at, updated_at, number)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, `+numberSQL+`) RETURNING number`,
		args.OrderId, p.UserID, w.ID, territory, StatusPlaced, total, address, addressKey(addr), created.UnixMilli(), now.UnixMilli(), numberArg)
	slices.SortFunc(lines, func(a, b line) int { return cmp.Compare(a.wi.Item.ID, b.wi.Item.ID) })
	limits := make([]func(context.Context) error, len(lines))
	for i, l := range lines {
		limits[i] = beginLimit(ctx, tx, w, p.UserID, l)
	}
	debit := points.Begin(ctx, tx, points.Entry{UserID: p.UserID, Amount: -total, Source: points.SourceOrder, SourceID: args.OrderId})
	takes := make([]*stockTake, len(lines))
	for i, l := range lines {
		takes[i] = beginTake(ctx, tx, w.ID, l.wi.Item.ID, call.ClientID, l.qty)
	}
	if err := placed(); err != nil {
		return nil, err
	}
	for _, limit := range limits {
		if err := limit(ctx); err != nil {
			return nil, err
		}
	}
	posted, err := debit.Finish(ctx, "gift order "+number+" in "+w.Title)
	if err != nil {
		return nil, err
	}
	var emptied []line
	for i, l := range lines {
		took, short, empty, err := takes[i].finish(ctx)
		if err != nil {
			return nil, err
		}
		if short > 0 {
			return nil, outOfStock(l, l.qty-short)
		}
		lines[i].takes = took
		if empty {
			emptied = append(emptied, l)
		}
	}
	order := &giftsv1.Order{Id: args.OrderId, Number: number, UserId: p.UserID, WaveId: w.ID, WaveTitle: w.Title, PointsTotal: total, Address: addr,
		Status: giftsv1.OrderStatus_ORDER_STATUS_PLACED, CreatedAtUnixMs: created.UnixMilli(), PlacedAtUnixMs: now.UnixMilli(), UpdatedAtUnixMs: now.UnixMilli(), TerritoryId: territory}
	if err := insertLines(ctx, tx, args.OrderId, lines, order); err != nil {
		return nil, err
	}
	if err := putOrder(tx, order); err != nil {
		return nil, err
	}
	// A take that empties a shard may have sold the item out: look. Other
	// levels reach devices with Tick.
	for _, l := range emptied {
		if err := s.maybePublish(ctx, tx, w, l.wi.Item, l.qty); err != nil {
			return nil, err
		}
	}
	return mutator.Result(&giftsv1.PlaceOrderResult{OrderId: args.OrderId, Number: number, PointsSpent: total, Balance: posted.Balance})
}

// territory queues the read of the doctor's territory (Config.Territory).
func (s *Service) territory(ctx context.Context, tx syncengine.Tx, userID string, into *string) (wait func() error) {
	if s.cfg.Territory == nil {
		return func() error { return nil }
	}
	return s.cfg.Territory(ctx, tx, userID, into)
}

// checkWindow decides whether the wave takes an order received now that
// the device says it made at created. The device's clock is bounded by
// the server's: an order counts as made at the earlier of the two, so a
// clock running ahead can neither open a wave early nor stretch it past
// its close; and nothing is taken once the grace period has passed,
// however early the device claims to have made it.
func (s *Service) checkWindow(ctx context.Context, q syncengine.Querier, w Wave, now, created time.Time) error {
	madeAt := created
	if now.Before(madeAt) {
		madeAt = now
	}
	switch {
	case now.Before(w.StartsAt):
		return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: fmt.Sprintf("wave not open yet: %q opens at %s", w.Title, s.localTime(ctx, q, w, w.StartsAt)),
			Violations: []syncengine.Violation{{Field: "wave_id", Description: "not open yet"}}}
	case !madeAt.Before(w.EndsAt) || !now.Before(w.EndsAt.Add(w.Grace)):
		return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: fmt.Sprintf("wave closed: %q closed at %s", w.Title, s.localTime(ctx, q, w, w.EndsAt)),
			Violations: []syncengine.Violation{{Field: "wave_id", Description: "closed"}}}
	}
	return nil
}

// duplicateOrder answers an order id that is already taken: the doctor's
// own order comes back as it was placed; another doctor's is a conflict.
func duplicateOrder(ctx context.Context, tx syncengine.Tx, userID, orderID string) ([]byte, error) {
	o, err := LoadOrder(ctx, tx, orderID)
	if err != nil {
		return nil, err
	}
	if o.UserId != userID {
		return nil, &syncengine.Error{Code: syncengine.ECONFLICT, Message: "this order id is already used; make a new order",
			Violations: []syncengine.Violation{{Field: "order_id", Description: "already used"}}}
	}
	balance, err := points.Balance(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	return mutator.Result(&giftsv1.PlaceOrderResult{OrderId: o.Id, Number: o.Number, PointsSpent: o.PointsTotal, Balance: balance})
}

// localTime formats t in the wave's region's time zone.
func (s *Service) localTime(ctx context.Context, q syncengine.Querier, w Wave, t time.Time) string {
	var tz string
	if err := q.QueryRow(ctx, `SELECT time_zone FROM regions WHERE id = $1`, w.RegionID).Scan(&tz); err == nil {
		if loc, err := time.LoadLocation(tz); err == nil {
			t = t.In(loc)
		}
	}
	return t.Format("02.01.2006 15:04 MST")
}
