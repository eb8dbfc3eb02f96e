package gifts

import (
	"context"
	"time"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// OpenWaves returns the waves open at now (started, not yet ended), the
// soonest to close first.
func OpenWaves(ctx context.Context, r *sdk.Replica, now time.Time) ([]*giftsv1.Wave, error) {
	ms := now.UnixMilli()
	return Waves.Query(ctx, r, sdk.Query{Where: []sdk.Filter{
		{Column: "starts_at", Op: sdk.Le, Value: ms},
		{Column: "ends_at", Op: sdk.Gt, Value: ms},
	}, OrderBy: "ends_at"})
}

// Catalog returns a wave's catalog items by name.
func Catalog(ctx context.Context, r *sdk.Replica, waveID string) ([]*giftsv1.CatalogItem, error) {
	return CatalogItems.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "wave_id", Op: sdk.Eq, Value: waveID}}, OrderBy: "name_key"})
}

// Balance returns the doctor's points as the replica has them, orders not
// yet sent already taken off (0 before the first points arrive).
func Balance(ctx context.Context, r *sdk.Replica) (int64, error) {
	b, err := Balances.Query(ctx, r, sdk.Query{Limit: 1})
	if err != nil || len(b) == 0 {
		return 0, err
	}
	return b[0].GetBalance(), nil
}

// Order is an order as the app shows it.
type Order struct {
	*giftsv1.Order
	// Pending is set until the server has decided the order: it has no
	// number or status yet.
	Pending bool
}

// GetOrder returns one of the doctor's orders.
func GetOrder(ctx context.Context, r *sdk.Replica, id string) (Order, bool, error) {
	rec, ok, err := r.Get(ctx, Orders.Collection.Name, id)
	if err != nil || !ok {
		return Order{}, false, err
	}
	o, err := Orders.Decode(rec)
	return Order{Order: o, Pending: rec.Pending}, err == nil, err
}

// ListOrders returns the doctor's orders, newest first (pending ones,
// which have no time yet, first of all).
func ListOrders(ctx context.Context, r *sdk.Replica) ([]Order, error) {
	recs, err := r.Query(ctx, sdk.Query{Collection: Orders.Collection.Name, OrderBy: "created_at", Desc: true})
	if err != nil {
		return nil, err
	}
	var pending, decided []Order
	for _, rec := range recs {
		o, err := Orders.Decode(rec)
		if err != nil {
			return nil, err
		}
		if rec.Pending {
			pending = append(pending, Order{Order: o, Pending: true})
		} else {
			decided = append(decided, Order{Order: o})
		}
	}
	return append(pending, decided...), nil
}

// History returns the doctor's points ledger, newest first.
func History(ctx context.Context, r *sdk.Replica, limit int) ([]*pointsv1.PointsEntry, error) {
	return Entries.Query(ctx, r, sdk.Query{OrderBy: "created_at", Desc: true, Limit: limit})
}
