package console

import (
	"cmp"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/internal/csvcell"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The audit log: the decisions the modules keep a record of — the
// directory's history of every doctor, the clinical cases' events, the
// accounts' and diplomas' decisions, the gift waves' and the warehouse's —
// with who, when and from where, filtered, as a page or CSV.
// Admins may; the records are read through each module's own read path.
func (c *Console) auditPages() []page {
	if c.cfg.Cases == nil {
		return nil
	}
	const area = "nav.audit"
	return []page{
		{method: http.MethodGet, path: Prefix + "audit", access: admins, nav: area, area: area, serve: c.auditLog},
		{method: http.MethodGet, path: Prefix + "audit.csv", access: admins, area: area, serve: c.auditCSV},
	}
}

// auditSize is the number of entries a page or an export holds, newest
// first.
const auditSize = 500

type auditRow struct {
	At                                 int64
	Area, Actor, Action, Subject, Link string
	Note                               string
	// Address is the host the decision came from, "" when the module did
	// not record one (the server's own tasks, older entries).
	Address string
	actorID string
	// subjectUser is the account the decision was about, named with the
	// actors.
	subjectUser string
}

type auditPage struct {
	Areas, Actors []option
	From, To      string
	Rows          []auditRow
	CSV           string
	Errors        formErrors
}

// auditQuery reads the filters: area, actor, from and to (days in the
// user's zone, to included).
func (c *Console) auditQuery(q *request) (*auditPage, []auditRow, error) {
	ctx := q.r.Context()
	in := q.r.URL.Query()
	pg := &auditPage{Errors: formErrors{}, From: in.Get("from"), To: in.Get("to")}
	area, actor := in.Get("area"), in.Get("actor")
	if area != "" && !slices.Contains(auditAreas, area) {
		pg.Errors["area"] = []string{"must be one of " + strings.Join(auditAreas, ", ")}
	}
	var from, to int64
	day := func(field, s string, end bool) int64 {
		if s == "" {
			return 0
		}
		t, err := time.ParseInLocation(time.DateOnly, s, q.location())
		if err != nil {
			pg.Errors[field] = []string{"a day as YYYY-MM-DD"}
			return 0
		}
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t.UnixMilli()
	}
	from, to = day("from", pg.From, false), day("to", pg.To, true)
	if from != 0 && to != 0 && to <= from {
		pg.Errors["to"] = []string{"must not be before the first day"}
	}
	pg.Areas = append(pg.Areas, option{Label: q.mustText("audit.any_area"), Selected: area == ""})
	for _, a := range auditAreas {
		pg.Areas = append(pg.Areas, option{Value: a, Label: q.mustText("audit.area." + a), Selected: a == area})
	}
	var staff []auth.User
	for _, role := range []auth.Role{auth.RoleModerator, auth.RoleAdmin} {
		us, err := c.cfg.Accounts.ListUsers(ctx, q.p, role, "")
		if err != nil {
			return nil, nil, err
		}
		staff = append(staff, us...)
	}
	pg.Actors = append(pg.Actors, option{Label: q.mustText("edits.anyone"), Selected: actor == ""})
	known := actor == ""
	for _, u := range staff {
		pg.Actors = append(pg.Actors, option{Value: u.ID, Label: u.Name, Selected: u.ID == actor})
		known = known || u.ID == actor
	}
	if !known {
		pg.Errors["actor"] = []string{"choose one of the staff offered"}
	}
	if len(pg.Errors) > 0 {
		return pg, nil, nil
	}
	wanted := func(a string) bool { return area == "" || area == a }
	var rows []auditRow
	add := func(rs []auditRow, err error) error {
		rows = append(rows, rs...)
		return err
	}
	if wanted("edits") {
		if err := add(c.editRows(ctx, q, from, to)); err != nil {
			return nil, nil, err
		}
	}
	if wanted("cases") {
		if err := add(c.caseRows(ctx, q, from, to)); err != nil {
			return nil, nil, err
		}
	}
	if wanted("accounts") || wanted("diplomas") {
		if err := add(c.accountRows(ctx, q, from, to, wanted)); err != nil {
			return nil, nil, err
		}
	}
	if c.cfg.Gifts != nil && (wanted("waves") || wanted("warehouse")) {
		if err := add(c.giftRows(ctx, q, from, to, wanted)); err != nil {
			return nil, nil, err
		}
	}
	kept := rows[:0]
	var ids []string
	for _, r := range rows {
		if actor == "" || r.actorID == actor {
			kept = append(kept, r)
			ids = append(ids, r.actorID)
			if r.subjectUser != "" {
				ids = append(ids, r.subjectUser)
			}
		}
	}
	rows = kept
	slices.SortStableFunc(rows, func(a, b auditRow) int { return cmp.Compare(b.At, a.At) })
	rows = rows[:min(len(rows), auditSize)]
	names, err := c.cfg.Accounts.DisplayNames(ctx, q.p, ids)
	if err != nil {
		return nil, nil, err
	}
	for i := range rows {
		r := &rows[i]
		switch {
		case r.actorID == auth.System.UserID || r.actorID == "":
			r.Actor = q.mustText("history.system")
		case names[r.actorID] != "":
			r.Actor = names[r.actorID]
		default:
			r.Actor = r.actorID
		}
		if r.subjectUser != "" && names[r.subjectUser] != "" {
			r.Subject, r.Link = names[r.subjectUser], Prefix+"people/"+r.subjectUser
		}
		r.Area = q.mustText("audit.area." + r.Area)
	}
	return pg, rows, nil
}

func (c *Console) auditLog(q *request) error {
	pg, rows, err := c.auditQuery(q)
	if err != nil {
		return err
	}
	if len(pg.Errors) > 0 {
		q.render(http.StatusUnprocessableEntity, "audit/log", pg)
		return nil
	}
	pg.Rows = rows
	pg.CSV = Prefix + "audit.csv"
	if query := q.r.URL.Query().Encode(); query != "" {
		pg.CSV += "?" + query
	}
	q.render(http.StatusOK, "audit/log", pg)
	return nil
}

// auditCSV is the log under the same filters as a CSV file.
func (c *Console) auditCSV(q *request) error {
	pg, rows, err := c.auditQuery(q)
	if err != nil {
		return err
	}
	if len(pg.Errors) > 0 {
		var vs []syncengine.Violation
		for f, ds := range pg.Errors {
			for _, d := range ds {
				vs = append(vs, syncengine.Violation{Field: f, Description: d})
			}
		}
		return syncengine.Invalid("the filters are not valid: "+pg.Errors.Except()[0], vs...)
	}
	h := q.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="audit.csv"`)
	w := csv.NewWriter(q.w)
	w.Write([]string{"at", "area", "who", "what", "subject", "note", "address"})
	for _, r := range rows {
		w.Write([]string{time.UnixMilli(r.At).In(q.location()).Format(time.RFC3339), csvcell.Safe(r.Area), csvcell.Safe(r.Actor), csvcell.Safe(r.Action),
			csvcell.Safe(r.Subject), csvcell.Safe(r.Note), csvcell.Safe(r.Address)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		q.c.log.ErrorContext(q.r.Context(), "audit export cut short", "err", err)
	}
	return nil
}
