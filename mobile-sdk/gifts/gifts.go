// Package gifts gives a doctor's app typed access to gift waves, their
// catalogs, the doctor's orders and points on a replica, and places orders
// offline: the mutation gift.place_order is applied to the replica at once
// (a pending order, the points taken) and refused on the device when it is
// certain to fail, so nothing hopeless is queued.
package gifts

import (
	"strings"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Mutation names, as the server's gifts module registers them (declared in
// the protos).
const (
	MutationPlaceOrder = giftsv1.PlaceOrderMutation
)

// Collections the server syncs: waves and catalog items to the region,
// orders, the balance and the ledger to the doctor.
var (
	Waves = sdk.ProtoCollection[*giftsv1.Wave](giftsv1.WaveCollection,
		sdk.ProtoColumn[*giftsv1.Wave]{Name: "region_id", Type: sdk.Text, Value: func(w *giftsv1.Wave) any { return w.GetRegionId() }},
		sdk.ProtoColumn[*giftsv1.Wave]{Name: "starts_at", Type: sdk.Integer, Value: func(w *giftsv1.Wave) any { return w.GetStartsAtUnixMs() }},
		sdk.ProtoColumn[*giftsv1.Wave]{Name: "ends_at", Type: sdk.Integer, Value: func(w *giftsv1.Wave) any { return w.GetEndsAtUnixMs() }},
	)
	// CatalogItems are keyed "<wave id>/<item id>" (see CatalogID).
	CatalogItems = sdk.ProtoCollection[*giftsv1.CatalogItem](giftsv1.CatalogItemCollection,
		sdk.ProtoColumn[*giftsv1.CatalogItem]{Name: "wave_id", Type: sdk.Text, Value: func(c *giftsv1.CatalogItem) any { return c.GetWaveId() }},
		sdk.ProtoColumn[*giftsv1.CatalogItem]{Name: "name_key", Type: sdk.Text, Value: func(c *giftsv1.CatalogItem) any { return strings.ToLower(c.GetItem().GetName()) }},
		sdk.ProtoColumn[*giftsv1.CatalogItem]{Name: "points_price", Type: sdk.Integer, Value: func(c *giftsv1.CatalogItem) any { return c.GetPointsPrice() }},
	)
	Orders = sdk.ProtoCollection[*giftsv1.Order](giftsv1.OrderCollection,
		sdk.ProtoColumn[*giftsv1.Order]{Name: "wave_id", Type: sdk.Text, Value: func(o *giftsv1.Order) any { return o.GetWaveId() }},
		sdk.ProtoColumn[*giftsv1.Order]{Name: "status", Type: sdk.Integer, Value: func(o *giftsv1.Order) any { return int64(o.GetStatus()) }},
		sdk.ProtoColumn[*giftsv1.Order]{Name: "created_at", Type: sdk.Integer, Value: func(o *giftsv1.Order) any { return o.GetCreatedAtUnixMs() }},
	)
	// Balances holds one record, the doctor's, keyed by user id.
	Balances = sdk.ProtoCollection[*pointsv1.PointsBalance](pointsv1.PointsBalanceCollection)
	Entries  = sdk.ProtoCollection[*pointsv1.PointsEntry](pointsv1.PointsEntryCollection,
		sdk.ProtoColumn[*pointsv1.PointsEntry]{Name: "created_at", Type: sdk.Integer, Value: func(e *pointsv1.PointsEntry) any { return e.GetCreatedAtUnixMs() }},
		sdk.ProtoColumn[*pointsv1.PointsEntry]{Name: "source", Type: sdk.Text, Value: func(e *pointsv1.PointsEntry) any { return e.GetSource() }},
	)
)

// Register adds the collections and the optimistic order mutation to a
// schema, before sdk.Open.
func Register(s *sdk.Schema) {
	for _, c := range []sdk.Collection{Waves.Collection, CatalogItems.Collection, Orders.Collection, Balances.Collection, Entries.Collection} {
		s.AddCollection(c)
	}
	s.AddMutation(MutationPlaceOrder, sdk.ProtoMutation(placeOrder))
}

// CatalogID is the id of a wave's catalog item.
func CatalogID(waveID, itemID string) string { return waveID + "/" + itemID }
