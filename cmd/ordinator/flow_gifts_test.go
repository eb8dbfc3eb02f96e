package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkgifts "github.com/ordinatorhq/ordinator/mobile-sdk/gifts"
	"github.com/ordinatorhq/ordinator/mobile-sdk/inbox"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// giftsSchema is the doctor's app schema for the gifts flow.
func giftsSchema() *sdk.Schema {
	s := sdk.NewSchema()
	sdkgifts.Register(s)
	inbox.Register(s)
	return s
}

// giftsWave opens a wave in region msk offering an item received into the
// warehouse, allocated units of it at price points each.
func giftsWave(t *testing.T, p *platform, price, allocated int64) (gifts.Wave, gifts.Item) {
	t.Helper()
	ctx := context.Background()
	g := p.App.gifts
	it, err := g.CreateItem(ctx, auth.System, gifts.Item{SKU: "CREAM-" + randomSuffix(), Name: "Repair cream 50 ml", Kind: giftsv1.GiftKind_GIFT_KIND_PRODUCT})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.RecordMovement(ctx, auth.System, gifts.NewMovement{Item: it.ID, Kind: gifts.MoveReceipt, Quantity: 100, Note: "factory", RequestID: uuid.NewString()}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	w, err := g.CreateWave(ctx, auth.System, gifts.Wave{RegionID: "msk", Title: "Spring gifts", StartsAt: now.Add(-time.Minute), EndsAt: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.SetWaveItem(ctx, auth.System, w.ID, it.ID, price, 0, allocated); err != nil {
		t.Fatal(err)
	}
	return w, it
}

var giftsAddress = &giftsv1.DeliveryAddress{Recipient: "Anna Petrova", Phone: "+7 900 000-00-00", PostalCode: "101000", City: "Moscow", Street: "Tverskaya 1"}

// TestGiftFlow: a verified doctor with points sees an open wave and its
// catalog on the phone, orders offline (a pending order and the points
// taken show at once), and once online the order is placed and the phone
// agrees with the server on the order and the balance. Orders certain to
// fail are refused on the phone with nothing queued; an order for more
// than the stock left is rejected by the server, the reason reaches the
// app, and the optimistic order and debit are rolled back.
func TestGiftFlow(t *testing.T) {
	p := startPlatform(t, platformOptions{Postgres: true})
	ctx := context.Background()
	doc := p.User(auth.RoleDoctor, "doctor@gifts.test")
	if _, err := points.Adjust(ctx, p.Store, auth.System, doc.ID, 1000, "welcome points", uuid.NewString()); err != nil {
		t.Fatal(err)
	}
	w, it := giftsWave(t, p, 100, 3)

	phone := p.Device("doctor@gifts.test", giftsSchema())
	if err := phone.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	waves, err := sdkgifts.OpenWaves(ctx, phone, time.Now())
	if err != nil || len(waves) != 1 || waves[0].GetId() != w.ID || waves[0].GetTitle() != "Spring gifts" {
		t.Fatalf("open waves on the phone: %v (%v)", waves, err)
	}
	catalog, err := sdkgifts.Catalog(ctx, phone, w.ID)
	if err != nil || len(catalog) != 1 {
		t.Fatalf("catalog: %v (%v)", catalog, err)
	}
	if c := catalog[0]; c.GetItem().GetId() != it.ID || c.GetPointsPrice() != 100 || c.GetRemaining() != 3 {
		t.Fatalf("catalog item: %v", c)
	}
	balance := func() int64 {
		t.Helper()
		b, err := sdkgifts.Balance(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := balance(); b != 1000 {
		t.Fatalf("balance on the phone %d, want 1000", b)
	}

	giftsMust(t, phone.Start())
	phone.SetConnectivity(sdk.Offline)
	servertest.Eventually(t, "the loop to wait for the network", func() bool { return phone.Loop().Waiting == sdk.WaitNetwork })
	offline := phone.Loop()

	// Refused on the phone: nothing queued, nothing shown.
	for _, tc := range []struct {
		lines []sdkgifts.Line
		want  error
	}{
		{[]sdkgifts.Line{{ItemID: "no-such-item", Quantity: 1}}, sdkgifts.ErrUnknownItem},
		{[]sdkgifts.Line{{ItemID: it.ID, Quantity: 0}}, sdkgifts.ErrQuantity},
		{[]sdkgifts.Line{{ItemID: it.ID, Quantity: 11}}, sdkgifts.ErrNotEnoughPoints},
	} {
		if _, _, err := sdkgifts.PlaceOrder(ctx, phone, w.ID, tc.lines, giftsAddress); !errors.Is(err, tc.want) {
			t.Fatalf("order %v: %v, want %v", tc.lines, err, tc.want)
		}
	}
	if _, _, err := sdkgifts.PlaceOrder(ctx, phone, w.ID, []sdkgifts.Line{{ItemID: it.ID, Quantity: 11}}, giftsAddress); err == nil || !strings.Contains(err.Error(), "you have 1000, this order needs 1100") {
		t.Fatalf("a too dear order says %v", err)
	}
	if n := phone.Status().Pending; n != 0 {
		t.Fatalf("%d mutations queued by refused orders", n)
	}

	// Offline: the order shows pending, its points already taken.
	orderID, _, err := sdkgifts.PlaceOrder(ctx, phone, w.ID, []sdkgifts.Line{{ItemID: it.ID, Quantity: 2}}, giftsAddress)
	giftsMust(t, err)
	o, ok, err := sdkgifts.GetOrder(ctx, phone, orderID)
	if err != nil || !ok || !o.Pending || o.GetPointsTotal() != 200 || o.GetNumber() != "" || len(o.GetLines()) != 1 || o.GetLines()[0].GetName() != "Repair cream 50 ml" {
		t.Fatalf("pending order: %+v ok=%v (%v)", o, ok, err)
	}
	if b := balance(); b != 800 {
		t.Fatalf("balance while the order is pending %d, want 800", b)
	}
	if l := phone.Loop(); l != offline {
		t.Fatalf("the loop woke offline: %+v, then %+v", offline, l)
	}
	giftsMust(t, p.Store.View(ctx, func(q syncengine.Querier) error {
		if _, err := gifts.LoadOrder(ctx, q, orderID); err == nil {
			t.Fatal("the order reached the server while the phone was offline")
		}
		return nil
	}))

	// Online: the order is placed, the phone shows the server's state.
	phone.SetConnectivity(sdk.Online)
	servertest.Eventually(t, "the order is placed on the phone", func() bool {
		o, ok, err = sdkgifts.GetOrder(ctx, phone, orderID)
		return err == nil && ok && !o.Pending && o.GetNumber() != ""
	})
	var server *giftsv1.Order
	var serverBalance int64
	giftsMust(t, p.Store.View(ctx, func(q syncengine.Querier) error {
		if server, err = gifts.LoadOrder(ctx, q, orderID); err != nil {
			return err
		}
		serverBalance, err = points.Balance(ctx, q, doc.ID)
		return err
	}))
	if o.GetStatus() != giftsv1.OrderStatus_ORDER_STATUS_PLACED || server.GetStatus() != o.GetStatus() || server.GetNumber() != o.GetNumber() || server.GetPointsTotal() != 200 {
		t.Fatalf("order on the phone %v, on the server %v", o.Order, server)
	}
	if b := balance(); serverBalance != 800 || b != serverBalance {
		t.Fatalf("balance: phone %d, server %d, want 800", b, serverBalance)
	}
	if entries, err := sdkgifts.History(ctx, phone, 0); err != nil || len(entries) != 2 || entries[0].GetAmount() != -200 || entries[0].GetSourceId() != orderID {
		t.Fatalf("points history on the phone: %v (%v)", entries, err)
	}

	// One unit is left; the phone may not know that exactly, so it
	// queues an order for two, which the server rejects.
	phone.SetConnectivity(sdk.Offline)
	tooMany, mutationID, err := sdkgifts.PlaceOrder(ctx, phone, w.ID, []sdkgifts.Line{{ItemID: it.ID, Quantity: 2}}, giftsAddress)
	giftsMust(t, err)
	if b := balance(); b != 600 {
		t.Fatalf("balance while the second order is pending %d, want 600", b)
	}
	phone.SetConnectivity(sdk.Online)
	var rejected sdk.Rejection
	servertest.Eventually(t, "the rejection reaches the app", func() bool {
		rs, err := phone.Rejections(ctx)
		for _, r := range rs {
			if r.MutationID == mutationID {
				rejected = r
			}
		}
		return err == nil && rejected.MutationID != 0
	})
	if rejected.Mutation != sdkgifts.MutationPlaceOrder || rejected.Code != syncengine.EPRECONDITION ||
		!strings.Contains(rejected.Reason, "only 1 of Repair cream 50 ml left, this order needs 2") {
		t.Fatalf("rejection: %v", rejected)
	}
	if _, ok, err := sdkgifts.GetOrder(ctx, phone, tooMany); err != nil || ok {
		t.Fatalf("the rejected order is still on the phone (%v)", err)
	}
	if b := balance(); b != 800 {
		t.Fatalf("balance after the rejection %d, want 800 again", b)
	}
	if orders, err := sdkgifts.ListOrders(ctx, phone); err != nil || len(orders) != 1 || orders[0].GetId() != orderID {
		t.Fatalf("orders on the phone: %v (%v)", orders, err)
	}
	catalog, err = sdkgifts.Catalog(ctx, phone, w.ID)
	if err != nil || len(catalog) != 1 || catalog[0].GetRemaining() != 1 {
		t.Fatalf("catalog after the rejection: %v (%v)", catalog, err)
	}
}

// TestInboxFlow: the phone registers its push token through the SDK; an
// item put in the doctor's inbox syncs to the phone and to the doctor's
// tablet; read on the phone, it is read on the tablet too.
func TestInboxFlow(t *testing.T) {
	p := startPlatform(t, platformOptions{Postgres: true})
	ctx := context.Background()
	doc := p.User(auth.RoleDoctor, "doctor@inbox.test")
	phone := p.Device("doctor@inbox.test", giftsSchema())
	tablet := p.Device("doctor@inbox.test", giftsSchema())

	token := "fcm:" + strings.Repeat("A1b2_", 10)
	giftsMust(t, inbox.RegisterPushToken(ctx, phone, token, inbox.Android, "ru-RU", "Europe/Moscow"))
	var platformName, zone string
	giftsMust(t, p.Store.View(ctx, func(q syncengine.Querier) error {
		return q.QueryRow(ctx, `SELECT platform, time_zone FROM push_tokens WHERE token = $1 AND user_id = $2`, token, doc.ID).Scan(&platformName, &zone)
	}))
	if platformName != "android" || zone != "Europe/Moscow" {
		t.Fatalf("registered token: %s %s", platformName, zone)
	}
	err := inbox.RegisterPushToken(ctx, phone, "short", inbox.Android, "ru-RU", "Europe/Moscow")
	if err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("a bad token: %v", err)
	}

	giftsMust(t, phone.Sync(ctx))
	giftsMust(t, tablet.Sync(ctx))
	before, err := inbox.All(ctx, phone, 0)
	giftsMust(t, err)
	giftsMust(t, p.Store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: doc.ID, Kind: "doctor.update_requested",
			Params: map[string]string{"rep": "Ivan Repov", "kind": "update_profile", "message": "Please check your clinic's address."}, DedupeKey: "flow:" + uuid.NewString()})
		return err
	}))
	giftsMust(t, phone.Sync(ctx))
	giftsMust(t, tablet.Sync(ctx))
	var item string
	for _, d := range []*sdk.Replica{phone, tablet} {
		unread, err := inbox.Unread(ctx, d)
		giftsMust(t, err)
		if len(unread) == 0 || unread[0].GetKind() != "doctor.update_requested" || !strings.Contains(unread[0].GetBody(), "Please check your clinic's address.") {
			t.Fatalf("unread on a device: %v", unread)
		}
		item = unread[0].GetId()
	}
	all, err := inbox.All(ctx, phone, 0)
	giftsMust(t, err)
	if len(all) != len(before)+1 {
		t.Fatalf("%d items in the inbox, want %d", len(all), len(before)+1)
	}

	if _, err := inbox.MarkRead(ctx, phone, uuid.NewString()); !errors.Is(err, inbox.ErrNotInInbox) {
		t.Fatalf("marking an unknown item: %v", err)
	}
	_, err = inbox.MarkRead(ctx, phone, item)
	giftsMust(t, err)
	unread, err := inbox.Unread(ctx, phone)
	giftsMust(t, err)
	for _, u := range unread {
		if u.GetId() == item {
			t.Fatal("the item is still unread on the phone after MarkRead")
		}
	}
	giftsMust(t, phone.Sync(ctx))
	giftsMust(t, tablet.Sync(ctx))
	var readAt int64
	giftsMust(t, p.Store.View(ctx, func(q syncengine.Querier) error {
		return q.QueryRow(ctx, `SELECT read_at FROM notifications WHERE id = $1`, item).Scan(&readAt)
	}))
	for _, d := range []*sdk.Replica{phone, tablet} {
		got, ok, err := inbox.Items.Get(ctx, d, item)
		if err != nil || !ok || readAt == 0 || got.GetReadAtUnixMs() != readAt {
			t.Fatalf("read at %d on a device, %d on the server (%v)", got.GetReadAtUnixMs(), readAt, err)
		}
		rec, _, _ := d.Get(ctx, "inbox", item)
		if rec.Pending {
			t.Fatal("the read item is still pending")
		}
	}
}

