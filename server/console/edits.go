package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
)

// The moderation of doctor-data edits (server/probase): the queue, a
// request with its fields side by side, the decision, the doctor's
// history.
func (c *Console) editPages() []page {
	const area = "nav.edits"
	return []page{
		{method: http.MethodGet, path: Prefix + "edits", access: moderators, nav: area, area: area, serve: c.editQueue},
		{method: http.MethodGet, path: Prefix + "edits/{id}", access: moderators, area: area, serve: c.editRequest},
		{method: http.MethodPost, path: Prefix + "edits/{id}/approve", access: moderators, area: area, serve: c.approveEdit},
		{method: http.MethodPost, path: Prefix + "edits/{id}/reject", access: moderators, area: area, serve: c.rejectEdit},
		{method: http.MethodGet, path: Prefix + "doctors/{id}/history", access: moderators, area: area, serve: c.doctorHistory},
	}
}

// queueSize is the number of requests a queue page lists.
const queueSize = 50

// option is one choice of a filter.
type option struct {
	Value, Label string
	Selected     bool
}

type queueRow struct {
	ID, DoctorID, Doctor, Territory, Proposer, Status string
	Created                                           int64
	Age                                               string
	Fields                                            []string
}

type queuePage struct {
	Statuses, Territories, Proposers, Ages []option
	Rows                                   []queueRow
	// Total is how many requests match the filters; From and To number
	// the rows shown.
	Total, From, To int64
	Prev, Next      string
	Errors          formErrors
}

var queueAges = []int{1, 3, 7, 30}

// editQueue lists edit requests, oldest first, under the filters of the
// query: status (pending unless said), territory, proposer, age in days.
func (c *Console) editQueue(q *request) error {
	ctx := q.r.Context()
	in := q.r.URL.Query()
	pg := &queuePage{Errors: formErrors{}}
	status := in.Get("status")
	if !in.Has("status") {
		status = "pending"
	}
	if !slices.Contains([]string{"pending", "approved", "rejected", "all"}, status) {
		pg.Errors["status"] = []string{"must be pending, approved, rejected or all"}
		status = "pending"
	}
	f := probase.RequestFilter{Status: status, Territory: in.Get("territory"), ProposerID: in.Get("proposer"), Limit: queueSize}
	if f.Status == "all" {
		f.Status = ""
	}
	age := 0
	if a := in.Get("age"); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || !slices.Contains(queueAges, n) {
			pg.Errors["age"] = []string{"choose one of the ages offered"}
		} else {
			age = n
			f.CreatedBefore = c.now().Add(-time.Duration(n) * 24 * time.Hour).UnixMilli()
		}
	}
	if o := in.Get("offset"); o != "" {
		n, err := strconv.Atoi(o)
		if err != nil || n < 0 {
			pg.Errors["offset"] = []string{"must be a number of requests to skip"}
		}
		f.Offset = max(n, 0)
	}

	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return err
	}
	territoryNames := map[string]string{}
	pg.Territories = append(pg.Territories, option{Label: q.mustText("edits.any_territory")})
	for _, r := range regions {
		for _, t := range r.Territories {
			territoryNames[t.ID] = t.Name
			pg.Territories = append(pg.Territories, option{Value: t.ID, Label: r.Name + " · " + t.Name, Selected: t.ID == f.Territory})
		}
	}
	if _, ok := territoryNames[f.Territory]; f.Territory != "" && !ok {
		pg.Errors["territory"] = []string{"there is no territory " + f.Territory}
	}
	reps, err := c.cfg.Accounts.ListUsers(ctx, q.p, auth.RoleRep, "")
	if err != nil {
		return err
	}
	pg.Proposers = append(pg.Proposers, option{Label: q.mustText("edits.anyone")})
	for _, u := range reps {
		pg.Proposers = append(pg.Proposers, option{Value: u.ID, Label: u.Name, Selected: u.ID == f.ProposerID})
	}
	pg.Ages = append(pg.Ages, option{Label: q.mustText("edits.any_age")})
	for _, n := range queueAges {
		label, err := q.lang.count("edits.older_than", int64(n))
		if err != nil {
			return err
		}
		pg.Ages = append(pg.Ages, option{Value: strconv.Itoa(n), Label: label, Selected: n == age})
	}

	status = f.Status
	if len(pg.Errors) > 0 {
		pg.Statuses = q.statusOptions(status, nil)
		q.render(http.StatusUnprocessableEntity, "edits/queue", pg)
		return nil
	}
	counts, err := c.cfg.Directory.CountEditRequests(ctx, q.p, f)
	if err != nil {
		return err
	}
	pg.Statuses = q.statusOptions(status, counts)
	for s, n := range counts {
		if status == "" || s == status {
			pg.Total += n
		}
	}
	reqs, err := c.cfg.Directory.ListEditRequests(ctx, q.p, f)
	if err != nil {
		return err
	}
	var ids []string
	for _, r := range reqs {
		ids = append(ids, r.ProposerId)
	}
	names, err := c.cfg.Accounts.DisplayNames(ctx, q.p, ids)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		row := queueRow{ID: r.Id, DoctorID: r.DoctorId, Doctor: r.DoctorName, Territory: territoryNames[r.TerritoryId], Proposer: names[r.ProposerId],
			Status: statusKey(r.Status), Created: r.CreatedAtUnixMs}
		if row.Age, err = q.age(r.CreatedAtUnixMs); err != nil {
			return err
		}
		for _, ch := range r.Changes {
			row.Fields = append(row.Fields, q.fieldLabel(ch.Field))
		}
		pg.Rows = append(pg.Rows, row)
	}
	if len(pg.Rows) > 0 {
		pg.From, pg.To = int64(f.Offset)+1, int64(f.Offset+len(pg.Rows))
	}
	page := func(offset int) string {
		v := url.Values{}
		for k, vs := range in {
			v[k] = vs
		}
		v.Set("status", in.Get("status"))
		if !in.Has("status") {
			v.Set("status", "pending")
		}
		v.Set("offset", strconv.Itoa(offset))
		return Prefix + "edits?" + v.Encode()
	}
	if f.Offset > 0 {
		pg.Prev = page(max(f.Offset-queueSize, 0))
	}
	if pg.To < pg.Total {
		pg.Next = page(f.Offset + queueSize)
	}
	q.render(http.StatusOK, "edits/queue", pg)
	return nil
}

