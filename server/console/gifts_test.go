package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// giftSeed is a wave of region msk open now, offering a cream, with two
// orders of a verified doctor placed from her phone.
type giftSeed struct {
	wave   gifts.Wave
	cream  gifts.Item
	doctor auth.User
}

func (e *env) seedGifts() giftSeed {
	e.t.Helper()
	ctx := e.ctx
	cream, err := e.gifts.CreateItem(ctx, auth.System, gifts.Item{SKU: "CREAM-50", Name: "Cream 50 ml", Kind: giftsv1.GiftKind_GIFT_KIND_PRODUCT})
	must(e.t, err)
	_, err = e.gifts.RecordMovement(ctx, auth.System, gifts.NewMovement{Item: cream.ID, Kind: gifts.MoveReceipt, Quantity: 20, Note: "first delivery"})
	must(e.t, err)
	now := e.clock.Now()
	w, err := e.gifts.CreateWave(ctx, auth.System, gifts.Wave{RegionID: "msk", Title: "Winter wave", StartsAt: now, EndsAt: now.Add(7 * 24 * time.Hour)})
	must(e.t, err)
	_, err = e.gifts.SetWaveItem(ctx, auth.System, w.ID, cream.ID, 100, 3, 10)
	must(e.t, err)
	doc, err := e.accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: "buyer@console.test", Password: password, Name: "Dr Buyer", RegionID: "msk", Specialty: "dermatology"})
	must(e.t, err)
	doc, err = e.accounts.VerifyDoctor(ctx, auth.System, doc.ID)
	must(e.t, err)
	must(e.t, e.store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := points.Post(ctx, tx, points.Entry{UserID: doc.ID, Amount: 1000, Source: points.SourceTraining, SourceID: uuid.NewString(), Reason: "course"})
		return err
	}))
	phone := servertest.NewDevice(e.t, servertest.DeviceConfig{Engine: e.engine, Principal: auth.Principal(doc, "phone"), Clock: e.clock.Now})
	for _, qty := range []int64{1, 2} {
		phone.MustApply(gifts.MutationPlaceOrder, &giftsv1.PlaceOrderArgs{OrderId: uuid.NewString(), WaveId: w.ID,
			Items:   []*giftsv1.PlaceOrderLine{{ItemId: cream.ID, Quantity: qty}},
			Address: &giftsv1.DeliveryAddress{Recipient: "Dr Buyer", Phone: "+7 916 123-45-67", PostalCode: "101000", City: "Moscow", Street: "Tverskaya 1", Apartment: "12"}})
	}
	return giftSeed{wave: w, cream: cream, doctor: doc}
}

// stockOf is an item's stock now.
func (e *env) stockOf(itemID string) *giftsv1.Stock {
	e.t.Helper()
	all, err := e.gifts.StockReport(e.ctx, auth.System)
	must(e.t, err)
	for _, st := range all {
		if st.Item.Id == itemID {
			return st
		}
	}
	e.t.Fatalf("no stock line for %s", itemID)
	return nil
}

