package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkgifts "github.com/ordinatorhq/ordinator/mobile-sdk/gifts"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/console/consoletest"
	"github.com/ordinatorhq/ordinator/server/points"
)

// TestConsoleGiftWave: a moderator adds an item to the catalog, receives
// it into the warehouse, plans a wave and offers the item, all in the
// browser; two doctors order from their phones; the moderator packs the
// wave into shipments, prints a packing list and ships a parcel with its
// tracking number, which then reaches the doctor's phone.
func TestConsoleGiftWave(t *testing.T) {
	for _, mode := range consoleModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			d := startConsoleDesk(t, mode.opts)
			b := consoletest.New(t)
			olga := b.Tab("olga")
			d.signIn(t, olga, "olga@console.test")
			olga.WaitText("#summary", "Подход")

			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/gifts/stock"]`)))
			olga.WaitText("h1", "Склад")
			// A SKU with spaces is refused next to the field; what was
			// typed stays.
			olga.Wait(htmxIdle)
			olga.Do(chromedp.SendKeys(chromedp.CSS("#sku"), "CREAM 50"), chromedp.SendKeys(chromedp.CSS("#name"), "Крем восстанавливающий, 50 мл"),
				chromedp.Click(chromedp.CSS("#create-item")))
			olga.WaitText("#sku-error", "letters, digits")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.SetValue(chromedp.CSS("#sku"), "CREAM-50"), chromedp.Click(chromedp.CSS("#create-item")))
			olga.WaitText("h1", "CREAM-50 · Крем восстанавливающий, 50 мл")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.SendKeys(chromedp.CSS("#quantity"), "40"), chromedp.SendKeys(chromedp.CSS("#note"), "поставка №1"), chromedp.Click(chromedp.CSS("#record")))
			olga.WaitText("#on-hand", "40")
			olga.WaitText("#movements", "поставка №1")

			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/gifts/waves"]`)))
			olga.WaitText("h1", "Волны подарков")
			msk, err := time.LoadLocation("Europe/Moscow")
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().In(msk)
			olga.Wait(htmxIdle)
			olga.Do(chromedp.SendKeys(chromedp.CSS("#title"), "Зимняя волна"),
				chromedp.SetValue(chromedp.CSS("#starts_at"), now.Add(time.Minute).Format("2006-01-02T15:04")),
				chromedp.SetValue(chromedp.CSS("#ends_at"), now.Add(-time.Hour).Format("2006-01-02T15:04")),
				chromedp.Click(chromedp.CSS("#create-wave")))
			olga.WaitText("#ends_at-error", "must be after starts_at")
			olga.Do(chromedp.SetValue(chromedp.CSS("#starts_at"), now.Add(-time.Minute).Format("2006-01-02T15:04")),
				chromedp.SetValue(chromedp.CSS("#ends_at"), now.Add(48*time.Hour).Format("2006-01-02T15:04")),
				chromedp.Click(chromedp.CSS("#create-wave")))
			olga.WaitText("h1", "Зимняя волна")
			olga.WaitText("#state", "Открыта")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.SendKeys(chromedp.CSS("#points_price"), "100"), chromedp.SendKeys(chromedp.CSS("#limit_per_doctor"), "3"),
				chromedp.SendKeys(chromedp.CSS("#allocated"), "50"), chromedp.Click(chromedp.CSS("#set-item")))
			olga.WaitText("#allocated-error", "40 available")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.SetValue(chromedp.CSS("#allocated"), "10"), chromedp.Click(chromedp.CSS("#set-item")))
			olga.WaitText("#offer-CREAM-50 .remaining", "10")
			olga.FitsWidths()
			waveURL := olga.Location()

			waves, err := d.App.gifts.ListWaves(ctx, auth.System, "")
			if err != nil || len(waves) != 1 {
				t.Fatalf("waves: %v (%v)", waves, err)
			}
			phones := map[string]*sdk.Replica{}
			for i, email := range []string{"buyer1@console.test", "buyer2@console.test"} {
				doc := d.User(auth.RoleDoctor, email)
				if _, err := points.Adjust(ctx, d.Store, auth.System, doc.ID, 1000, "welcome points", uuid.NewString()); err != nil {
					t.Fatal(err)
				}
				phone := d.Device(email, giftsSchema())
				syncDevice(t, phone)
				catalog, err := sdkgifts.Catalog(ctx, phone, waves[0].ID)
				if err != nil || len(catalog) != 1 {
					t.Fatalf("the phone's catalog: %v (%v)", catalog, err)
				}
				addr := &giftsv1.DeliveryAddress{Recipient: []string{"Мария Иванова", "Елена Соколова"}[i], Phone: "+7 916 123-45-6" + string(rune('0'+i)),
					PostalCode: "10100" + string(rune('0'+i)), City: "Москва", Street: []string{"ул. Тверская, 1", "пр. Мира, 20"}[i], Apartment: "кв. 5"}
				if _, _, err := sdkgifts.PlaceOrder(ctx, phone, waves[0].ID, []sdkgifts.Line{{ItemID: catalog[0].GetItem().GetId(), Quantity: int64(i + 1)}}, addr); err != nil {
					t.Fatal(err)
				}
				syncDevice(t, phone)
				phones[email] = phone
			}

			olga.Do(chromedp.Navigate(waveURL))
			olga.WaitText("#orders-summary", "2 заказа")
			olga.WaitText("#orders", "buyer1@console.test")
			olga.Shot("wave")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS("#pack")))
			olga.WaitText("#packed", "Упакованы 2 отгрузки")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#shipments tbody tr")].find(r => r.textContent.includes("Мария Иванова")).querySelector("a.packing-link")`)))
			olga.WaitText("#packing-list", "Мария Иванова")
			olga.WaitText("#packing-list", "ул. Тверская, 1, кв. 5")
			olga.WaitText("#units", "1")
			olga.Shot("packing-list")
			// The print button prints (window.print, stubbed to be seen),
			// through the console's own script under the CSP.
			olga.Wait(htmxIdle)
			olga.Do(chromedp.Evaluate[chromedp.Void](`window.print = () => { window.printed = true; }`), chromedp.Click(chromedp.CSS("#print")))
			olga.Wait(`window.printed === true`)
			// Printed, the page is the list alone.
			olga.Do(emulateMedia("print"))
			olga.Wait(`getComputedStyle(document.querySelector("header.top")).display === "none" && getComputedStyle(document.querySelector("#print")).display === "none" && getComputedStyle(document.querySelector("#packing-list")).display !== "none"`)
			pdf := consoletest.Get(olga, func(ctx context.Context, t *chromedp.Target) (page.PrintToPDFResult, error) {
				return cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{})
			}).Data
			if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 1000 {
				t.Fatalf("the packing list printed %d bytes", len(pdf))
			}
			olga.Do(emulateMedia(""))

			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS(`p.no-print a`)))
			olga.WaitText("#status", "Упакована")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.SendKeys(chromedp.CSS("#tracking"), "RA123456789RU"), chromedp.Click(chromedp.CSS("#ship")))
			olga.WaitText("#status", "Отправлена")
			olga.WaitText("#tracking", "RA123456789RU")

			phone := phones["buyer1@console.test"]
			syncDevice(t, phone)
			orders, err := sdkgifts.ListOrders(ctx, phone)
			if err != nil || len(orders) != 1 {
				t.Fatalf("the phone's orders: %v (%v)", orders, err)
			}
			if o := orders[0]; o.Status != giftsv1.OrderStatus_ORDER_STATUS_SHIPPED || o.Tracking != "RA123456789RU" {
				t.Fatalf("the phone shows the order %v with tracking %q", o.Status, o.Tracking)
			}
			if st, err := d.App.gifts.StockReport(ctx, auth.System); err != nil || st[0].OnHand != 39 || st[0].Shipped != 1 {
				t.Fatalf("the stock after shipping: %v (%v)", st, err)
			}
		})
	}
}

