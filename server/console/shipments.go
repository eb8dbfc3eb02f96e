package console

import (
	"net/http"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/gifts"
)

// Shipments: one with its orders, shipping it with a tracking number,
// delivering it, and its printable packing list.

type packLine struct {
	*giftsv1.OrderLine
	SKU string
}

type shipmentPage struct {
	Shipment *giftsv1.Shipment
	Status   string
	Wave     gifts.Wave
	Lines    []packLine
	Orders   []orderRow
	Units    int64
	Packed   bool
	Shipped  bool
	Refusal  *refusal
}

func (c *Console) loadShipment(q *request) (*shipmentPage, error) {
	ctx := q.r.Context()
	sh, orders, err := c.cfg.Gifts.GetShipment(ctx, q.p, q.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	w, _, err := c.cfg.Gifts.GetWave(ctx, q.p, sh.WaveId)
	if err != nil {
		return nil, err
	}
	items, err := c.cfg.Gifts.ListItems(ctx, q.p)
	if err != nil {
		return nil, err
	}
	skus := map[string]string{}
	for _, it := range items {
		skus[it.ID] = it.SKU
	}
	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return nil, err
	}
	var users []string
	for _, o := range orders {
		users = append(users, o.UserId)
	}
	names, err := c.cfg.Accounts.DisplayNames(ctx, q.p, users)
	if err != nil {
		return nil, err
	}
	pg := &shipmentPage{Shipment: sh, Status: shipmentStatusKey(sh.Status), Wave: w,
		Packed: sh.Status == giftsv1.ShipmentStatus_SHIPMENT_STATUS_PACKED, Shipped: sh.Status == giftsv1.ShipmentStatus_SHIPMENT_STATUS_SHIPPED}
	for _, l := range sh.Lines {
		pg.Lines = append(pg.Lines, packLine{OrderLine: l, SKU: skus[l.ItemId]})
		pg.Units += l.Quantity
	}
	territories := territoryNames(regions)
	for _, o := range orders {
		pg.Orders = append(pg.Orders, orderRow{Order: o, Doctor: names[o.UserId], Territory: territories[o.TerritoryId], Status: orderStatusKey(o.Status)})
	}
	return pg, nil
}

func (c *Console) shipmentPage(q *request) error { return c.renderShipment(q, http.StatusOK, nil) }

func (c *Console) renderShipment(q *request, status int, ref *refusal) error {
	pg, err := c.loadShipment(q)
	if err != nil {
		return err
	}
	pg.Refusal = ref
	q.render(status, "gifts/shipment", pg)
	return nil
}

// shipShipment ships a packed shipment with its tracking number, as
// ShipShipment does: the goods leave the stock and the doctors are told.
func (c *Console) shipShipment(q *request) error {
	id := q.r.PathValue("id")
	if _, err := c.cfg.Gifts.ShipShipment(q.r.Context(), q.p, id, q.r.PostFormValue("tracking")); err != nil {
		return c.shipmentRefused(q, err)
	}
	q.redirect(Prefix + "gifts/shipments/" + id)
	return nil
}

// deliverShipment marks a shipped shipment delivered, with its orders.
func (c *Console) deliverShipment(q *request) error {
	id := q.r.PathValue("id")
	if _, err := c.cfg.Gifts.DeliverShipment(q.r.Context(), q.p, id); err != nil {
		return c.shipmentRefused(q, err)
	}
	q.redirect(Prefix + "gifts/shipments/" + id)
	return nil
}

func (c *Console) shipmentRefused(q *request, err error) error {
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	q.w.Header().Set("HX-Push-Url", Prefix+"gifts/shipments/"+q.r.PathValue("id"))
	return c.renderShipment(q, status, ref)
}

// packingList is a shipment's packing list: the address, the items to put
// in the parcel and the orders it fills, laid out for printing.
func (c *Console) packingList(q *request) error {
	pg, err := c.loadShipment(q)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "gifts/packing", pg)
	return nil
}

type territoryReportRow struct {
	*giftsv1.TerritoryFigures
	Territory string
}

type reportsPage struct {
	Waves       []option
	WaveID      string
	Items       []*giftsv1.WaveItemFigures
	Territories []territoryReportRow
}

// giftReports are the wave report (per item: allocated, ordered, shipped,
// points) and the territory report (per territory: orders, units, points)
// of one wave or all.
func (c *Console) giftReports(q *request) error {
	ctx := q.r.Context()
	waveID := q.r.URL.Query().Get("wave")
	if waveID != "" {
		if _, _, err := c.cfg.Gifts.GetWave(ctx, q.p, waveID); err != nil {
			return err
		}
	}
	waves, err := c.cfg.Gifts.ListWaves(ctx, q.p, "")
	if err != nil {
		return err
	}
	pg := &reportsPage{WaveID: waveID}
	pg.Waves = append(pg.Waves, option{Label: q.mustText("greport.all_waves"), Selected: waveID == ""})
	for _, w := range waves {
		pg.Waves = append(pg.Waves, option{Value: w.ID, Label: w.Title, Selected: w.ID == waveID})
	}
	if pg.Items, err = c.cfg.Gifts.WaveReport(ctx, q.p, waveID); err != nil {
		return err
	}
	ts, err := c.cfg.Gifts.TerritoryReport(ctx, q.p, waveID)
	if err != nil {
		return err
	}
	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return err
	}
	names := territoryNames(regions)
	for _, t := range ts {
		name := names[t.TerritoryId]
		if t.TerritoryId == "" {
			name = q.mustText("greport.no_territory")
		} else if name == "" {
			name = t.TerritoryId
		}
		pg.Territories = append(pg.Territories, territoryReportRow{TerritoryFigures: t, Territory: name})
	}
	q.render(http.StatusOK, "gifts/reports", pg)
	return nil
}