// fieldError is the text shown next to a form field.
func fieldError(p page, field string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(field) + `-error">(.*?)</p>`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

var redirectTo = regexp.MustCompile(`^/console/gifts/(items|waves)/([0-9a-f-]{36})$`)

// TestGiftWarehouse: the catalog and its movements. A bad item or
// movement is refused with the service's words next to the field and
// saves nothing; a good one lands; a movement form sent twice records once.
func TestGiftWarehouse(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		s := e.seedGifts()
		c, queue := e.staff("mod@console.test")
		csrf := queue.csrf(t)
		stock := c.get("/console/gifts/stock")
		if stock.status != http.StatusOK || !strings.Contains(stock.body, "CREAM-50") || !strings.Contains(stock.body, `<td class="num available">10</td>`) {
			t.Fatalf("the warehouse page: %d\n%s", stock.status, stock.body)
		}

		// As htmx sends it: the token in a header.
		bad := c.post("/console/gifts/items", url.Values{"sku": {"no spaces allowed"}, "name": {""}, "kind": {"product"}}, "X-CSRF-Token", csrf)
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(bad, "sku"), "letters, digits") || !strings.Contains(fieldError(bad, "name"), "required") {
			t.Fatalf("a bad item: %d sku %q name %q\n%s", bad.status, fieldError(bad, "sku"), fieldError(bad, "name"), bad.body)
		}
		if !strings.Contains(bad.body, `value="no spaces allowed"`) {
			t.Fatal("the refused form lost what was typed")
		}
		if kind := c.post("/console/gifts/items", url.Values{"csrf": {csrf}, "sku": {"PEN"}, "name": {"Pen"}, "kind": {"car"}}); fieldError(kind, "kind") == "" {
			t.Fatalf("a kind the catalog has not: %d", kind.status)
		}
		if taken := c.post("/console/gifts/items", url.Values{"csrf": {csrf}, "sku": {"cream-50"}, "name": {"Again"}, "kind": {"product"}}); taken.status != http.StatusConflict || fieldError(taken, "sku") != "is taken" {
			t.Fatalf("a taken SKU: %d %q", taken.status, fieldError(taken, "sku"))
		}
		if items, _ := e.gifts.ListItems(e.ctx, auth.System); len(items) != 1 {
			t.Fatalf("refused items were saved: %v", items)
		}
		made := c.post("/console/gifts/items", url.Values{"csrf": {csrf}, "sku": {"pen-1"}, "name": {"Pen"}, "kind": {"merch"}})
		m := redirectTo.FindStringSubmatch(made.location)
		if made.status != http.StatusSeeOther || m == nil {
			t.Fatalf("a good item: %d %q", made.status, made.location)
		}
		if p := c.get(made.location); !strings.Contains(p.body, "PEN-1 · Pen") {
			t.Fatalf("the new item's page:\n%s", p.body)
		}

		item := "/console/gifts/items/" + s.cream.ID
		page := c.get(item)
		reqID := regexp.MustCompile(`name="request_id" value="([^"]+)"`).FindStringSubmatch(page.body)
		if reqID == nil {
			t.Fatalf("the movement form has no request id:\n%s", page.body)
		}
		for _, tc := range []struct {
			form   url.Values
			status int
			field  string
			want   string
		}{
			{url.Values{"kind": {"receipt"}, "quantity": {"many"}}, http.StatusUnprocessableEntity, "quantity", "whole number"},
			{url.Values{"kind": {"receipt"}, "quantity": {"0"}}, http.StatusUnprocessableEntity, "quantity", "positive"},
			{url.Values{"kind": {"reservation"}, "quantity": {"1"}}, http.StatusUnprocessableEntity, "kind", "receipt, return or write_off"},
			{url.Values{"kind": {"write_off"}, "quantity": {"15"}}, http.StatusConflict, "quantity", "10 available"},
		} {
			tc.form.Set("csrf", csrf)
			tc.form.Set("request_id", uuid.NewString())
			p := c.post(item+"/movements", tc.form)
			if p.status != tc.status || !strings.Contains(fieldError(p, tc.field), tc.want) {
				t.Fatalf("movement %v: %d, %s: %q\n%s", tc.form, p.status, tc.field, fieldError(p, tc.field), p.body)
			}
		}
		if st := e.stockOf(s.cream.ID); st.OnHand != 20 || st.Reserved != 10 {
			t.Fatalf("refused movements moved the stock: %v", st)
		}
		for range 2 {
			p := c.post(item+"/movements", url.Values{"csrf": {csrf}, "request_id": {reqID[1]}, "kind": {"receipt"}, "quantity": {"5"}, "note": {"pallet 7"}})
			if p.status != http.StatusSeeOther || p.location != item {
				t.Fatalf("a receipt: %d %q", p.status, p.location)
			}
		}
		if st := e.stockOf(s.cream.ID); st.OnHand != 25 {
			t.Fatalf("a receipt sent twice: on hand %d, want 25", st.OnHand)
		}
		if p := c.get(item); !strings.Contains(p.body, "pallet 7") || !strings.Contains(p.body, `<dd id="on-hand">25</dd>`) {
			t.Fatalf("the item page after the receipt:\n%s", p.body)
		}

		for _, path := range []string{"/console/gifts/items/forged", "/console/gifts/items/" + uuid.NewString()} {
			if p := c.get(path); p.status != http.StatusNotFound {
				t.Fatalf("GET %s: %d", path, p.status)
			}
			if p := c.post(path+"/movements", url.Values{"csrf": {csrf}, "kind": {"receipt"}, "quantity": {"1"}}); p.status != http.StatusNotFound {
				t.Fatalf("POST %s/movements: %d", path, p.status)
			}
		}
		if p := c.post(item+"/movements", url.Values{"kind": {"receipt"}, "quantity": {"1"}}); p.status != http.StatusForbidden {
			t.Fatalf("a movement without the CSRF token: %d", p.status)
		}
		if st := e.stockOf(s.cream.ID); st.OnHand != 25 {
			t.Fatalf("a refused request moved the stock: %d", st.OnHand)
		}
	})
}

