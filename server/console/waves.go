package console

import (
	"net/http"
	"strconv"
	"time"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Gift waves: the list with a new wave, a wave with its window, its offer,
// its orders and shipments, packing.

type waveRow struct {
	gifts.Wave
	Region, State string
}

type wavesPage struct {
	Rows     []waveRow
	Regions  []option
	Refusal  *refusal
	WaveForm waveFormView
}

// waveFormView is what the wave form (templates/gifts/_wave.html) shows:
// a wave's values, or what was typed when it was refused.
type waveFormView struct {
	Title, Description, Starts, Ends, Grace string
	Refusal                                 *refusal
}

// waveState is the catalogue key of where a wave is in its life now.
func waveState(w gifts.Wave, now time.Time) string {
	switch {
	case now.Before(w.StartsAt):
		return "gifts.wave.planned"
	case now.Before(w.EndsAt):
		return "gifts.wave.open"
	}
	return "gifts.wave.closed"
}

func (c *Console) waveList(q *request) error { return c.renderWaves(q, http.StatusOK, nil) }

func (c *Console) renderWaves(q *request, status int, ref *refusal) error {
	waves, err := c.cfg.Gifts.ListWaves(q.r.Context(), q.p, "")
	if err != nil {
		return err
	}
	regions, _, err := c.regionZones(q)
	if err != nil {
		return err
	}
	names := map[string]string{}
	region := ref.Value("region_id", "")
	pg := &wavesPage{Refusal: ref, WaveForm: waveFormView{Refusal: ref}}
	for _, r := range regions {
		names[r.ID] = r.Name
		pg.Regions = append(pg.Regions, option{Value: r.ID, Label: r.Name + " (" + r.TimeZone + ")", Selected: r.ID == region})
	}
	now := c.now()
	for _, w := range waves {
		pg.Rows = append(pg.Rows, waveRow{Wave: w, Region: names[w.RegionID], State: waveState(w, now)})
	}
	q.render(status, "gifts/waves", pg)
	return nil
}

// waveForm reads a wave's texts and window from a form, its times in the
// region's zone; bad dates are violations of the service's field names.
func waveForm(q *request, loc *time.Location) (gifts.Wave, []syncengine.Violation) {
	var bad []syncengine.Violation
	w := gifts.Wave{Title: q.r.PostFormValue("title"), Description: q.r.PostFormValue("description"),
		StartsAt: formTime(q, "starts_at", loc, &bad), EndsAt: formTime(q, "ends_at", loc, &bad)}
	// Empty or 0 takes the service's default grace.
	w.Grace = time.Duration(formInt(q, "grace_hours", "grace_ms", &bad)) * time.Hour
	return w, bad
}

// createWave plans a wave, as CreateWave does for the RPC.
func (c *Console) createWave(q *request) error {
	_, zones, err := c.regionZones(q)
	if err != nil {
		return err
	}
	region := q.r.PostFormValue("region_id")
	loc := zoneOf(zones, region)
	w, bad := waveForm(q, loc)
	w.RegionID = region
	if len(bad) > 0 {
		err = syncengine.Invalid("the wave cannot be saved", bad...)
	} else if w, err = c.cfg.Gifts.CreateWave(q.r.Context(), q.p, w); err == nil {
		q.redirect(Prefix + "gifts/waves/" + w.ID)
		return nil
	}
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	return c.renderWaves(q, status, ref)
}

type offerRow struct {
	gifts.WaveItem
	Remaining int64
}

type orderRow struct {
	*giftsv1.Order
	Doctor, Territory, Status string
}

type shipmentRow struct {
	*giftsv1.Shipment
	Status string
	Units  int64
}

type wavePage struct {
	Wave          gifts.Wave
	Region, State string
	// Zone is the region's, in which the form edits the window.
	Zone      string
	WaveForm  waveFormView
	Editable  bool
	Offer     []offerRow
	Items     []option
	Orders    []orderRow
	ToPack    int
	Shipments []shipmentRow
	// Packed is how many shipments packing just made, shown when
	// ShowPacked.
	Packed     int64
	ShowPacked bool
	// Refusal is why a form was not saved; OfferRefusal is it again when
	// it was the offer's form, for that form's fields.
	Refusal      *refusal
	OfferRefusal *refusal
}

func (c *Console) wavePage(q *request) error { return c.renderWave(q, http.StatusOK, nil, "") }

func (c *Console) renderWave(q *request, status int, ref *refusal, form string) error {
	ctx, id := q.r.Context(), q.r.PathValue("id")
	w, offer, err := c.cfg.Gifts.GetWave(ctx, q.p, id)
	if err != nil {
		return err
	}
	regions, zones, err := c.regionZones(q)
	if err != nil {
		return err
	}
	loc := zoneOf(zones, w.RegionID)
	now := c.now()
	pg := &wavePage{Wave: w, State: waveState(w, now), Zone: loc.String(), Editable: now.Before(w.EndsAt), Refusal: ref,
		WaveForm: waveFormView{Title: w.Title, Description: w.Description, Starts: w.StartsAt.In(loc).Format(localInput), Ends: w.EndsAt.In(loc).Format(localInput),
			Grace: strconv.FormatInt(int64(w.Grace/time.Hour), 10)}}
	switch form {
	case "wave":
		pg.WaveForm.Refusal = ref
	case "offer":
		pg.OfferRefusal = ref
	}
	if n, err := strconv.ParseInt(q.r.URL.Query().Get("packed"), 10, 64); err == nil && n >= 0 {
		pg.Packed, pg.ShowPacked = n, true
	}
	for _, r := range regions {
		if r.ID == w.RegionID {
			pg.Region = r.Name
		}
	}
	for _, wi := range offer {
		pg.Offer = append(pg.Offer, offerRow{WaveItem: wi, Remaining: wi.Remaining()})
	}
	items, err := c.cfg.Gifts.ListItems(ctx, q.p)
	if err != nil {
		return err
	}
	chosen := pg.OfferRefusal.Value("item", "")
	for _, it := range items {
		pg.Items = append(pg.Items, option{Value: it.ID, Label: it.SKU + " · " + it.Name, Selected: it.ID == chosen})
	}
	orders, err := c.cfg.Gifts.ListOrders(ctx, q.p, id, "", "", 500)
	if err != nil {
		return err
	}
	var users []string
	for _, o := range orders {
		users = append(users, o.UserId)
	}
	names, err := c.cfg.Accounts.DisplayNames(ctx, q.p, users)
	if err != nil {
		return err
	}
	territories := territoryNames(regions)
	for _, o := range orders {
		pg.Orders = append(pg.Orders, orderRow{Order: o, Doctor: names[o.UserId], Territory: territories[o.TerritoryId], Status: orderStatusKey(o.Status)})
		if o.Status == giftsv1.OrderStatus_ORDER_STATUS_PLACED {
			pg.ToPack++
		}
	}
	shipments, err := c.cfg.Gifts.ListShipments(ctx, q.p, id, "", 500)
	if err != nil {
		return err
	}
	for _, sh := range shipments {
		row := shipmentRow{Shipment: sh, Status: shipmentStatusKey(sh.Status)}
		for _, l := range sh.Lines {
			row.Units += l.Quantity
		}
		pg.Shipments = append(pg.Shipments, row)
	}
	q.render(status, "gifts/wave", pg)
	return nil
}

// updateWave changes a wave's texts and window, as UpdateWave does.
func (c *Console) updateWave(q *request) error {
	ctx, id := q.r.Context(), q.r.PathValue("id")
	old, _, err := c.cfg.Gifts.GetWave(ctx, q.p, id)
	if err != nil {
		return err
	}
	_, zones, err := c.regionZones(q)
	if err != nil {
		return err
	}
	loc := zoneOf(zones, old.RegionID)
	w, bad := waveForm(q, loc)
	w.ID = id
	if len(bad) > 0 {
		err = syncengine.Invalid("the wave cannot be saved", bad...)
	} else if _, err = c.cfg.Gifts.UpdateWave(ctx, q.p, w); err == nil {
		q.redirect(Prefix + "gifts/waves/" + id)
		return nil
	}
	return c.waveRefused(q, err, "wave")
}

// waveRefused shows the wave again with why a form of it was not saved.
func (c *Console) waveRefused(q *request, err error, form string) error {
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	q.w.Header().Set("HX-Push-Url", Prefix+"gifts/waves/"+q.r.PathValue("id"))
	return c.renderWave(q, status, ref, form)
}

// setWaveItem offers an item in the wave or changes its offer, as
// SetWaveItem does: price and limit until the wave opens, the allocation
// (reserved in the warehouse) until it closes.
func (c *Console) setWaveItem(q *request) error {
	var bad []syncengine.Violation
	price := formInt(q, "points_price", "points_price", &bad)
	limit := formInt(q, "limit_per_doctor", "limit_per_doctor", &bad)
	allocated := formInt(q, "allocated", "allocated", &bad)
	var err error
	if len(bad) > 0 {
		err = syncengine.Invalid("the wave item cannot be saved", bad...)
	} else if _, err = c.cfg.Gifts.SetWaveItem(q.r.Context(), q.p, q.r.PathValue("id"), q.r.PostFormValue("item"), price, limit, allocated); err == nil {
		q.redirect(Prefix + "gifts/waves/" + q.r.PathValue("id"))
		return nil
	}
	return c.waveRefused(q, err, "offer")
}

// packWave packs the wave's placed orders into shipments by address, as
// PackShipments does, and says how many it made.
func (c *Console) packWave(q *request) error {
	id := q.r.PathValue("id")
	packed, err := c.cfg.Gifts.PackShipments(q.r.Context(), q.p, id)
	if err != nil {
		return c.waveRefused(q, err, "pack")
	}
	q.redirect(Prefix + "gifts/waves/" + id + "?packed=" + strconv.Itoa(len(packed)) + "#shipments")
	return nil
}