// statusOptions are the status filter's choices, with their counts when
// known.
func (q *request) statusOptions(selected string, counts map[string]int64) []option {
	var out []option
	var all int64
	for _, s := range []string{"pending", "approved", "rejected"} {
		label := q.mustText("status." + s)
		if counts != nil {
			label += " (" + strconv.FormatInt(counts[s], 10) + ")"
			all += counts[s]
		}
		out = append(out, option{Value: s, Label: label, Selected: s == selected})
	}
	label := q.mustText("status.all")
	if counts != nil {
		label += " (" + strconv.FormatInt(all, 10) + ")"
	}
	return append(out, option{Value: "all", Label: label, Selected: selected == ""})
}

func statusKey(s probasev1.EditStatus) string {
	switch s {
	case probasev1.EditStatus_EDIT_STATUS_PENDING:
		return "pending"
	case probasev1.EditStatus_EDIT_STATUS_APPROVED:
		return "approved"
	case probasev1.EditStatus_EDIT_STATUS_REJECTED:
		return "rejected"
	}
	return "unknown"
}

// age says how long ago a time was, in the largest whole unit.
func (q *request) age(ms int64) (string, error) {
	d := max(q.c.now().Sub(time.UnixMilli(ms)), 0)
	switch {
	case d < time.Hour:
		return q.lang.count("age.minutes", int64(d/time.Minute))
	case d < 24*time.Hour:
		return q.lang.count("age.hours", int64(d/time.Hour))
	}
	return q.lang.count("age.days", int64(d/(24*time.Hour)))
}

// fieldLabel is a doctor field's name in the page's language.
func (q *request) fieldLabel(field string) string {
	if s, err := q.lang.text("field." + field); err == nil {
		return s
	}
	if r, ok := probase.DoctorTemplate.Rule(field); ok {
		return r.Label
	}
	return field
}
