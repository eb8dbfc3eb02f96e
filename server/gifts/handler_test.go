package gifts_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1/giftsv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestAdminServices drives GiftAdminService and WarehouseService over
// Connect: a moderator runs a wave and the warehouse; a doctor may not;
// bad requests name their fields.
func TestAdminServices(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		ctx := context.Background()
		srv := servertest.Serve(t, rpc.Config{Auth: e.accounts, Public: auth.PublicProcedures}, func(s *rpc.Server) {
			s.Handle(authv1connect.NewAuthServiceHandler(auth.NewHandler(e.accounts), s.Options()...))
			h := gifts.NewHandler(e.gifts)
			s.Handle(giftsv1connect.NewGiftAdminServiceHandler(h, s.Options()...))
			s.Handle(giftsv1connect.NewWarehouseServiceHandler(h, s.Options()...))
		})
		login := func(role auth.Role) (giftsv1connect.GiftAdminServiceClient, giftsv1connect.WarehouseServiceClient) {
			email := uuid.NewString()[:8] + "@staff.test"
			region := ""
			if role == auth.RoleDoctor {
				region = "msk"
			}
			if _, err := e.accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: "correct horse battery", Name: email, RegionID: region, Specialty: "dermatology"}); err != nil {
				t.Fatal(err)
			}
			var token string
			res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, srv.URL).Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: email, Password: "correct horse battery", DeviceName: "console", Platform: "web"}))
			if err != nil {
				t.Fatal(err)
			}
			token = res.Msg.Tokens.AccessToken
			return giftsv1connect.NewGiftAdminServiceClient(http.DefaultClient, srv.URL, servertest.WithToken(&token)),
				giftsv1connect.NewWarehouseServiceClient(http.DefaultClient, srv.URL, servertest.WithToken(&token))
		}
		admin, warehouse := login(auth.RoleModerator)
		doctorAdmin, doctorWarehouse := login(auth.RoleDoctor)

		item, err := admin.CreateItem(ctx, connect.NewRequest(&giftsv1.CreateItemRequest{Sku: "lamp-1", Name: "Dermatoscope", Kind: giftsv1.GiftKind_GIFT_KIND_DEVICE}))
		if err != nil || item.Msg.Item.Sku != "LAMP-1" {
			t.Fatalf("create item: %v %v", item, err)
		}
		_, err = admin.CreateItem(ctx, connect.NewRequest(&giftsv1.CreateItemRequest{Sku: "x y", Name: "", Kind: giftsv1.GiftKind_GIFT_KIND_UNSPECIFIED}))
		if violations(err) == nil || !violations(err)["sku"] || !violations(err)["name"] || !violations(err)["kind"] {
			t.Fatalf("a bad item: %v", err)
		}
		if _, err := doctorAdmin.CreateItem(ctx, connect.NewRequest(&giftsv1.CreateItemRequest{Sku: "MINE", Name: "Mine", Kind: giftsv1.GiftKind_GIFT_KIND_MERCH})); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Fatalf("a doctor adding items: %v", err)
		}

		rec, err := warehouse.RecordMovement(ctx, connect.NewRequest(&giftsv1.RecordMovementRequest{Item: "LAMP-1", Kind: giftsv1.MovementKind_MOVEMENT_KIND_RECEIPT, Quantity: 12, RequestId: uuid.NewString()}))
		if err != nil || rec.Msg.Stock.Available != 12 || rec.Msg.Movement.Kind != giftsv1.MovementKind_MOVEMENT_KIND_RECEIPT {
			t.Fatalf("receipt: %v %v", rec, err)
		}
		_, err = warehouse.RecordMovement(ctx, connect.NewRequest(&giftsv1.RecordMovementRequest{Item: "LAMP-1", Kind: giftsv1.MovementKind_MOVEMENT_KIND_SHIPMENT, Quantity: -1, RequestId: "no"}))
		if v := violations(err); !v["kind"] || !v["quantity"] || !v["request_id"] {
			t.Fatalf("a bad movement: %v", err)
		}
		if _, err := doctorWarehouse.StockReport(ctx, connect.NewRequest(&giftsv1.StockReportRequest{})); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Fatalf("a doctor reading stock: %v", err)
		}

		now := e.clock.Now()
		wave, err := admin.CreateWave(ctx, connect.NewRequest(&giftsv1.CreateWaveRequest{RegionId: "msk", Title: "Winter", StartsAtUnixMs: now.UnixMilli(), EndsAtUnixMs: now.Add(time.Hour).UnixMilli()}))
		if err != nil || wave.Msg.Wave.GraceMs != (24*time.Hour).Milliseconds() {
			t.Fatalf("create wave: %v %v", wave, err)
		}
		_, err = admin.CreateWave(ctx, connect.NewRequest(&giftsv1.CreateWaveRequest{RegionId: "nowhere", Title: "Never", StartsAtUnixMs: now.UnixMilli(), EndsAtUnixMs: now.Add(-time.Hour).UnixMilli()}))
		if v := violations(err); !v["region_id"] || !v["ends_at"] {
			t.Fatalf("a bad wave: %v", err)
		}
		offer, err := admin.SetWaveItem(ctx, connect.NewRequest(&giftsv1.SetWaveItemRequest{WaveId: wave.Msg.Wave.Id, ItemId: item.Msg.Item.Id, PointsPrice: 500, LimitPerDoctor: 1, Allocated: 10}))
		if err != nil || offer.Msg.Item.Remaining != 10 {
			t.Fatalf("offer: %v %v", offer, err)
		}
		_, err = admin.SetWaveItem(ctx, connect.NewRequest(&giftsv1.SetWaveItemRequest{WaveId: wave.Msg.Wave.Id, ItemId: item.Msg.Item.Id, PointsPrice: 400, LimitPerDoctor: 1, Allocated: 10}))
		if connect.CodeOf(err) != connect.CodeFailedPrecondition {
			t.Fatalf("repricing an open wave: %v", err)
		}
		_, err = admin.SetWaveItem(ctx, connect.NewRequest(&giftsv1.SetWaveItemRequest{WaveId: wave.Msg.Wave.Id, ItemId: item.Msg.Item.Id, PointsPrice: 500, LimitPerDoctor: 1, Allocated: 13}))
		if connect.CodeOf(err) != connect.CodeFailedPrecondition {
			t.Fatalf("allocating more than there is: %v", err)
		}
		stock, err := warehouse.StockReport(ctx, connect.NewRequest(&giftsv1.StockReportRequest{}))
		if err != nil || len(stock.Msg.Stock) != 1 || stock.Msg.Stock[0].Reserved != 10 || stock.Msg.Stock[0].Available != 2 {
			t.Fatalf("stock: %v %v", stock, err)
		}
		waves, err := admin.ListWaves(ctx, connect.NewRequest(&giftsv1.ListWavesRequest{RegionId: "msk"}))
		if err != nil || len(waves.Msg.Waves) != 1 {
			t.Fatalf("waves: %v %v", waves, err)
		}
		if _, err := warehouse.ShipShipment(ctx, connect.NewRequest(&giftsv1.ShipShipmentRequest{Shipment: "S-999999"})); connect.CodeOf(err) != connect.CodeNotFound {
			t.Fatalf("shipping nothing: %v", err)
		}
	})
}

// violations returns the fields a Connect error's detail names.
func violations(err error) map[string]bool {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return nil
	}
	out := map[string]bool{}
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			if ed, ok := v.(*commonv1.ErrorDetail); ok {
				for _, f := range ed.Violations {
					out[f.Field] = true
				}
			}
		}
	}
	return out
}
