package gifts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/gifts"
)

// seed is a test mutation that writes records as if they had synced
// (they show as pending, which the helpers do not mind).
const seed = "test.seed"

type record struct {
	collection, id string
	m              proto.Message
}

// replica opens an offline replica holding records.
func replica(t *testing.T, recs ...record) *sdk.Replica {
	t.Helper()
	s := sdk.NewSchema()
	gifts.Register(s)
	var pending []record
	s.AddMutation(seed, func(tx *sdk.LocalTx, _ []byte) error {
		for _, r := range pending {
			b, err := proto.Marshal(r.m)
			if err != nil {
				return err
			}
			if err := tx.Put(r.collection, r.id, b); err != nil {
				return err
			}
		}
		return nil
	})
	r, err := sdk.Open(context.Background(), sdk.Options{Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	pending = recs
	if _, err := r.Mutate(context.Background(), seed, nil); err != nil {
		t.Fatal(err)
	}
	return r
}

var addr = &giftsv1.DeliveryAddress{Recipient: "Anna Petrova", Phone: "+79000000000", PostalCode: "101000", City: "Moscow", Street: "Tverskaya 1"}

func spring(now time.Time) []record {
	w := &giftsv1.Wave{Id: "w1", RegionId: "msk", Title: "Spring", StartsAtUnixMs: now.Add(-time.Hour).UnixMilli(), EndsAtUnixMs: now.Add(time.Hour).UnixMilli()}
	later := &giftsv1.Wave{Id: "w2", RegionId: "msk", Title: "Summer", StartsAtUnixMs: now.Add(time.Hour).UnixMilli(), EndsAtUnixMs: now.Add(2 * time.Hour).UnixMilli()}
	cream := &giftsv1.CatalogItem{WaveId: "w1", Item: &giftsv1.Item{Id: "cream", Name: "Cream"}, PointsPrice: 100, Allocated: 10, Remaining: 5}
	lamp := &giftsv1.CatalogItem{WaveId: "w1", Item: &giftsv1.Item{Id: "lamp", Name: "Lamp"}, PointsPrice: 30, Allocated: 1, Remaining: 1}
	return []record{
		{"gift_wave", "w1", w}, {"gift_wave", "w2", later},
		{"gift_catalog_item", gifts.CatalogID("w1", "cream"), cream},
		{"gift_catalog_item", gifts.CatalogID("w1", "lamp"), lamp},
	}
}

func TestPlaceOrder(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	r := replica(t, append(spring(now), record{"points_balance", "u1", &pointsv1.PointsBalance{UserId: "u1", Balance: 250}})...)

	open, err := gifts.OpenWaves(ctx, r, now)
	if err != nil || len(open) != 1 || open[0].GetId() != "w1" {
		t.Fatalf("open waves: %v (%v)", open, err)
	}
	cat, err := gifts.Catalog(ctx, r, "w1")
	if err != nil || len(cat) != 2 || cat[0].GetItem().GetName() != "Cream" || cat[1].GetItem().GetName() != "Lamp" {
		t.Fatalf("catalog: %v (%v)", cat, err)
	}

	id, _, err := gifts.PlaceOrder(ctx, r, "w1", []gifts.Line{{ItemID: "cream", Quantity: 2}, {ItemID: "lamp", Quantity: 1}}, addr)
	if err != nil {
		t.Fatal(err)
	}
	o, ok, err := gifts.GetOrder(ctx, r, id)
	if err != nil || !ok || !o.Pending || o.GetPointsTotal() != 230 || o.GetUserId() != "u1" || o.GetWaveTitle() != "Spring" || len(o.GetLines()) != 2 || o.GetAddress().GetCity() != "Moscow" {
		t.Fatalf("order: %+v ok=%v (%v)", o, ok, err)
	}
	if b, err := gifts.Balance(ctx, r); err != nil || b != 20 {
		t.Fatalf("balance %d, want 20 (%v)", b, err)
	}
	cream, _, _ := gifts.CatalogItems.Get(ctx, r, gifts.CatalogID("w1", "cream"))
	lamp, _, _ := gifts.CatalogItems.Get(ctx, r, gifts.CatalogID("w1", "lamp"))
	if cream.GetRemaining() != 3 || lamp.GetRemaining() != 0 {
		t.Fatalf("remaining: cream %d, lamp %d", cream.GetRemaining(), lamp.GetRemaining())
	}
	// The device does not refuse on stock: its level may be stale.
	if _, _, err := gifts.PlaceOrder(ctx, r, "w1", []gifts.Line{{ItemID: "cream", Quantity: 0}}, addr); !errors.Is(err, gifts.ErrQuantity) {
		t.Fatal(err)
	}
	queued := r.Status().Pending

	tests := []struct {
		name  string
		wave  string
		lines []gifts.Line
		addr  *giftsv1.DeliveryAddress
		want  error
		says  string
	}{
		{"unknown wave", "w9", []gifts.Line{{ItemID: "cream", Quantity: 1}}, addr, gifts.ErrUnknownWave, `"w9"`},
		{"unknown item", "w1", []gifts.Line{{ItemID: "pen", Quantity: 1}}, addr, gifts.ErrUnknownItem, `"pen" in "Spring"`},
		{"item of another wave", "w2", []gifts.Line{{ItemID: "cream", Quantity: 1}}, addr, gifts.ErrUnknownItem, `"cream" in "Summer"`},
		{"zero", "w1", []gifts.Line{{ItemID: "lamp", Quantity: 0}}, addr, gifts.ErrQuantity, "items[0] has 0"},
		{"negative", "w1", []gifts.Line{{ItemID: "lamp", Quantity: -3}}, addr, gifts.ErrQuantity, "has -3"},
		{"too many", "w1", []gifts.Line{{ItemID: "lamp", Quantity: 101}}, addr, gifts.ErrQuantity, "has 101"},
		{"twice", "w1", []gifts.Line{{ItemID: "lamp", Quantity: 1}, {ItemID: "lamp", Quantity: 1}}, addr, gifts.ErrDuplicateItem, "items[1]"},
		{"no items", "w1", nil, addr, gifts.ErrNoItems, "not 0"},
		{"no address", "w1", []gifts.Line{{ItemID: "lamp", Quantity: 1}}, nil, gifts.ErrNoAddress, "address"},
		{"dear", "w1", []gifts.Line{{ItemID: "lamp", Quantity: 1}}, addr, gifts.ErrNotEnoughPoints, "you have 20, this order needs 30"},
	}
	for _, tc := range tests {
		_, _, err := gifts.PlaceOrder(ctx, r, tc.wave, tc.lines, tc.addr)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want %v saying %s", tc.name, err, tc.want, tc.says)
		}
	}
	if _, err := r.MutateProto(ctx, gifts.MutationPlaceOrder, &giftsv1.PlaceOrderArgs{OrderId: "not-a-uuid", WaveId: "w1", Address: addr,
		Items: []*giftsv1.PlaceOrderLine{{ItemId: "lamp", Quantity: 1}}}); !errors.Is(err, gifts.ErrOrderID) {
		t.Errorf("a bad order id: %v", err)
	}
	if n := r.Status().Pending; n != queued {
		t.Fatalf("refused orders queued %d mutations", n-queued)
	}
	if b, _ := gifts.Balance(ctx, r); b != 20 {
		t.Fatalf("refused orders moved the balance to %d", b)
	}
	orders, err := gifts.ListOrders(ctx, r)
	if err != nil || len(orders) != 1 || orders[0].GetId() != id {
		t.Fatalf("orders: %v (%v)", orders, err)
	}
}

// TestPlaceOrderWithoutPoints: a doctor who has never had points has no
// balance record, and every order is refused.
func TestPlaceOrderWithoutPoints(t *testing.T) {
	ctx := context.Background()
	r := replica(t, spring(time.Now())...)
	if b, err := gifts.Balance(ctx, r); err != nil || b != 0 {
		t.Fatalf("balance %d (%v)", b, err)
	}
	_, _, err := gifts.PlaceOrder(ctx, r, "w1", []gifts.Line{{ItemID: "lamp", Quantity: 1}}, addr)
	if !errors.Is(err, gifts.ErrNotEnoughPoints) || !strings.Contains(err.Error(), "you have 0") {
		t.Fatal(err)
	}
	if _, ok, _ := gifts.GetOrder(ctx, r, uuid.NewString()); ok {
		t.Fatal("an order out of nowhere")
	}
}
