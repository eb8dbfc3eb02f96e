package gifts_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func forEachDialect(t *testing.T, fn func(t *testing.T, d syncengine.Dialect)) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

// TestWaveWindow: an order made offline before the close is accepted
// within the grace period and refused after it; a device clock a week
// ahead can neither open a wave early nor stretch it past its close, and
// one a week behind cannot reopen it once the grace period is over.
func TestWaveWindow(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		cream := e.item("CREAM", "Cream", 100)
		// The wave opens in an hour, for two hours, with an hour of grace.
		t0 := e.clock.Now()
		w, err := e.gifts.CreateWave(e.ctx, auth.System, gifts.Wave{RegionID: "msk", Title: "Spring", StartsAt: t0.Add(time.Hour), EndsAt: t0.Add(3 * time.Hour), Grace: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		e.offer(w, cream, 10, 0, 100)
		dev := func(skew time.Duration) *servertest.Device {
			dd := e.device(e.doctor("msk", 1000, true))
			dd.Skew = skew
			return dd
		}
		weekAhead, weekBehind := 7*24*time.Hour, -7*24*time.Hour

		// Before the wave: a device whose clock says it is open is refused.
		ahead := dev(weekAhead)
		rejected(t, place(ahead, w.ID, line(cream, 1)), syncengine.EPRECONDITION, "wave not open yet", "wave_id")
		// During the wave, a clock a week ahead does not close it early.
		e.clock.Advance(time.Hour)
		placed(t, place(ahead, w.ID, line(cream, 1)))

		// Offline orders made a minute before the close.
		e.clock.Advance(2*time.Hour - time.Minute)
		inGrace, afterGrace, aheadLate, behindLate := dev(0), dev(0), dev(weekAhead), dev(weekBehind)
		ordInGrace := order(inGrace, w.ID, line(cream, 1))
		ordAfterGrace := order(afterGrace, w.ID, line(cream, 1))
		e.clock.Advance(time.Minute) // closed

		// Pushed half an hour after the close: accepted.
		e.clock.Advance(30 * time.Minute)
		placed(t, inGrace.Push(ordInGrace)[0])
		// Made after the close by a clock a week ahead: it cannot stretch
		// the wave.
		rejected(t, place(aheadLate, w.ID, line(cream, 1)), syncengine.EPRECONDITION, "wave closed", "wave_id")
		// Pushed after the grace period: refused, however early the device
		// says it made it — a clock a week behind cannot reopen the wave.
		e.clock.Advance(31 * time.Minute)
		rejected(t, afterGrace.Push(ordAfterGrace)[0], syncengine.EPRECONDITION, "wave closed", "wave_id")
		rejected(t, place(behindLate, w.ID, line(cream, 1)), syncengine.EPRECONDITION, "wave closed", "wave_id")

		for _, dd := range []*servertest.Device{afterGrace, aheadLate, behindLate} {
			if b := e.balance(dd.P.UserID); b != 1000 {
				t.Fatalf("a refused order left %d points of 1000", b)
			}
		}
		if n := e.ordered(w.ID, ""); n != 2 {
			t.Fatalf("%d units ordered, want 2", n)
		}
		e.drift()
	})
}

