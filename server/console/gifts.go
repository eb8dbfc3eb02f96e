package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The gift waves and the warehouse (server/gifts): the catalog with its
// stock, an item's movements, waves with their offer, orders and packing,
// shipments with their packing lists, and the wave and territory reports.
// Every page is for moderators and admins, as every gifts method is.
func (c *Console) giftPages() []page {
	if c.cfg.Gifts == nil {
		return nil
	}
	const waves, stock = "nav.waves", "nav.stock"
	return []page{
		{method: http.MethodGet, path: Prefix + "gifts/waves", access: moderators, nav: waves, area: waves, serve: c.waveList},
		{method: http.MethodPost, path: Prefix + "gifts/waves", access: moderators, area: waves, serve: c.createWave},
		{method: http.MethodGet, path: Prefix + "gifts/waves/{id}", access: moderators, area: waves, serve: c.wavePage},
		{method: http.MethodPost, path: Prefix + "gifts/waves/{id}", access: moderators, area: waves, serve: c.updateWave},
		{method: http.MethodPost, path: Prefix + "gifts/waves/{id}/items", access: moderators, area: waves, serve: c.setWaveItem},
		{method: http.MethodPost, path: Prefix + "gifts/waves/{id}/pack", access: moderators, area: waves, serve: c.packWave},
		{method: http.MethodGet, path: Prefix + "gifts/reports", access: moderators, area: waves, serve: c.giftReports},
		{method: http.MethodGet, path: Prefix + "gifts/shipments/{id}", access: moderators, area: waves, serve: c.shipmentPage},
		{method: http.MethodPost, path: Prefix + "gifts/shipments/{id}/ship", access: moderators, area: waves, serve: c.shipShipment},
		{method: http.MethodPost, path: Prefix + "gifts/shipments/{id}/deliver", access: moderators, area: waves, serve: c.deliverShipment},
		{method: http.MethodGet, path: Prefix + "gifts/shipments/{id}/packing", access: moderators, area: waves, serve: c.packingList},
		{method: http.MethodGet, path: Prefix + "gifts/stock", access: moderators, nav: stock, area: stock, serve: c.stockPage},
		{method: http.MethodPost, path: Prefix + "gifts/items", access: moderators, area: stock, serve: c.createItem},
		{method: http.MethodGet, path: Prefix + "gifts/items/{id}", access: moderators, area: stock, serve: c.itemPage},
		{method: http.MethodPost, path: Prefix + "gifts/items/{id}/movements", access: moderators, area: stock, serve: c.recordMovement},
	}
}

// refusal is why a form was not saved: the service's words and its field
// violations, shown next to the fields; the form keeps what was typed.
type refusal struct {
	Message string
	Errors  formErrors
	Form    map[string]string
}

// For is a field's violations ("" with no refusal).
func (r *refusal) For(field string) string {
	if r == nil {
		return ""
	}
	return r.Errors.For(field)
}

// Value is what the form had in a field, else def.
func (r *refusal) Value(field, def string) string {
	if r == nil {
		return def
	}
	return r.Form[field]
}

// refusalOf turns a service's refusal of a form into what the page shows
// next to the form; other errors (internal, permission) are not a form's
// to show and return false.
func (q *request) refusalOf(err error) (*refusal, int, bool) {
	code := syncengine.ErrorCode(err)
	switch code {
	case syncengine.EINVALID, syncengine.EPRECONDITION, syncengine.ECONFLICT, syncengine.ENOTFOUND:
	default:
		return nil, 0, false
	}
	form := map[string]string{}
	// Parsed already by the handler's PostFormValue calls; htmx sends the
	// CSRF token as a header, so nothing else may have.
	q.r.ParseForm()
	for k, v := range q.r.PostForm {
		form[k] = v[0]
	}
	return &refusal{Message: syncengine.ErrorMessage(err), Errors: violations(err), Form: form}, statusOf[code], true
}

// formInt reads a whole number a form field must hold; a bad one is a
// violation under the field name the service uses for it.
func formInt(q *request, name, field string, bad *[]syncengine.Violation) int64 {
	s := strings.TrimSpace(q.r.PostFormValue(name))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		*bad = append(*bad, syncengine.Violation{Field: field, Description: "must be a whole number"})
	}
	return n
}

// regionZones are the regions by id with their time zones.
func (c *Console) regionZones(q *request) ([]auth.Region, map[string]*time.Location, error) {
	regions, err := c.cfg.Accounts.ListRegions(q.r.Context())
	if err != nil {
		return nil, nil, err
	}
	zones := map[string]*time.Location{}
	for _, r := range regions {
		loc, err := time.LoadLocation(r.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		zones[r.ID] = loc
	}
	return regions, zones, nil
}

// zoneOf is a region's zone, UTC for a region there is not (the service
// then refuses the region).
func zoneOf(zones map[string]*time.Location, region string) *time.Location {
	if loc, ok := zones[region]; ok {
		return loc
	}
	return time.UTC
}

// localInput is the datetime-local form of a time in a zone.
const localInput = "2006-01-02T15:04"

// formTime reads a datetime-local field in a region's zone.
func formTime(q *request, name string, loc *time.Location, bad *[]syncengine.Violation) time.Time {
	s := strings.TrimSpace(q.r.PostFormValue(name))
	t, err := time.ParseInLocation(localInput, s, loc)
	if err != nil {
		*bad = append(*bad, syncengine.Violation{Field: name, Description: "must be a date and time"})
	}
	return t
}

// newRequestID is the id a movement form carries, so a form sent twice
// records once.
func newRequestID() string { return uuid.NewString() }

// territoryNames are the territories' names by id.
func territoryNames(regions []auth.Region) map[string]string {
	out := map[string]string{}
	for _, r := range regions {
		for _, t := range r.Territories {
			out[t.ID] = r.Name + " · " + t.Name
		}
	}
	return out
}

// kindKey is the catalogue key of an item kind.
func kindKey(k giftsv1.GiftKind) string {
	switch k {
	case giftsv1.GiftKind_GIFT_KIND_PRODUCT:
		return "gifts.kind.product"
	case giftsv1.GiftKind_GIFT_KIND_DEVICE:
		return "gifts.kind.device"
	case giftsv1.GiftKind_GIFT_KIND_MERCH:
		return "gifts.kind.merch"
	}
	return "gifts.kind.unknown"
}

// orderStatusKey and shipmentStatusKey are the catalogue keys of statuses.
func orderStatusKey(s giftsv1.OrderStatus) string {
	if n := gifts.OrderStatusName(s); n != "" {
		return "gifts.order." + n
	}
	return "gifts.order.unknown"
}

func shipmentStatusKey(s giftsv1.ShipmentStatus) string {
	if n := gifts.ShipmentStatusName(s); n != "" {
		return "gifts.shipment." + n
	}
	return "gifts.shipment.unknown"
}