// TestGiftWave: planning a wave, offering an item, packing, shipping and
// delivering, each refused with its reason where the service refuses it.
func TestGiftWave(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		s := e.seedGifts()
		c, queue := e.staff("admin@console.test")
		csrf := queue.csrf(t)
		list := c.get("/console/gifts/waves")
		if list.status != http.StatusOK || !strings.Contains(list.body, "Winter wave") {
			t.Fatalf("the waves page: %d\n%s\n%s", list.status, list.body, e.logs)
		}

		local := func(d time.Duration) string {
			msk, _ := time.LoadLocation("Europe/Moscow")
			return e.clock.Now().Add(d).In(msk).Format("2006-01-02T15:04")
		}
		wave := url.Values{"csrf": {csrf}, "region_id": {"msk"}, "title": {"Spring wave"}, "starts_at": {local(48 * time.Hour)}, "ends_at": {local(24 * time.Hour)}}
		p := c.post("/console/gifts/waves", wave)
		if p.status != http.StatusUnprocessableEntity || fieldError(p, "ends_at") != "must be after starts_at" || !strings.Contains(p.body, `value="Spring wave"`) {
			t.Fatalf("a wave that ends before it starts: %d %q\n%s", p.status, fieldError(p, "ends_at"), p.body)
		}
		for field, value := range map[string]string{"starts_at": "tomorrow", "grace_hours": "a day", "region_id": "atlantis"} {
			form := url.Values{}
			for k, v := range wave {
				form[k] = v
			}
			form.Set("ends_at", local(96*time.Hour))
			form.Set(field, value)
			want := field
			if field == "grace_hours" {
				want = "grace_ms"
			}
			if p := c.post("/console/gifts/waves", form); p.status != http.StatusUnprocessableEntity || fieldError(p, want) == "" {
				t.Fatalf("a wave with %s %q: %d %q", field, value, p.status, fieldError(p, want))
			}
		}
		if ws, _ := e.gifts.ListWaves(e.ctx, auth.System, ""); len(ws) != 1 {
			t.Fatalf("refused waves were saved: %d", len(ws))
		}
		wave.Set("ends_at", local(96*time.Hour))
		wave.Set("grace_hours", "12")
		p = c.post("/console/gifts/waves", wave)
		m := redirectTo.FindStringSubmatch(p.location)
		if p.status != http.StatusSeeOther || m == nil {
			t.Fatalf("a good wave: %d %q\n%s", p.status, p.location, p.body)
		}
		spring, _, err := e.gifts.GetWave(e.ctx, auth.System, m[2])
		must(t, err)
		if spring.Grace != 12*time.Hour || spring.StartsAt.Format("2006-01-02T15:04") != e.clock.Now().Add(48*time.Hour).Truncate(time.Minute).Format("2006-01-02T15:04") {
			t.Fatalf("the wave saved: starts %v grace %v", spring.StartsAt, spring.Grace)
		}
		springPath := "/console/gifts/waves/" + spring.ID
		if p := c.post(springPath+"/items", url.Values{"csrf": {csrf}, "item": {s.cream.ID}, "points_price": {"50"}, "limit_per_doctor": {"1"}, "allocated": {"11"}}); p.status != http.StatusConflict ||
			!strings.Contains(fieldError(p, "allocated"), "10 available") || !strings.Contains(p.body, "not enough stock of Cream 50 ml") {
			t.Fatalf("allocating more than is available: %d %q", p.status, fieldError(p, "allocated"))
		}
		if p := c.post(springPath+"/items", url.Values{"csrf": {csrf}, "item": {uuid.NewString()}, "points_price": {"50"}, "allocated": {"1"}}); p.status != http.StatusNotFound || fieldError(p, "item") == "" {
			t.Fatalf("offering an item the catalog has not: %d %q", p.status, fieldError(p, "item"))
		}
		if p := c.post(springPath+"/items", url.Values{"csrf": {csrf}, "item": {s.cream.ID}, "points_price": {"-5"}, "allocated": {"x"}}); p.status != http.StatusUnprocessableEntity || fieldError(p, "allocated") != "must be a whole number" {
			t.Fatalf("an offer with a bad number: %d %q", p.status, fieldError(p, "allocated"))
		}
		if _, offer, _ := e.gifts.GetWave(e.ctx, auth.System, spring.ID); len(offer) != 0 {
			t.Fatalf("refused offers were saved: %v", offer)
		}
		if p := c.post(springPath+"/items", url.Values{"csrf": {csrf}, "item": {s.cream.ID}, "points_price": {"50"}, "limit_per_doctor": {"1"}, "allocated": {"4"}}); p.status != http.StatusSeeOther {
			t.Fatalf("a good offer: %d\n%s", p.status, p.body)
		}
		if p := c.get(springPath); !strings.Contains(p.body, `id="offer-CREAM-50"`) || !strings.Contains(p.body, `<td class="num remaining">4</td>`) {
			t.Fatalf("the wave page after the offer:\n%s", p.body)
		}

		edit := url.Values{"csrf": {csrf}, "title": {"Spring wave, longer"}, "starts_at": {local(48 * time.Hour)}, "ends_at": {local(120 * time.Hour)}, "grace_hours": {"12"}}
		if p := c.post(springPath, edit); p.status != http.StatusSeeOther {
			t.Fatalf("changing a planned wave: %d\n%s", p.status, p.body)
		}
		if w, _, _ := e.gifts.GetWave(e.ctx, auth.System, spring.ID); w.Title != "Spring wave, longer" || !w.EndsAt.After(spring.EndsAt) {
			t.Fatalf("the changed wave: %q ends %v", w.Title, w.EndsAt)
		}
		winter := "/console/gifts/waves/" + s.wave.ID
		moved := url.Values{"csrf": {csrf}, "title": {"Winter wave"}, "starts_at": {local(time.Hour)}, "ends_at": {local(7 * 24 * time.Hour)}}
		if p := c.post(winter, moved); p.status != http.StatusConflict || fieldError(p, "starts_at") != "fixed once the wave has opened" || !strings.Contains(p.body, `value="`+local(time.Hour)+`"`) {
			t.Fatalf("moving an open wave's start: %d %q", p.status, fieldError(p, "starts_at"))
		}
		if w, _, _ := e.gifts.GetWave(e.ctx, auth.System, s.wave.ID); !w.StartsAt.Equal(s.wave.StartsAt) {
			t.Fatalf("the refused change moved the start to %v", w.StartsAt)
		}
		p = c.get(winter)
		if !strings.Contains(p.body, "2 wait for packing") && !strings.Contains(p.body, "2 ждут упаковки") {
			t.Fatalf("the open wave's orders:\n%s", p.body)
		}
		if p := c.post(winter+"/pack", url.Values{"csrf": {"forged"}}); p.status != http.StatusForbidden {
			t.Fatalf("packing with a forged token: %d", p.status)
		}
		if sh, _ := e.gifts.ListShipments(e.ctx, auth.System, s.wave.ID, "", 0); len(sh) != 0 {
			t.Fatalf("a forged request packed: %v", sh)
		}
		p = c.post(winter+"/pack", url.Values{"csrf": {csrf}})
		if p.status != http.StatusSeeOther || p.location != winter+"?packed=1#shipments" {
			t.Fatalf("packing: %d %q", p.status, p.location)
		}
		shipments, err := e.gifts.ListShipments(e.ctx, auth.System, s.wave.ID, "", 0)
		must(t, err)
		if len(shipments) != 1 || len(shipments[0].OrderIds) != 2 {
			t.Fatalf("packed %v", shipments)
		}
		sh := "/console/gifts/shipments/" + shipments[0].Id
		if p := c.get(winter + "?packed=1"); !strings.Contains(p.body, `id="packed"`) || !strings.Contains(p.body, sh+"/packing") {
			t.Fatalf("the wave after packing:\n%s", p.body)
		}
		packing := c.get(sh + "/packing")
		for _, want := range []string{"Dr Buyer", "Tverskaya 1, 12", "101000 Moscow", "CREAM-50", `<td class="num" id="units">3</td>`, "data-print", "print.css"} {
			if !strings.Contains(packing.body, want) {
				t.Fatalf("the packing list lacks %q:\n%s", want, packing.body)
			}
		}
		checkPage(t, "the packing list", packing)

		if p := c.post(sh+"/ship", url.Values{"csrf": {csrf}, "tracking": {strings.Repeat("9", 101)}}); p.status != http.StatusUnprocessableEntity || fieldError(p, "tracking") != "at most 100 characters" {
			t.Fatalf("a tracking number too long: %d %q", p.status, fieldError(p, "tracking"))
		}
		if p := c.post(sh+"/deliver", url.Values{"csrf": {csrf}}); p.status != http.StatusConflict || !strings.Contains(p.body, "is packed, not shipped") {
			t.Fatalf("delivering before shipping: %d", p.status)
		}
		if st := e.stockOf(s.cream.ID); st.OnHand != 20 {
			t.Fatalf("refused shipping moved the stock: %v", st)
		}
		if p := c.post(sh+"/ship", url.Values{"csrf": {csrf}, "tracking": {"RA123456789RU"}}); p.status != http.StatusSeeOther {
			t.Fatalf("shipping: %d", p.status)
		}
		if p := c.post(sh+"/ship", url.Values{"csrf": {csrf}, "tracking": {"again"}}); p.status != http.StatusConflict || !strings.Contains(p.body, "already shipped") {
			t.Fatalf("shipping twice: %d", p.status)
		}
		if st := e.stockOf(s.cream.ID); st.OnHand != 17 || st.Shipped != 3 {
			t.Fatalf("after shipping: %v", st)
		}
		if p := c.post(sh+"/deliver", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
			t.Fatalf("delivering: %d", p.status)
		}
		if p := c.get(sh); !strings.Contains(p.body, "RA123456789RU") || !strings.Contains(p.body, "gifts.shipment.delivered") {
			t.Fatalf("the delivered shipment:\n%s", p.body)
		}
		reports := c.get("/console/gifts/reports?wave=" + s.wave.ID)
		for _, want := range []string{`id="wave-report"`, `id="territory-report"`, "<td class=\"num\">300</td>"} {
			if !strings.Contains(reports.body, want) {
				t.Fatalf("the reports lack %q:\n%s", want, reports.body)
			}
		}

		for _, path := range []string{"/console/gifts/waves/forged", "/console/gifts/shipments/forged", "/console/gifts/shipments/forged/packing", "/console/gifts/reports?wave=forged"} {
			if p := c.get(path); p.status != http.StatusNotFound {
				t.Fatalf("GET %s: %d", path, p.status)
			}
		}
		for _, path := range []string{"/console/gifts/waves/forged", "/console/gifts/waves/forged/items", "/console/gifts/waves/forged/pack", "/console/gifts/shipments/forged/ship", "/console/gifts/shipments/forged/deliver"} {
			if p := c.post(path, url.Values{"csrf": {csrf}, "item": {s.cream.ID}, "points_price": {"1"}, "allocated": {"1"}, "title": {"x"}, "starts_at": {local(time.Hour)}, "ends_at": {local(2 * time.Hour)}}); p.status != http.StatusNotFound {
				t.Fatalf("POST %s: %d", path, p.status)
			}
		}
	})
}