// TestBadOrders: malformed or impossible orders are rejected with the
// fields at fault, and nothing is debited or reserved.
func TestBadOrders(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		cream := e.item("CREAM", "Cream", 100)
		serum := e.item("SERUM", "Serum", 100)
		w := e.wave("msk", 2*time.Hour, time.Hour)
		e.offer(w, cream, 10, 0, 50)
		spb := e.wave("spb", 2*time.Hour, time.Hour)
		e.offer(spb, cream, 10, 0, 50)
		doc := e.device(e.doctor("msk", 1000, true))

		noCity := orderArgs("2c0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, line(cream, 1))
		noCity.Address.City = ""
		blankStreet := orderArgs("3c0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, line(cream, 1))
		blankStreet.Address.Street = "   "
		badPhone := orderArgs("4c0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, line(cream, 1))
		badPhone.Address.Phone = "call me"
		noAddress := orderArgs("5c0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, line(cream, 1))
		noAddress.Address = nil
		cases := []struct {
			name        string
			args        *giftsv1.PlaceOrderArgs
			code, field string
		}{
			{"unknown item", orderArgs("6c0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, &giftsv1.PlaceOrderLine{ItemId: "no-such-item", Quantity: 1}), syncengine.ENOTFOUND, "items[0].item_id"},
			{"item not in the wave", orderArgs("7c0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, line(serum, 1)), syncengine.ENOTFOUND, "items[0].item_id"},
			{"negative quantity", orderArgs("8c0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, line(cream, -2)), syncengine.EINVALID, "items[0].quantity"},
			{"zero quantity", orderArgs("9c0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, line(cream, 0)), syncengine.EINVALID, "items[0].quantity"},
			{"item twice", orderArgs("ac0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID, line(cream, 1), line(cream, 1)), syncengine.EINVALID, "items[1].item_id"},
			{"no items", orderArgs("bc0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", w.ID), syncengine.EINVALID, "items"},
			{"address without a city", noCity, syncengine.EINVALID, "address.city"},
			{"address with a blank street", blankStreet, syncengine.EINVALID, "address.street"},
			{"address with no phone number", badPhone, syncengine.EINVALID, "address.phone"},
			{"no address", noAddress, syncengine.EINVALID, "address"},
			{"order id not a uuid", orderArgs("order-1", w.ID, line(cream, 1)), syncengine.EINVALID, "order_id"},
			{"unknown wave", orderArgs("cc0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", "no-such-wave", line(cream, 1)), syncengine.ENOTFOUND, "wave_id"},
			{"a wave of another region", orderArgs("dc0e6fa8-3f5d-4b6e-9d3b-2f1a0c9e8d7b", spb.ID, line(cream, 1)), syncengine.ENOTFOUND, "wave_id"},
		}
		for _, c := range cases {
			out := doc.Push(doc.Mutation(gifts.MutationPlaceOrder, c.args))[0]
			if out.Status != syncengine.StatusRejected || out.Error.Code != c.code || !hasField(out.Error, c.field) {
				t.Fatalf("%s: %v %+v, want %s on %s", c.name, out.Status, out.Error, c.code, c.field)
			}
		}
		// Arguments that are not an order at all.
		out := doc.Push(doc.Raw(gifts.MutationPlaceOrder, []byte{0xff, 0xff}))[0]
		rejected(t, out, syncengine.EINVALID, "malformed arguments", "args")

		// Someone who is not a verified doctor of the region.
		unverified := e.device(e.doctor("msk", 1000, false))
		rejected(t, place(unverified, w.ID, line(cream, 1)), syncengine.EPERMISSION, "your diploma has not been verified", "")
		rep, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleRep, Email: "rep@x.test", Password: "long enough pw", Name: "Rep", RegionID: "msk"})
		if err != nil {
			t.Fatal(err)
		}
		rejected(t, place(e.device(rep), w.ID, line(cream, 1)), syncengine.EPERMISSION, "this needs a doctor account", "")

		if b := e.balance(doc.P.UserID); b != 1000 {
			t.Fatalf("bad orders left %d points of 1000", b)
		}
		if n := e.count(`SELECT count(*) FROM gift_orders`); n != 0 {
			t.Fatalf("%d orders written", n)
		}
		if n := e.count(`SELECT CAST(COALESCE(SUM(ordered), 0) AS BIGINT) FROM gift_stock_shards`); n != 0 {
			t.Fatalf("%d units reserved", n)
		}
		if n := e.count(`SELECT count(*) FROM gift_doctor_items WHERE quantity > 0`); n != 0 {
			t.Fatalf("%d limit rows held", n)
		}
		// The doctor can still order properly.
		placed(t, place(doc, w.ID, line(cream, 2)))
		e.drift()
	})
}

func hasField(err *syncengine.Error, field string) bool {
	for _, v := range err.Violations {
		if v.Field == field {
			return true
		}
	}
	return false
}

// TestOrderRejections: each reason a doctor can read, with nothing
// debited or reserved.
func TestOrderRejections(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		cream := e.item("CREAM", "Cream", 100)
		lamp := e.item("LAMP", "Dermatoscope", 3)
		w := e.wave("msk", 2*time.Hour, time.Hour)
		e.offer(w, cream, 100, 2, 50)
		e.offer(w, lamp, 300, 0, 3)
		me := e.doctor("msk", 1000, true)
		doc := e.device(me)

		rejected(t, place(doc, w.ID, line(lamp, 4)), syncengine.EPRECONDITION, "out of stock: only 3 of Dermatoscope left", "items[0].quantity")
		rejected(t, place(doc, w.ID, line(cream, 3)), syncengine.EPRECONDITION, "over the limit: at most 2 of Cream", "items[0].quantity")
		rejected(t, place(doc, w.ID, line(lamp, 3), line(cream, 2)), syncengine.EPRECONDITION, "not enough points: you have 1000, this needs 1100", "points")
		placed(t, place(doc, w.ID, line(cream, 1)))
		rejected(t, place(doc, w.ID, line(cream, 2)), syncengine.EPRECONDITION, "over the limit: at most 2 of Cream per doctor in this wave, and you have already ordered 1", "items[0].quantity")
		// A second device of the same doctor shares the limit.
		other := e.device(me)
		placed(t, place(other, w.ID, line(cream, 1)))
		rejected(t, place(other, w.ID, line(cream, 1)), syncengine.EPRECONDITION, "over the limit", "")
		res := placed(t, place(doc, w.ID, line(lamp, 2)))
		if res.Balance != 200 || res.PointsSpent != 600 {
			t.Fatalf("result %v", res)
		}
		rejected(t, place(e.device(e.doctor("msk", 1000, true)), w.ID, line(lamp, 2)), syncengine.EPRECONDITION, "out of stock: only 1 of Dermatoscope left", "")
		if n := e.ordered(w.ID, lamp.ID); n != 2 {
			t.Fatalf("%d lamps ordered", n)
		}
		// The allocation can shrink to what is ordered, not below; what it
		// gives up goes back to the warehouse.
		if _, err := e.gifts.SetWaveItem(e.ctx, auth.System, w.ID, lamp.ID, 300, 0, 1); syncengine.ErrorCode(err) != syncengine.EPRECONDITION {
			t.Fatalf("shrinking below the orders: %v", err)
		}
		if wi, err := e.gifts.SetWaveItem(e.ctx, auth.System, w.ID, lamp.ID, 300, 0, 2); err != nil || wi.Remaining() != 0 {
			t.Fatalf("shrinking to the orders: %+v %v", wi, err)
		}
		if n := e.count(`SELECT reserved FROM gift_stock WHERE item_id = $1`, lamp.ID); n != 2 {
			t.Fatalf("the warehouse reserves %d lamps", n)
		}
		rejected(t, place(doc, w.ID, line(lamp, 1)), syncengine.EPRECONDITION, "out of stock: Dermatoscope is sold out", "items[0].quantity")
		e.drift()
		// Three orders went through: the directors' summary counts them.
		var orders int64
		e.view(func(q syncengine.Querier) error {
			var err error
			orders, err = gifts.CountOrders(e.ctx, q, "msk", time.Time{}, time.Now().Add(48*time.Hour))
			return err
		})
		if orders != 3 {
			t.Fatalf("summary counts %d gift orders, want 3", orders)
		}
	})
}

// TestCancelOrder: a placed order is cancelled once, with points, stock
// and the doctor's limit returned; a packed one cannot be; another
// doctor's order is not found.
func TestCancelOrder(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		cream := e.item("CREAM", "Cream", 10)
		w := e.wave("msk", 2*time.Hour, time.Hour)
		e.offer(w, cream, 100, 1, 1)
		doc := e.device(e.doctor("msk", 500, true))
		first := placed(t, place(doc, w.ID, line(cream, 1)))
		cancel := func(dd *servertest.Device, orderID string) syncengine.Outcome {
			return dd.Push(dd.Mutation(gifts.MutationCancelOrder, &giftsv1.CancelOrderArgs{OrderId: orderID}))[0]
		}
		stranger := e.device(e.doctor("msk", 500, true))
		rejected(t, cancel(stranger, first.OrderId), syncengine.ENOTFOUND, "no gift order", "order_id")
		for i := 0; i < 2; i++ {
			out := cancel(doc, first.OrderId)
			if out.Status != syncengine.StatusApplied {
				t.Fatalf("cancel %d: %v", i, out.Error)
			}
			res := &giftsv1.CancelOrderResult{}
			if err := proto.Unmarshal(out.Result, res); err != nil || res.Balance != 500 || res.PointsRefunded != 100 {
				t.Fatalf("cancel %d: %v %v", i, res, err)
			}
		}
		doc.Sync()
		o := servertest.Record[giftsv1.Order](doc, gifts.OrderCollection, first.OrderId, syncengine.UserBucket(doc.P.UserID))
		if o.GetStatus() != giftsv1.OrderStatus_ORDER_STATUS_CANCELLED {
			t.Fatalf("the phone shows the order %v", o.GetStatus())
		}
		// The unit and the limit are free again: the stranger gets it, the
		// doctor may order again once it is back.
		second := placed(t, place(stranger, w.ID, line(cream, 1)))
		rejected(t, place(doc, w.ID, line(cream, 1)), syncengine.EPRECONDITION, "out of stock", "")
		if _, err := e.gifts.PackShipments(e.ctx, auth.System, w.ID); err != nil {
			t.Fatal(err)
		}
		rejected(t, cancel(stranger, second.OrderId), syncengine.EPRECONDITION, "order "+second.Number+" is already packed", "order_id")
		if b := e.balance(stranger.P.UserID); b != 400 {
			t.Fatalf("stranger has %d", b)
		}
		e.drift()
	})
}
