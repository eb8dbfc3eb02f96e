package console

import (
	"context"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/internal/audit"
)

// The audit log's sources: each reads one module's record through the
// module's own read path and turns its entries into rows.

// auditAreas are the sources of the log, by filter value.
var auditAreas = []string{"edits", "cases", "diplomas", "accounts", "waves", "warehouse"}

// auditActions are the decisions the accounts and gifts modules record in
// their audit tables, with the area each belongs to; the log names each by
// the text "audit.action.<action>".
var auditActions = map[string]string{
	"user.created":         "accounts",
	"user.disabled":        "accounts",
	"user.enabled":         "accounts",
	"password.reset":       "accounts",
	"device.revoked":       "accounts",
	"region.created":       "accounts",
	"territory.created":    "accounts",
	"territory.assigned":   "accounts",
	"territory.unassigned": "accounts",
	"region.assigned":      "accounts",
	"region.unassigned":    "accounts",
	"diploma.verified":     "diplomas",
	"diploma.rejected":     "diplomas",
	"item.created":         "warehouse",
	"wave.created":         "waves",
	"wave.changed":         "waves",
	"wave.offer_set":       "waves",
	"shipment.packed":      "waves",
	"shipment.shipped":     "warehouse",
	"shipment.delivered":   "warehouse",
}

// auditArea is the area of a module's audit action; one the console does
// not know yet is filed under fallback rather than lost.
func auditArea(action, fallback string) string {
	if a, ok := auditActions[action]; ok {
		return a
	}
	return fallback
}

// actionText names a module's audit action, or shows it as recorded if
// the console has no text for it.
func (q *request) actionText(action string) string {
	if s, err := q.lang.text("audit.action." + action); err == nil {
		return s
	}
	return action
}

func (c *Console) editRows(ctx context.Context, q *request, from, to int64) ([]auditRow, error) {
	es, err := c.cfg.Directory.AuditTrail(ctx, q.p, from, to, auditSize)
	if err != nil {
		return nil, err
	}
	var rows []auditRow
	for _, e := range es {
		rows = append(rows, auditRow{At: e.AtUnixMs, Area: "edits", actorID: e.ActorID, Address: e.Address, Action: q.mustText("action." + e.Action),
			Subject: e.DoctorName, Link: Prefix + "doctors/" + e.DoctorID + "/history", Note: e.Note})
	}
	return rows, nil
}

func (c *Console) caseRows(ctx context.Context, q *request, from, to int64) ([]auditRow, error) {
	es, err := c.cfg.Cases.AuditTrail(ctx, q.p, from, to, auditSize)
	if err != nil {
		return nil, err
	}
	var rows []auditRow
	for _, e := range es {
		r := auditRow{At: e.Event.AtUnixMs, Area: "cases", actorID: e.Event.ActorId, Address: e.Address, Action: q.mustText("cases.action." + e.Event.Action),
			Subject: e.Diagnosis, Note: e.Event.Note}
		if e.Diagnosis != "" {
			r.Link = Prefix + "cases/" + e.CaseID
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// accountRows are the accounts module's decisions of the areas wanted
// (accounts, diplomas); an account they are about is named once the
// page knows every name it needs (subjectUser).
func (c *Console) accountRows(ctx context.Context, q *request, from, to int64, wanted func(string) bool) ([]auditRow, error) {
	es, err := c.cfg.Accounts.AuditTrail(ctx, q.p, from, to, auditSize)
	if err != nil {
		return nil, err
	}
	var rows []auditRow
	for _, e := range es {
		r := auditRow{At: e.AtUnixMs, Area: auditArea(e.Action, "accounts"), actorID: e.ActorID, Address: e.Address, Action: q.actionText(e.Action),
			Subject: e.ObjectID, Note: e.Detail}
		if !wanted(r.Area) {
			continue
		}
		switch {
		case e.Action == "region.created", e.Action == "territory.created":
		case e.Action == "device.revoked":
			r.subjectUser, r.Note = e.ObjectID, q.mustText("audit.device")+" "+e.Detail
		default:
			r.subjectUser = e.ObjectID
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// giftRows are the gifts module's decisions of the areas wanted (waves,
// warehouse) and, for the warehouse, its stock movements.
func (c *Console) giftRows(ctx context.Context, q *request, from, to int64, wanted func(string) bool) ([]auditRow, error) {
	items, err := c.cfg.Gifts.ListItems(ctx, q.p)
	if err != nil {
		return nil, err
	}
	itemNames := map[string]string{}
	for _, it := range items {
		itemNames[it.ID] = it.Name
	}
	waves, err := c.cfg.Gifts.ListWaves(ctx, q.p, "")
	if err != nil {
		return nil, err
	}
	waveTitles := map[string]string{}
	for _, w := range waves {
		waveTitles[w.ID] = w.Title
	}
	es, err := c.cfg.Gifts.AuditTrail(ctx, q.p, from, to, auditSize)
	if err != nil {
		return nil, err
	}
	var rows []auditRow
	for _, e := range es {
		r := auditRow{At: e.AtUnixMs, Area: auditArea(e.Action, "waves"), actorID: e.ActorID, Address: e.Address, Action: q.actionText(e.Action)}
		if !wanted(r.Area) {
			continue
		}
		giftSubject(&r, e, itemNames, waveTitles)
		rows = append(rows, r)
	}
	if !wanted("warehouse") {
		return rows, nil
	}
	ms, err := c.cfg.Gifts.ListMovements(ctx, q.p, "", "", 1000)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if (from != 0 && m.CreatedAt < from) || (to != 0 && m.CreatedAt >= to) {
			continue
		}
		rows = append(rows, auditRow{At: m.CreatedAt, Area: "warehouse", actorID: m.ActorID, Address: m.Address, Action: q.mustText("gifts.move." + m.Kind),
			Subject: itemNames[m.ItemID] + " × " + strconv.FormatInt(m.Quantity, 10), Link: Prefix + "gifts/items/" + m.ItemID, Note: m.Note})
	}
	return rows, nil
}

// giftSubject names what a gift decision was about: its wave, item or
// shipment (by the details the module recorded), with a link to it.
func giftSubject(r *auditRow, e audit.Entry, items, waves map[string]string) {
	r.Subject, r.Note = e.ObjectID, e.Detail
	switch {
	case e.Action == "item.created":
		r.Link = Prefix + "gifts/items/" + e.ObjectID
		if n := items[e.ObjectID]; n != "" {
			r.Subject = n
		}
	case strings.HasPrefix(e.Action, "wave."), e.Action == "shipment.packed":
		r.Link = Prefix + "gifts/waves/" + e.ObjectID
		if t := waves[e.ObjectID]; t != "" {
			r.Subject = t
		}
		if r.Note == r.Subject {
			r.Note = "" // the title it had then, as it is now
		}
	case strings.HasPrefix(e.Action, "shipment."):
		// The detail is the shipment's number, then its tracking number.
		r.Link = Prefix + "gifts/shipments/" + e.ObjectID
		r.Subject, r.Note, _ = strings.Cut(e.Detail, " ")
	}
}
