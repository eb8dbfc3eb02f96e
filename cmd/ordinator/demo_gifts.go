package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// demoGifts are the demo warehouse's items: SKU, name, kind, units
// received, units allocated to the demo wave, price in points.
var demoGifts = []struct {
	sku, name                string
	kind                     giftsv1.GiftKind
	received, allocated, pts int64
}{
	{"CREAM-50", "Крем восстанавливающий, 50 мл", giftsv1.GiftKind_GIFT_KIND_PRODUCT, 120, 60, 100},
	{"DERMA-SCOPE", "Дерматоскоп карманный", giftsv1.GiftKind_GIFT_KIND_DEVICE, 10, 5, 400},
	{"TOTE-BAG", "Сумка с логотипом", giftsv1.GiftKind_GIFT_KIND_MERCH, 50, 20, 50},
}

// demoOrders are what a demo doctor orders from her phone, to her clinic
// and to her home: two parcels for the console to pack. (The other demo
// doctor's points are left alone: the cases walkthrough counts them.)
var demoOrders = []struct {
	doctor string
	lines  map[string]int64
	addr   *giftsv1.DeliveryAddress
}{
	{"colleague@demo.ordinator", map[string]int64{"CREAM-50": 2, "TOTE-BAG": 1},
		&giftsv1.DeliveryAddress{Recipient: "Елена Соколова", Phone: "+7 916 000-00-02", PostalCode: "125009", City: "Москва", Street: "ул. Тверская, 1", Apartment: "Клиника «Дерма», каб. 12"}},
	{"colleague@demo.ordinator", map[string]int64{"CREAM-50": 1},
		&giftsv1.DeliveryAddress{Recipient: "Елена Соколова", Phone: "+7 916 000-00-02", PostalCode: "129090", City: "Москва", Street: "пр. Мира, 20", Apartment: "кв. 5", Comment: "Звонить за час"}},
}

// seedDemoGifts fills the demo warehouse and opens a wave in the demo
// region with orders from the demo doctors' phones (through the sync
// engine's gift.place_order), unless a wave exists already.
func seedDemoGifts(ctx context.Context, svc *gifts.Service, accounts *auth.Service, engine *syncengine.Engine) error {
	if waves, err := svc.ListWaves(ctx, auth.System, ""); err != nil || len(waves) > 0 {
		return err
	}
	now := time.Now()
	w, err := svc.CreateWave(ctx, auth.System, gifts.Wave{RegionID: "demo-msk", Title: "Зимняя волна подарков",
		Description: "Подарки за пройденные обучения", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(14 * 24 * time.Hour)})
	if err != nil {
		return err
	}
	ids := map[string]string{}
	for _, g := range demoGifts {
		it, err := svc.CreateItem(ctx, auth.System, gifts.Item{SKU: g.sku, Name: g.name, Kind: g.kind})
		if err != nil {
			return err
		}
		ids[g.sku] = it.ID
		if _, err := svc.RecordMovement(ctx, auth.System, gifts.NewMovement{Item: it.ID, Kind: gifts.MoveReceipt, Quantity: g.received, Note: "поставка"}); err != nil {
			return err
		}
		if _, err := svc.SetWaveItem(ctx, auth.System, w.ID, it.ID, g.pts, 3, g.allocated); err != nil {
			return err
		}
	}
	doctors, err := accounts.ListUsers(ctx, auth.System, auth.RoleDoctor, "")
	if err != nil {
		return err
	}
	byEmail := map[string]auth.User{}
	for _, u := range doctors {
		byEmail[u.Email] = u
	}
	for i, o := range demoOrders {
		args := &giftsv1.PlaceOrderArgs{OrderId: uuid.NewString(), WaveId: w.ID, Address: o.addr}
		for _, g := range demoGifts {
			if n := o.lines[g.sku]; n > 0 {
				args.Items = append(args.Items, &giftsv1.PlaceOrderLine{ItemId: ids[g.sku], Quantity: n})
			}
		}
		b, err := proto.Marshal(args)
		if err != nil {
			return err
		}
		out, err := engine.Push(ctx, auth.Principal(byEmail[o.doctor], "demo-phone"), syncengine.PushRequest{ClientID: "demo-phone-" + strconv.Itoa(i),
			SchemaVersion: currentClientSchema, Mutations: []syncengine.Mutation{{Seq: 1, Name: gifts.MutationPlaceOrder, Args: b}}})
		if err != nil {
			return err
		}
		if out[0].Status != syncengine.StatusApplied {
			return fmt.Errorf("demo order %d: %s", i, out[0].Error.Message)
		}
	}
	return nil
}
