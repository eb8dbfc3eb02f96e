package gifts_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestWarehouse follows goods from receipt through a wave's orders,
// shipments grouped by address, delivery and the release of what the wave
// did not sell, checking stock, reports and what doctors' phones show.
func TestWarehouse(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		ctx, sys := e.ctx, auth.System
		cream := e.item("CREAM", "Cream", 0)
		lamp := e.item("LAMP", "Dermatoscope", 0)

		// A retried receipt records once; a request id reused for
		// something else is refused.
		req := uuid.NewString()
		first, err := e.gifts.RecordMovement(ctx, sys, gifts.NewMovement{Item: "CREAM", Kind: gifts.MoveReceipt, Quantity: 20, Note: "from the factory", RequestID: req})
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.gifts.RecordMovement(ctx, sys, gifts.NewMovement{Item: "CREAM", Kind: gifts.MoveReceipt, Quantity: 20, Note: "from the factory", RequestID: req})
		if err != nil || again.Movement.ID != first.Movement.ID || again.Level.OnHand != 20 {
			t.Fatalf("retried receipt: %+v %v", again, err)
		}
		if _, err := e.gifts.RecordMovement(ctx, sys, gifts.NewMovement{Item: "CREAM", Kind: gifts.MoveReceipt, Quantity: 30, RequestID: req}); syncengine.ErrorCode(err) != syncengine.ECONFLICT {
			t.Fatalf("request id reused: %v", err)
		}
		if _, err := e.gifts.RecordMovement(ctx, sys, gifts.NewMovement{Item: "CREAM", Kind: gifts.MoveWriteOff, Quantity: 25, RequestID: uuid.NewString()}); syncengine.ErrorCode(err) != syncengine.EPRECONDITION {
			t.Fatalf("writing off more than there is: %v", err)
		}
		if r, err := e.gifts.RecordMovement(ctx, sys, gifts.NewMovement{Item: "CREAM", Kind: gifts.MoveWriteOff, Quantity: 2, Note: "crushed", RequestID: uuid.NewString()}); err != nil || r.Level.OnHand != 18 {
			t.Fatalf("write-off: %+v %v", r, err)
		}
		if _, err := e.gifts.RecordMovement(ctx, sys, gifts.NewMovement{Item: "CREAM", Kind: gifts.MoveReservation, Quantity: 2}); syncengine.ErrorCode(err) != syncengine.EINVALID {
			t.Fatalf("a hand-made reservation: %v", err)
		}
		if _, err := e.gifts.RecordMovement(ctx, sys, gifts.NewMovement{Item: "NOPE", Kind: gifts.MoveReceipt, Quantity: 2}); syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
			t.Fatalf("an unknown item: %v", err)
		}
		doctorP := auth.Principal(e.doctor("msk", 0, true), "")
		if _, err := e.gifts.RecordMovement(ctx, doctorP, gifts.NewMovement{Item: "CREAM", Kind: gifts.MoveReceipt, Quantity: 2}); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("a doctor recording a receipt: %v", err)
		}

		// Allocating to a wave reserves stock, and only what there is.
		w := e.wave("msk", 2*time.Hour, time.Hour)
		if _, err := e.gifts.SetWaveItem(ctx, sys, w.ID, lamp.ID, 500, 0, 5); syncengine.ErrorCode(err) != syncengine.EPRECONDITION || !strings.Contains(err.Error(), "not enough stock of Dermatoscope") {
			t.Fatalf("allocating what is not there: %v", err)
		}
		e.offer(w, cream, 100, 0, 10)
		if _, err := e.gifts.RecordMovement(ctx, sys, gifts.NewMovement{Item: "CREAM", Kind: gifts.MoveWriteOff, Quantity: 9, RequestID: uuid.NewString()}); syncengine.ErrorCode(err) != syncengine.EPRECONDITION {
			t.Fatalf("writing off stock reserved for a wave: %v", err)
		}

		// Orders: two doctors at one address (written differently), one
		// at another, one cancelled.
		north1, south, north2, gone := e.doctor("msk", 1000, true), e.doctor("msk", 1000, true), e.doctor("msk", 1000, true), e.doctor("msk", 1000, true)
		e.territories[north1.ID], e.territories[north2.ID], e.territories[south.ID] = "msk-north", "msk-north", "msk-south"
		d1, d2, d3, d4 := e.device(north1), e.device(south), e.device(north2), e.device(gone)
		placed(t, place(d1, w.ID, line(cream, 2)))
		same := orderArgs(uuid.NewString(), w.ID, line(cream, 1))
		same.Address.Recipient, same.Address.City, same.Address.Street = "Dr Petrov", "MOSCOW", "  lenina   1 "
		placed(t, d2.Push(d2.Mutation(gifts.MutationPlaceOrder, same))[0])
		elsewhere := orderArgs(uuid.NewString(), w.ID, line(cream, 1))
		elsewhere.Address.Street = "Tverskaya 5"
		placed(t, d3.Push(d3.Mutation(gifts.MutationPlaceOrder, elsewhere))[0])
		cancelled := placed(t, place(d4, w.ID, line(cream, 3)))
		if out := d4.Push(d4.Mutation(gifts.MutationCancelOrder, &giftsv1.CancelOrderArgs{OrderId: cancelled.OrderId}))[0]; out.Status != syncengine.StatusApplied {
			t.Fatalf("cancel: %v", out.Error)
		}

		shipments, err := e.gifts.PackShipments(ctx, sys, w.ID)
		if err != nil || len(shipments) != 2 {
			t.Fatalf("packed %d shipments: %v", len(shipments), err)
		}
		slices.SortFunc(shipments, func(a, b *giftsv1.Shipment) int { return len(b.OrderIds) - len(a.OrderIds) })
		lenina, tverskaya := shipments[0], shipments[1]
		if len(lenina.OrderIds) != 2 || lenina.Lines[0].Quantity != 3 || len(tverskaya.OrderIds) != 1 || lenina.Status != giftsv1.ShipmentStatus_SHIPMENT_STATUS_PACKED {
			t.Fatalf("shipments: %v / %v", lenina, tverskaya)
		}
		if again, err := e.gifts.PackShipments(ctx, sys, w.ID); err != nil || len(again) != 0 {
			t.Fatalf("packing again: %v %v", again, err)
		}

		shipped, err := e.gifts.ShipShipment(ctx, sys, strings.ToLower(lenina.Number), "RA123456789RU")
		if err != nil || shipped.Status != giftsv1.ShipmentStatus_SHIPMENT_STATUS_SHIPPED || shipped.Tracking != "RA123456789RU" {
			t.Fatalf("ship: %v %v", shipped, err)
		}
		if _, err := e.gifts.ShipShipment(ctx, sys, lenina.Id, ""); syncengine.ErrorCode(err) != syncengine.EPRECONDITION {
			t.Fatalf("shipping twice: %v", err)
		}
		if _, err := e.gifts.DeliverShipment(ctx, sys, tverskaya.Id); syncengine.ErrorCode(err) != syncengine.EPRECONDITION {
			t.Fatalf("delivering what has not shipped: %v", err)
		}
		if _, err := e.gifts.DeliverShipment(ctx, sys, lenina.Id); err != nil {
			t.Fatal(err)
		}

		// The doctor's phone: the order delivered with its tracking number,
		// and the notice that it shipped.
		d1.Sync()
		var mine *giftsv1.Order
		for _, o := range servertest.Records[giftsv1.Order](d1, gifts.OrderCollection, syncengine.UserBucket(north1.ID)) {
			mine = o
		}
		if mine == nil || mine.Status != giftsv1.OrderStatus_ORDER_STATUS_DELIVERED || mine.Tracking != "RA123456789RU" || mine.ShipmentId != lenina.Id {
			t.Fatalf("the phone shows %v", mine)
		}
		inbox := slices.Collect(maps.Values(servertest.Records[notifyv1.InboxItem](d1, notify.InboxCollection, syncengine.UserBucket(north1.ID))))
		if len(inbox) != 1 || inbox[0].Kind != gifts.NoticeShipped || inbox[0].Title != "Ваш подарок отправлен" || !strings.Contains(inbox[0].Body, mine.Number) || !strings.Contains(inbox[0].Body, "RA123456789RU") {
			t.Fatalf("inbox %v", inbox)
		}
		if n := e.count(`SELECT count(*) FROM notifications WHERE kind = $1`, gifts.NoticeShipped); n != 2 {
			t.Fatalf("%d shipping notices for two doctors", n)
		}

		stock, err := e.gifts.StockReport(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		want := &giftsv1.Stock{OnHand: 15, Reserved: 7, Available: 8, Received: 20, Shipped: 3, WrittenOff: 2}
		if got := stock[0]; got.Item.Sku != "CREAM" || got.OnHand != want.OnHand || got.Reserved != want.Reserved || got.Available != want.Available ||
			got.Received != want.Received || got.Shipped != want.Shipped || got.WrittenOff != want.WrittenOff {
			t.Fatalf("stock %v, want %v", got, want)
		}
		waves, err := e.gifts.WaveReport(ctx, sys, w.ID)
		if err != nil || len(waves) != 1 || waves[0].Allocated != 10 || waves[0].Ordered != 4 || waves[0].Shipped != 3 || waves[0].Points != 400 {
			t.Fatalf("wave report %v %v", waves, err)
		}
		terr, err := e.gifts.TerritoryReport(ctx, sys, "")
		if err != nil || len(terr) != 2 {
			t.Fatalf("territory report %v %v", terr, err)
		}
		byID := map[string]*giftsv1.TerritoryFigures{}
		for _, f := range terr {
			byID[f.TerritoryId] = f
		}
		if n := byID["msk-north"]; n.Orders != 2 || n.UnitsOrdered != 3 || n.UnitsShipped != 2 || n.Points != 300 {
			t.Fatalf("msk-north %v", n)
		}
		if s := byID["msk-south"]; s.Orders != 1 || s.UnitsShipped != 1 {
			t.Fatalf("msk-south %v", s)
		}
		if n, ok := byID[""]; ok {
			t.Fatalf("a cancelled order counts: %v", n)
		}

		// After the grace period the wave leaves the phones and what it did
		// not sell goes back to the warehouse.
		e.clock.Advance(3*time.Hour + time.Minute)
		if err := e.gifts.Tick(ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := e.gifts.Tick(ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		stock, _ = e.gifts.StockReport(ctx, sys)
		if stock[0].Reserved != 1 || stock[0].Available != 14 {
			t.Fatalf("after the release: %v", stock[0])
		}
		d1.Sync()
		if _, ok := d1.Replica.Get(auth.RegionBucket("msk"), gifts.WaveCollection, w.ID); ok {
			t.Fatal("the ended wave is still on the phone")
		}
		if _, ok := d1.Replica.Get(auth.RegionBucket("msk"), gifts.CatalogCollection, w.ID+"/"+cream.ID); ok {
			t.Fatal("the ended wave's catalog is still on the phone")
		}
		if _, ok := d1.Replica.Get(syncengine.UserBucket(north1.ID), gifts.OrderCollection, mine.Id); !ok {
			t.Fatal("the doctor lost their order with the wave")
		}
		if _, err := e.gifts.ShipShipment(ctx, sys, tverskaya.Number, ""); err != nil {
			t.Fatal(err)
		}
		stock, _ = e.gifts.StockReport(ctx, sys)
		if stock[0].Reserved != 0 || stock[0].OnHand != 14 {
			t.Fatalf("all shipped: %v", stock[0])
		}
		moves, err := e.gifts.ListMovements(ctx, sys, "CREAM", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, m := range moves {
			kinds = append(kinds, m.Kind)
		}
		slices.Sort(kinds)
		if want := []string{"receipt", "reservation", "reservation", "shipment", "shipment", "write_off"}; !slices.Equal(kinds, want) {
			t.Fatalf("movements %v, want %v", kinds, want)
		}
		e.drift()
	})
}