// giftsMust fails the test on an error.
func giftsMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// streamlessTransport drops every live subscription, as networks that cut
// long-lived connections do, and passes the other calls on: a device on
// it is never live, so the server wakes it with silent pushes.
type streamlessTransport struct{ next http.RoundTripper }

func (s streamlessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/Subscribe") {
		return nil, errors.New("the network drops long-lived connections")
	}
	return s.next.RoundTrip(req)
}

// TestInboxWakeFlow: a phone that cannot hold a live subscription and
// polls rarely registers its push token; when its inbox changes the
// server queues a silent "sync.wake" push for that device, and handing the
// push's data to inbox.HandlePush makes the phone sync at once.
func TestInboxWakeFlow(t *testing.T) {
	p := startPlatform(t, platformOptions{Postgres: true})
	ctx := context.Background()
	giftsRunBackground(t, p)
	doc := p.User(auth.RoleDoctor, "doctor@wake.test")
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	phone, err := sdk.Open(ctx, sdk.Options{Dir: t.TempDir(), ServerURL: p.URL, Tokens: p.Tokens("doctor@wake.test"), Schema: giftsSchema(),
		ClientSchemaVersion: currentClientSchema, PollEvery: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour,
		HTTPClient: &http.Client{Transport: streamlessTransport{next: &http.Transport{Protocols: protocols}}}})
	giftsMust(t, err)
	t.Cleanup(func() { phone.Close() })
	token := "fcm:" + strings.Repeat("Wake_", 10)
	giftsMust(t, inbox.RegisterPushToken(ctx, phone, token, inbox.IOS, "en", "Europe/Moscow"))
	giftsMust(t, phone.Start())
	servertest.Eventually(t, "the phone's first sync", func() bool { return !phone.Status().LastCheckpoint.IsZero() })
	servertest.Eventually(t, "the loop to wait for a change", func() bool { return phone.Loop().Waiting == sdk.WaitChange })
	idle := phone.Loop()
	before, err := inbox.UnreadCount(ctx, phone)
	giftsMust(t, err)

	giftsMust(t, p.Store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: doc.ID, Kind: "doctor.update_requested",
			Params: map[string]string{"rep": "Ivan Repov", "kind": "submit_results", "message": "The study closes on Friday."}, DedupeKey: "wake:" + uuid.NewString()})
		return err
	}))
	var wake string
	servertest.Eventually(t, "a silent push is queued for the phone", func() bool {
		err := p.Store.View(ctx, func(q syncengine.Querier) error {
			return q.QueryRow(ctx, `SELECT n.id FROM notifications n JOIN push_tokens t ON t.device_id = n.device_id
				WHERE t.token = $1 AND n.kind = $2 AND n.silent ORDER BY n.created_at DESC LIMIT 1`, token, notify.KindSyncWake).Scan(&wake)
		})
		return err == nil
	})
	// Nothing but the push wakes the phone: no stream, the poll an hour away.
	if l := phone.Loop(); l != idle {
		t.Fatalf("the loop woke before the push: %+v, then %+v", idle, l)
	}
	if n, err := inbox.UnreadCount(ctx, phone); err != nil || n != before {
		t.Fatalf("%d unread on the phone before the push, want %d (%v)", n, before, err)
	}
	if !inbox.HandlePush(phone, map[string]string{"kind": notify.KindSyncWake, "id": wake}) {
		t.Fatal("the wake was not recognised")
	}
	servertest.Eventually(t, "the phone syncs the new item", func() bool {
		n, err := inbox.UnreadCount(ctx, phone)
		return err == nil && n == before+1
	})
	if inbox.HandlePush(phone, map[string]string{"kind": "case.published", "id": uuid.NewString()}) {
		t.Fatal("a visible notification was taken for a wake")
	}
}

// giftsRunBackground runs the platform's background loops (push workers,
// waker, presence, scheduler...) until the test ends, as serve does.
func giftsRunBackground(t *testing.T, p *platform) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, loop := range p.App.background {
		wg.Add(1)
		go func() { defer wg.Done(); loop(ctx) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}
