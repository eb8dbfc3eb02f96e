package gifts_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// env is the gifts module with accounts, points and notifications over a
// sync engine, on a settable clock. Regions msk (territories msk-north and
// msk-south) and spb exist.
type env struct {
	t        testing.TB
	ctx      context.Context
	clock    *storetest.Clock
	store    syncengine.Store
	accounts *auth.Service
	gifts    *gifts.Service
	engine   *syncengine.Engine

	mu          sync.Mutex
	territories map[string]string // doctor -> territory, as the directory would say
}

func newEnv(t testing.TB, d syncengine.Dialect, cfg gifts.Config) *env {
	t.Helper()
	return newEnvOn(t, cfg, func(now func() time.Time) syncengine.Store { return servertest.Store(t, d, now, gifts.Schema()) })
}

// newEnvOn is newEnv on the store open returns.
func newEnvOn(t testing.TB, cfg gifts.Config, open func(now func() time.Time) syncengine.Store) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, ctx: ctx, clock: storetest.NewClock(), territories: map[string]string{}}
	e.store = open(e.clock.Now)
	var err error
	e.accounts, err = auth.New(ctx, e.store, auth.Config{Argon2: auth.TestArgon2, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Territory = func(_ context.Context, _ syncengine.Tx, userID string, into *string) func() error {
		e.mu.Lock()
		defer e.mu.Unlock()
		*into = e.territories[userID]
		return func() error { return nil }
	}
	cfg.Logger = quiet
	e.gifts = gifts.New(e.store, cfg)
	registry := syncengine.NewRegistry()
	e.gifts.Register(registry)
	e.engine = syncengine.New(syncengine.Config{Store: e.store, Registry: registry, Resolver: e.accounts,
		EncodeOutcome: syncrpc.EncodeOutcome, MinClientSchema: 1, Logger: quiet})
	for _, r := range []auth.Region{{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"}, {ID: "spb", Name: "Saint Petersburg", TimeZone: "Europe/Moscow"}} {
		e.must(e.accounts.CreateRegion(ctx, auth.System, r))
	}
	for _, id := range []string{"msk-north", "msk-south"} {
		e.must(e.accounts.CreateTerritory(ctx, auth.System, auth.Territory{ID: id, RegionID: "msk", Name: id}))
	}
	return e
}

func (e *env) must(_ any, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// doctor creates a doctor in a region, verified by a moderator unless
// unverified, with points earned from a training.
func (e *env) doctor(region string, pts int64, verified bool) auth.User {
	e.t.Helper()
	ctx := e.ctx
	u, err := e.accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: uuid.NewString()[:12] + "@clinic.test",
		Password: "long enough pw", Name: "Dr " + uuid.NewString()[:6], Specialty: "dermatology", RegionID: region})
	if err != nil {
		e.t.Fatal(err)
	}
	if verified {
		doc := auth.Principal(u, "")
		e.must(e.accounts.AttachDiploma(ctx, doc, uuid.NewString()))
		e.must(e.accounts.ReviewDiploma(ctx, auth.System, u.ID, true, ""))
	}
	if pts > 0 {
		e.credit(u.ID, pts)
	}
	e.view(func(q syncengine.Querier) error {
		u, err = auth.FindUser(ctx, q, u.ID)
		return err
	})
	return u
}

// credit pays a doctor for a completed training.
func (e *env) credit(userID string, pts int64) {
	e.t.Helper()
	err := e.store.Update(e.ctx, func(tx syncengine.Tx) error {
		_, err := points.Post(e.ctx, tx, points.Entry{UserID: userID, Amount: pts, Source: points.SourceTraining, SourceID: uuid.NewString(), Reason: "course"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) balance(userID string) int64 {
	e.t.Helper()
	var b int64
	e.view(func(q syncengine.Querier) error {
		var err error
		b, err = points.Balance(e.ctx, q, userID)
		return err
	})
	return b
}

// ordered is the units of a wave (and item, if given) in live orders.
func (e *env) ordered(waveID, itemID string) int64 {
	e.t.Helper()
	return e.count(`SELECT CAST(COALESCE(SUM(ordered), 0) AS BIGINT) FROM gift_stock_shards WHERE wave_id = $1 AND ($2 = '' OR item_id = $2)`, waveID, itemID)
}

func (e *env) view(fn func(q syncengine.Querier) error) {
	e.t.Helper()
	if err := e.store.View(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	e.view(func(q syncengine.Querier) error { return q.QueryRow(e.ctx, query, args...).Scan(&n) })
	return n
}

// item creates an item with stock received into the warehouse.
func (e *env) item(sku, name string, stock int64) gifts.Item {
	e.t.Helper()
	it, err := e.gifts.CreateItem(e.ctx, auth.System, gifts.Item{SKU: sku, Name: name, Kind: giftsv1.GiftKind_GIFT_KIND_PRODUCT})
	if err != nil {
		e.t.Fatal(err)
	}
	if stock > 0 {
		e.must(e.gifts.RecordMovement(e.ctx, auth.System, gifts.NewMovement{Item: it.ID, Kind: gifts.MoveReceipt, Quantity: stock, Note: "delivery", RequestID: uuid.NewString()}))
	}
	return it
}

// wave creates a wave of a region open from now for the given time.
func (e *env) wave(region string, open, grace time.Duration) gifts.Wave {
	e.t.Helper()
	now := e.clock.Now()
	w, err := e.gifts.CreateWave(e.ctx, auth.System, gifts.Wave{RegionID: region, Title: "Spring " + region, StartsAt: now, EndsAt: now.Add(open), Grace: grace})
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// offer puts an item in a wave.
func (e *env) offer(w gifts.Wave, it gifts.Item, price, limit, allocated int64) {
	e.t.Helper()
	e.must(e.gifts.SetWaveItem(e.ctx, auth.System, w.ID, it.ID, price, limit, allocated))
}

// device is one installation of the app, stamping its mutations with its
// own clock (which may be wrong: see servertest.Device.Skew).
func (e *env) device(u auth.User) *servertest.Device {
	return servertest.NewDevice(e.t, servertest.DeviceConfig{Engine: e.engine, Principal: auth.Principal(u, uuid.NewString()), Schema: 1, Clock: e.clock.Now})
}

// order makes the device's next order, without sending it.
func order(d *servertest.Device, waveID string, lines ...*giftsv1.PlaceOrderLine) syncengine.Mutation {
	return d.Mutation(gifts.MutationPlaceOrder, orderArgs(uuid.NewString(), waveID, lines...))
}

func orderArgs(orderID, waveID string, lines ...*giftsv1.PlaceOrderLine) *giftsv1.PlaceOrderArgs {
	return &giftsv1.PlaceOrderArgs{OrderId: orderID, WaveId: waveID, Items: lines, Address: address("Lenina 1")}
}

func address(street string) *giftsv1.DeliveryAddress {
	return &giftsv1.DeliveryAddress{Recipient: "Dr Ivanova", Phone: "+7 916 123-45-67", PostalCode: "101000", City: "Moscow", Street: street}
}

func line(it gifts.Item, qty int64) *giftsv1.PlaceOrderLine {
	return &giftsv1.PlaceOrderLine{ItemId: it.ID, Quantity: qty}
}

// place pushes one order and returns its outcome.
func place(d *servertest.Device, waveID string, lines ...*giftsv1.PlaceOrderLine) syncengine.Outcome {
	return d.Push(order(d, waveID, lines...))[0]
}

func placed(t testing.TB, o syncengine.Outcome) *giftsv1.PlaceOrderResult {
	t.Helper()
	if o.Status != syncengine.StatusApplied {
		t.Fatalf("order rejected: %v", o.Error)
	}
	r := &giftsv1.PlaceOrderResult{}
	if err := proto.Unmarshal(o.Result, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// rejected checks an outcome is a rejection with a code, a message
// starting with prefix and, if field is set, a violation on it.
func rejected(t testing.TB, o syncengine.Outcome, code, prefix, field string) {
	t.Helper()
	if o.Status != syncengine.StatusRejected || o.Error == nil {
		t.Fatalf("outcome %v %s, want a rejection %s %q", o.Status, o.Result, code, prefix)
	}
	if o.Error.Code != code || !strings.HasPrefix(o.Error.Message, prefix) {
		t.Fatalf("rejected with %s %q, want %s %q...", o.Error.Code, o.Error.Error(), code, prefix)
	}
	if field == "" {
		return
	}
	for _, v := range o.Error.Violations {
		if v.Field == field {
			return
		}
	}
	t.Fatalf("rejection %q names no field %s", o.Error.Error(), field)
}

// drift fails the test if a balance differs from its ledger or a stock
// line from its movements.
func (e *env) drift() {
	e.t.Helper()
	e.view(func(q syncengine.Querier) error {
		if d, err := points.Drift(e.ctx, q); err != nil || len(d) > 0 {
			return fmt.Errorf("balances drift from the ledger: %v %v", d, err)
		}
		if d, err := gifts.StockDrift(e.ctx, q); err != nil || len(d) > 0 {
			return fmt.Errorf("stock drifts from movements: %v %v", d, err)
		}
		return nil
	})
}