// emulateMedia makes the tab render for a CSS media type ("print"), or
// as usual ("").
func emulateMedia(media string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return chromedp.Void{}, err
	}
}

// htmxIdle holds once htmx has finished swapping and settling a page (it
// scrolls a boosted page to the top as it settles: a click before that
// may land where the button no longer is).
const htmxIdle = `document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added") === null`

// TestConsoleDemoGifts: the demo's moderator finds the demo wave with the
// doctors' orders, packs it and opens a packing list; with the warehouse,
// these are the README's pictures of the gifts pages
// (ORDINATOR_CONSOLE_SCREENSHOTS=docs/console, run with TestConsoleDemo).
func TestConsoleDemoGifts(t *testing.T) {
	mod := demoModerator(t)
	mod.Do(chromedp.Click(chromedp.CSS(`a[href="/console/gifts/waves"]`)))
	mod.WaitText("#waves", "Зимняя волна подарков")
	mod.Wait(htmxIdle)
	mod.Do(chromedp.Click(chromedp.CSS("a.wave-link")))
	mod.WaitText("#orders-summary", "2 заказа")
	mod.FitsWidths()
	mod.Shot("gift-wave")
	mod.Wait(htmxIdle)
	mod.Do(chromedp.Click(chromedp.CSS("#pack")))
	mod.WaitText("#packed", "Упакованы 2 отгрузки")
	mod.Wait(htmxIdle)
	mod.Do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#shipments tbody tr")].find(r => r.querySelector("td.num").textContent === "3").querySelector("a.packing-link")`)))
	mod.WaitText("#packing-list", "ул. Тверская, 1, Клиника «Дерма», каб. 12")
	mod.WaitText("#units", "3")
	mod.Shot("gift-packing")
	mod.Wait(htmxIdle)
	mod.Do(chromedp.Click(chromedp.CSS(`a[href="/console/gifts/stock"]`)))
	mod.WaitText("#stock", "DERMA-SCOPE")
	mod.FitsWidths()
	mod.Shot("gift-stock")
}

// demoModerator runs `ordinator serve --demo` and signs its moderator in
// to the console, on the queue page.
func demoModerator(t *testing.T) *consoletest.Tab {
	t.Helper()
	url := serveDemo(t)
	mod := consoletest.New(t).Tab("moderator")
	mod.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#login")))
	mod.Do(chromedp.SendKeys(chromedp.CSS("#login"), "moderator@demo.ordinator"), chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#signin")))
	mod.WaitText("#summary", "Подход")
	mod.Wait(htmxIdle)
	return mod
}
