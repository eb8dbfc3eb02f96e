package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// fieldRow is one field of a request: the value the proposer saw (base),
// the value now with what changed since marked, the proposal with what it
// would change now marked, and the moderator's choice.
type fieldRow struct {
	Field, Label      string
	List              bool
	Base              []string
	Current, Proposed []segment
	Conflict          bool
	Choice, Custom    string
	Error             string
}

type concurrentRow struct {
	ID, Proposer string
	Created      int64
}

type requestPage struct {
	ID, DoctorID, Doctor, Proposer, Comment, Status string
	DecidedBy, Reason                               string
	Created, Decided                                int64
	// Version is the doctor version the page shows: the decision forms
	// carry it, and a decision on another version is refused.
	Version    int64
	Pending    bool
	Fields     []fieldRow
	Concurrent []concurrentRow
	// Banner says why the last decision was not taken (catalogue key),
	// Detail the service's words.
	Banner, Detail string
	Errors         formErrors
	// Other are violations of no field on the page.
	Other   []string
	Reason2 string // the rejection reason typed, kept on a refusal
}

func (c *Console) editRequest(q *request) error {
	pg, err := c.loadRequestPage(q, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "edits/request", pg)
	return nil
}

// loadRequestPage reads a request as GetEditRequest shows it, with the
// default choices: the proposal, except where it conflicts.
func (c *Console) loadRequestPage(q *request, id string) (*requestPage, error) {
	ctx := q.r.Context()
	rv, err := c.cfg.Directory.GetEditRequest(ctx, q.p, id)
	if err != nil {
		return nil, err
	}
	r := rv.Request
	ids := []string{r.ProposerId, r.DecidedBy}
	for _, o := range rv.Concurrent {
		ids = append(ids, o.ProposerId)
	}
	names, err := c.cfg.Accounts.DisplayNames(ctx, q.p, ids)
	if err != nil {
		return nil, err
	}
	pg := &requestPage{ID: r.Id, DoctorID: r.DoctorId, Doctor: r.DoctorName, Proposer: names[r.ProposerId], Comment: r.Comment,
		Status: statusKey(r.Status), DecidedBy: names[r.DecidedBy], Reason: r.Reason, Created: r.CreatedAtUnixMs, Decided: r.DecidedAtUnixMs,
		Version: rv.Current.Version, Pending: r.Status == probasev1.EditStatus_EDIT_STATUS_PENDING, Errors: formErrors{}}
	for _, f := range rv.Fields {
		row := fieldRow{Field: f.Field, Label: q.fieldLabel(f.Field), Base: f.Base, Conflict: f.Conflict,
			Current: diffValues(f.Base, f.Current), Proposed: diffValues(f.Current, f.Proposed)}
		if rule, ok := probase.DoctorTemplate.Rule(f.Field); ok {
			row.List = rule.List
		}
		if !f.Conflict {
			row.Choice = "proposed"
		}
		row.Custom = strings.Join(f.Proposed, "\n")
		pg.Fields = append(pg.Fields, row)
	}
	for _, o := range rv.Concurrent {
		pg.Concurrent = append(pg.Concurrent, concurrentRow{ID: o.Id, Proposer: names[o.ProposerId], Created: o.CreatedAtUnixMs})
	}
	return pg, nil
}

// formVersion is the doctor version a decision form was rendered from.
func formVersion(q *request) (int64, error) {
	v, err := strconv.ParseInt(q.r.PostFormValue("version"), 10, 64)
	if err != nil || v <= 0 {
		return 0, syncengine.Invalid("the form is incomplete", syncengine.Violation{Field: "version", Description: "the form does not say which version of the doctor it shows; open the request again"})
	}
	return v, nil
}

var choices = map[string]probasev1.Resolution{
	"proposed": probasev1.Resolution_RESOLUTION_PROPOSED,
	"current":  probasev1.Resolution_RESOLUTION_CURRENT,
	"custom":   probasev1.Resolution_RESOLUTION_CUSTOM,
}

