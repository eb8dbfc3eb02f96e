package gifts_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The reasons a doctor may read on a rejected order in a rush.
var rushReasons = []string{"out of stock", "not enough points", "over the limit"}

// TestOrdersContended: 200 devices place 1,000 orders for an item with 10
// units allocated, pushing in batches, one by one, retrying pushes (also
// concurrently with the original) and placing the same order twice.
// Exactly 10 orders are applied, stock and balances never go below zero,
// balances equal their ledgers, and every rejection says why.
func TestOrdersContended(t *testing.T) {
	const (
		devices   = 200
		perDevice = 5
		price     = 100
		allocated = 10
	)
	e := newEnv(t, syncengine.Postgres, gifts.Config{})
	cream := e.item("CREAM-50", "Repair cream 50 ml", 25)
	w := e.wave("msk", 2*time.Hour, time.Hour)
	e.offer(w, cream, price, 2, allocated)

	// Every tenth doctor cannot afford a single order.
	docs := make([]*servertest.Device, devices)
	initial := map[string]int64{}
	for i := range docs {
		pts := int64(1000)
		if i%10 == 9 {
			pts = 50
		}
		u := e.doctor("msk", pts, true)
		initial[u.ID] = pts
		e.territories[u.ID] = []string{"msk-north", "msk-south"}[i%2]
		docs[i] = e.device(u)
	}

	// Watch the invariants while the orders run.
	stop := make(chan struct{})
	var watched sync.WaitGroup
	var violations atomic.Value
	watched.Add(1)
	go func() {
		defer watched.Done()
		for {
			var remaining, available, reserved, balance, orders int64
			err := e.store.View(e.ctx, func(q syncengine.Querier) error {
				if err := q.QueryRow(e.ctx, `SELECT MIN(allocated - ordered) FROM gift_stock_shards`).Scan(&remaining); err != nil {
					return err
				}
				if err := q.QueryRow(e.ctx, `SELECT MIN(on_hand - reserved), MIN(reserved) FROM gift_stock`).Scan(&available, &reserved); err != nil {
					return err
				}
				if err := q.QueryRow(e.ctx, `SELECT MIN(balance) FROM points_balances`).Scan(&balance); err != nil {
					return err
				}
				return q.QueryRow(e.ctx, `SELECT count(*) FROM gift_orders WHERE number IS NOT NULL`).Scan(&orders)
			})
			if err == nil && (remaining < 0 || available < 0 || reserved < 0 || balance < 0 || orders > allocated) {
				violations.Store(fmt.Sprintf("remaining %d, available %d, reserved %d, min balance %d, orders %d", remaining, available, reserved, balance, orders))
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()

	type placedOrder struct {
		orderID string
		out     syncengine.Outcome
	}
	results := make([][]placedOrder, devices)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, d := range docs {
		ids := make([]string, perDevice)
		ms := make([]syncengine.Mutation, perDevice)
		for j := range ms {
			ids[j] = uuid.NewString()
			if i%4 == 3 && j == perDevice-1 {
				ids[j] = ids[0] // the same order, made again under a new seq
			}
			ms[j] = d.Mutation(gifts.MutationPlaceOrder, orderArgs(ids[j], w.ID, line(cream, 1)))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var outs []syncengine.Outcome
			push := func(ms ...syncengine.Mutation) []syncengine.Outcome {
				out, err := d.TryPush(ms...)
				if err != nil {
					t.Errorf("device %d: push: %v", i, err)
				}
				return out
			}
			switch i % 4 {
			case 0, 3:
				outs = push(ms...)
			case 1:
				for _, m := range ms {
					outs = append(outs, push(m)...)
				}
			case 2:
				// A retry racing the original push, then one more: the
				// same outcomes every time, applied once.
				var a, b []syncengine.Outcome
				var both sync.WaitGroup
				both.Add(2)
				go func() { defer both.Done(); a = push(ms...) }()
				go func() { defer both.Done(); b = push(ms...) }()
				both.Wait()
				c := push(ms...)
				for k := range c {
					if len(a) != perDevice || len(b) != perDevice || !sameOutcome(a[k], c[k]) || !sameOutcome(b[k], c[k]) || !c[k].Replayed {
						t.Errorf("device %d: retried pushes disagree at %d: %+v / %+v / %+v", i, k, a, b, c)
						return
					}
				}
				outs = c
			}
			for k, o := range outs {
				results[i] = append(results[i], placedOrder{ids[k], o})
			}
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	watched.Wait()
	if v := violations.Load(); v != nil {
		t.Fatalf("an invariant broke during the rush: %s", v)
	}

	applied := map[string]string{} // order id -> number
	perDoctor := map[string]int64{}
	reasons := map[string]int{}
	for i, rs := range results {
		if len(rs) != perDevice {
			t.Fatalf("device %d got %d outcomes", i, len(rs))
		}
		for _, r := range rs {
			if r.out.Status == syncengine.StatusApplied {
				res := placed(t, r.out)
				if n, dup := applied[r.orderID]; dup && n != res.Number {
					t.Fatalf("order %s applied twice, as %s and %s", r.orderID, n, res.Number)
				} else if !dup {
					perDoctor[docs[i].P.UserID]++
				}
				applied[r.orderID] = res.Number
				continue
			}
			reason := ""
			if r.out.Error != nil && r.out.Error.Code == syncengine.EPRECONDITION {
				for _, p := range rushReasons {
					if strings.HasPrefix(r.out.Error.Message, p) {
						reason = p
					}
				}
			}
			if reason == "" {
				t.Fatalf("device %d: a rejection without a reason the doctor can read: %+v", i, r.out.Error)
			}
			reasons[reason]++
		}
		// The order made twice is one order.
		if i%4 == 3 && rs[0].out.Status == syncengine.StatusApplied && (rs[perDevice-1].out.Status != syncengine.StatusApplied ||
			placed(t, rs[perDevice-1].out).Number != placed(t, rs[0].out).Number) {
			t.Fatalf("device %d: the same order placed again came back as %+v, first %+v", i, rs[perDevice-1].out, rs[0].out)
		}
	}
	t.Logf("%d orders applied; rejections by reason: %v", len(applied), reasons)
	if len(applied) != allocated {
		t.Fatalf("%d orders applied for %d units", len(applied), allocated)
	}
	if reasons["out of stock"] == 0 {
		t.Fatal("no order was refused for lack of stock")
	}
	if n := e.count(`SELECT count(*) FROM gift_orders`); n != allocated {
		t.Fatalf("%d order rows, want %d", n, allocated)
	}
	if n := e.ordered(w.ID, ""); n != allocated {
		t.Fatalf("the wave counts %d units ordered", n)
	}
	if n := e.count(`SELECT COALESCE(SUM(quantity), 0) FROM gift_order_lines`); n != allocated {
		t.Fatalf("order lines hold %d units", n)
	}
	if n := e.count(`SELECT reserved FROM gift_stock WHERE item_id = $1`, cream.ID); n != allocated {
		t.Fatalf("the warehouse reserves %d", n)
	}
	for _, d := range docs {
		want := initial[d.P.UserID] - price*perDoctor[d.P.UserID]
		if got := e.balance(d.P.UserID); got != want || got < 0 {
			t.Fatalf("doctor with %d orders has %d points, want %d", perDoctor[d.P.UserID], got, want)
		}
		if perDoctor[d.P.UserID] > 2 {
			t.Fatalf("a doctor got %d units over a limit of 2", perDoctor[d.P.UserID])
		}
	}
	if n := e.count(`SELECT count(*) FROM points_ledger WHERE source = $1`, points.SourceOrder); n != allocated {
		t.Fatalf("%d order debits in the ledger", n)
	}
	e.drift()

	// A winner's phone receives the order, the balance and the sold-out
	// catalog through sync.
	for i, rs := range results {
		j := slices.IndexFunc(rs, func(r placedOrder) bool { return r.out.Status == syncengine.StatusApplied })
		if j < 0 {
			continue
		}
		d := docs[i]
		d.Sync()
		o := servertest.Record[giftsv1.Order](d, gifts.OrderCollection, rs[j].orderID, syncengine.UserBucket(d.P.UserID))
		if o == nil || o.Number != applied[rs[j].orderID] || o.Status != giftsv1.OrderStatus_ORDER_STATUS_PLACED || o.PointsTotal != price {
			t.Fatalf("the phone has order %v", o)
		}
		bal := servertest.Record[pointsv1.PointsBalance](d, points.BalanceCollection, d.P.UserID, syncengine.UserBucket(d.P.UserID))
		if bal.GetBalance() != e.balance(d.P.UserID) {
			t.Fatalf("the phone shows %d points, the server %d", bal.GetBalance(), e.balance(d.P.UserID))
		}
		ci := servertest.Record[giftsv1.CatalogItem](d, gifts.CatalogCollection, w.ID+"/"+cream.ID, auth.RegionBucket("msk"))
		if ci == nil || ci.Remaining != 0 {
			t.Fatalf("the phone's catalog shows %v", ci)
		}
		break
	}
}

func sameOutcome(a, b syncengine.Outcome) bool {
	if a.Status != b.Status || string(a.Result) != string(b.Result) || (a.Error == nil) != (b.Error == nil) {
		return false
	}
	return a.Error == nil || a.Error.Error() == b.Error.Error()
}