// approveEdit applies a request with the moderator's choice per field,
// through the same Approve the RPC calls.
func (c *Console) approveEdit(q *request) error {
	id := q.r.PathValue("id")
	version, err := formVersion(q)
	if err != nil {
		return err
	}
	form := q.r.PostForm
	var res []probase.Resolution
	chosen := map[string][2]string{}
	bad := formErrors{}
	for key, vals := range form {
		field, ok := strings.CutPrefix(key, "choice.")
		if !ok {
			continue
		}
		custom := form.Get("custom." + field)
		chosen[field] = [2]string{vals[0], custom}
		choice, ok := choices[vals[0]]
		if !ok {
			bad[field] = []string{"choose the current value, the proposed one or a value of your own"}
			continue
		}
		r := probase.Resolution{Field: field, Choice: choice}
		if choice == probasev1.Resolution_RESOLUTION_CUSTOM {
			r.Values = customValues(field, custom)
		}
		res = append(res, r)
	}
	slices.SortFunc(res, func(a, b probase.Resolution) int { return strings.Compare(a.Field, b.Field) })
	if len(bad) > 0 {
		return c.decisionRefused(q, id, version, syncengine.Invalid("some choices are not valid"), bad, chosen, "")
	}
	if _, _, err := c.cfg.Directory.Approve(q.r.Context(), q.p, id, version, res); err != nil {
		return c.decisionRefused(q, id, version, err, violations(err), chosen, "")
	}
	q.redirect(Prefix + "edits/" + id)
	return nil
}

// customValues reads a value of the moderator's own: one a line for a list
// field, else the whole text; blank lines are dropped.
func customValues(field, text string) []string {
	rule, _ := probase.DoctorTemplate.Rule(field)
	if !rule.List {
		if t := strings.TrimSpace(text); t != "" {
			return []string{t}
		}
		return nil
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(line); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (c *Console) rejectEdit(q *request) error {
	id := q.r.PathValue("id")
	version, err := formVersion(q)
	if err != nil {
		return err
	}
	reason := q.r.PostFormValue("reason")
	if _, err := c.cfg.Directory.Reject(q.r.Context(), q.p, id, version, reason); err != nil {
		return c.decisionRefused(q, id, version, err, violations(err), nil, reason)
	}
	q.redirect(Prefix + "edits/" + id)
	return nil
}

// decisionRefused shows the request again, as it is now, with why the
// decision was not taken. The moderator's choices are kept only while the
// doctor is still at the version they were made on: a page that changed
// underneath is shown fresh, so nothing is decided on values nobody saw.
func (c *Console) decisionRefused(q *request, id string, version int64, err error, bad formErrors, chosen map[string][2]string, reason string) error {
	code := syncengine.ErrorCode(err)
	var banner string
	switch {
	case code == syncengine.ECONFLICT:
		banner = "edits.stale"
	case code == syncengine.EPRECONDITION && len(bad) > 0:
		banner = "edits.resolve"
	case code == syncengine.EPRECONDITION:
		banner = "edits.decided_meanwhile"
	case code == syncengine.EINVALID:
		banner = "edits.invalid"
	default:
		return err
	}
	pg, lerr := c.loadRequestPage(q, id)
	if lerr != nil {
		return lerr
	}
	pg.Banner, pg.Detail, pg.Reason2 = banner, syncengine.ErrorMessage(err), reason
	if pg.Version != version && code != syncengine.EPRECONDITION {
		pg.Banner = "edits.stale"
	} else {
		pg.Errors = bad
		shown := []string{"reason"}
		for i := range pg.Fields {
			f := &pg.Fields[i]
			if ch, ok := chosen[f.Field]; ok {
				f.Choice, f.Custom = ch[0], ch[1]
			}
			f.Error = bad.For(f.Field)
			shown = append(shown, f.Field)
		}
		pg.Other = bad.Except(shown...)
	}
	// The address stays the request's, not the form's (which has no page).
	q.w.Header().Set("HX-Push-Url", Prefix+"edits/"+id)
	q.render(statusOf[code], "edits/request", pg)
	return nil
}
