package console

import (
	"net/http"
	"strconv"
	"strings"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/syncengine"
)

type factRow struct{ Label, Value string }

type flagRow struct{ Label, Description string }

type commentRow struct {
	ID, Author, Text, Form string
	Hidden                 bool
	Created                int64
	Error, Reason          string
}

type eventRow struct {
	At                  int64
	Actor, Action, Note string
}

type casePageData struct {
	ID, Author, Specialty, Status, Diagnosis, Note string
	Submitted, Published                           int64
	// Version is the case version the page shows: a decision on another
	// is refused.
	Version  int64
	Pending  bool
	Facts    []factRow
	Texts    []factRow
	Photos   []photo
	Flags    []flagRow
	Comments []commentRow
	History  []eventRow
	// Banner says why the last decision was not taken (catalogue key),
	// Detail the service's words.
	Banner, Detail string
	Errors         formErrors
	Other          []string
	// Typed is what the moderator typed into the refused form, kept.
	TypedNote, TypedReason string
}

func (c *Console) casePage(q *request) error {
	pg, err := c.loadCase(q, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "cases/case", pg)
	return nil
}

// loadCase reads a case as GetCase shows it, its photos presigned.
func (c *Console) loadCase(q *request, id string) (*casePageData, error) {
	ctx := q.r.Context()
	v, err := c.cfg.Cases.GetCase(ctx, q.p, id)
	if err != nil {
		return nil, err
	}
	cs, ct := v.Case, v.Case.Content
	pg := &casePageData{ID: cs.Id, Author: cs.AuthorName, Specialty: q.specialtyLabel(cs.Specialty), Status: caseStatusKey(cs.Status),
		Diagnosis: ct.GetDiagnosis(), Note: cs.ModeratorNote, Submitted: cs.SubmittedAtUnixMs, Published: cs.PublishedAtUnixMs, Version: cs.Version,
		Pending: cs.Status == casesv1.CaseStatus_CASE_STATUS_SUBMITTED, Errors: formErrors{}}
	enum := func(prefix, name string) string {
		return q.mustText("cases." + prefix + "." + strings.ToLower(strings.TrimPrefix(name, strings.ToUpper(prefix)+"_")))
	}
	age := ""
	if ct.AgeYears != nil {
		age = strconv.Itoa(int(*ct.AgeYears))
	}
	pg.Facts = []factRow{
		{q.mustText("cases.sex"), enum("sex", ct.GetSex().String())},
		{q.mustText("cases.age_years"), age},
		{q.mustText("cases.phototype"), enum("phototype", ct.GetPhototype().String())},
		{q.mustText("cases.duration_days"), strconv.Itoa(int(ct.GetDurationDays()))},
		{q.mustText("cases.outcome"), enum("outcome", ct.GetOutcome().String())},
	}
	pg.Texts = []factRow{
		{q.mustText("cases.diagnosis"), ct.GetDiagnosis()},
		{q.mustText("cases.product"), ct.GetProduct()},
		{q.mustText("cases.regimen"), ct.GetRegimen()},
		{q.mustText("cases.recommendations"), ct.GetRecommendations()},
		{q.mustText("cases.outcome_notes"), ct.GetOutcomeNotes()},
	}
	for _, p := range ct.GetPhotos() {
		ph, err := c.photo(q, p)
		if err != nil {
			return nil, err
		}
		pg.Photos = append(pg.Photos, ph)
	}
	for _, f := range cases.Flags(ct) {
		pg.Flags = append(pg.Flags, flagRow{Label: q.mustText("cases." + strings.TrimPrefix(f.Field, "content.")), Description: f.Description})
	}
	var actors []string
	for _, e := range v.History {
		actors = append(actors, e.ActorId)
	}
	names, err := c.cfg.Accounts.DisplayNames(ctx, q.p, actors)
	if err != nil {
		return nil, err
	}
	for _, cm := range v.Comments {
		pg.Comments = append(pg.Comments, commentRow{ID: cm.Id, Author: cm.AuthorName, Text: cm.Text, Hidden: cm.Hidden, Created: cm.CreatedAtUnixMs,
			Form: "hide-" + cm.Id})
	}
	for i := len(v.History) - 1; i >= 0; i-- {
		e := v.History[i]
		actor := names[e.ActorId]
		if actor == "" {
			actor = e.ActorId
		}
		action, err := q.lang.text("cases.action." + e.Action)
		if err != nil {
			action = e.Action
		}
		pg.History = append(pg.History, eventRow{At: e.AtUnixMs, Actor: actor, Action: action, Note: e.Note})
	}
	return pg, nil
}

// caseVersion is the case version a decision form was rendered from.
func caseVersion(q *request) (int64, error) {
	v, err := strconv.ParseInt(q.r.PostFormValue("version"), 10, 64)
	if err != nil || v <= 0 {
		return 0, syncengine.Invalid("the form is incomplete", syncengine.Violation{Field: "version", Description: "the form does not say which version of the case it shows; open the case again"})
	}
	return v, nil
}

// publishCase publishes the case at the version the moderator saw,
// through the Publish the RPC calls.
func (c *Console) publishCase(q *request) error {
	id := q.r.PathValue("id")
	version, err := caseVersion(q)
	if err != nil {
		return err
	}
	note := q.r.PostFormValue("note")
	if _, err := c.cfg.Cases.Publish(q.r.Context(), q.p, id, version, note); err != nil {
		return c.caseRefused(q, id, err, func(pg *casePageData) { pg.TypedNote = note })
	}
	q.redirect(Prefix + "cases/" + id)
	return nil
}

func (c *Console) rejectCase(q *request) error {
	id := q.r.PathValue("id")
	version, err := caseVersion(q)
	if err != nil {
		return err
	}
	reason := q.r.PostFormValue("reason")
	if _, err := c.cfg.Cases.Reject(q.r.Context(), q.p, id, version, reason); err != nil {
		return c.caseRefused(q, id, err, func(pg *casePageData) { pg.TypedReason = reason })
	}
	q.redirect(Prefix + "cases/" + id)
	return nil
}

// hideComment hides a comment of this case with a reason, through the
// HideComment the RPC calls. A comment of another case is not found here.
func (c *Console) hideComment(q *request) error {
	id, commentID := q.r.PathValue("id"), q.r.PathValue("comment")
	v, err := c.cfg.Cases.GetCase(q.r.Context(), q.p, id)
	if err != nil {
		return err
	}
	found := false
	for _, cm := range v.Comments {
		found = found || cm.Id == commentID
	}
	if !found {
		return syncengine.Errorf(syncengine.ENOTFOUND, "case %s has no comment %s", id, commentID)
	}
	reason := q.r.PostFormValue("reason")
	if _, err := c.cfg.Cases.HideComment(q.r.Context(), q.p, commentID, reason); err != nil {
		return c.caseRefused(q, id, err, func(pg *casePageData) {
			for i := range pg.Comments {
				if pg.Comments[i].ID == commentID {
					pg.Comments[i].Error, pg.Comments[i].Reason = pg.Errors.For("reason"), reason
				}
			}
			delete(pg.Errors, "reason")
		})
	}
	q.redirect(Prefix + "cases/" + id + "#comment-" + commentID)
	return nil
}

// caseRefused shows the case again, as it is now, with why the decision
// was not taken; keep puts back what the moderator typed.
func (c *Console) caseRefused(q *request, id string, err error, keep func(*casePageData)) error {
	code := syncengine.ErrorCode(err)
	var banner string
	switch code {
	case syncengine.ECONFLICT:
		banner = "cases.stale"
	case syncengine.EPRECONDITION:
		banner = "cases.not_now"
	case syncengine.EINVALID:
		banner = "cases.invalid"
	default:
		return err
	}
	pg, lerr := c.loadCase(q, id)
	if lerr != nil {
		return lerr
	}
	pg.Banner, pg.Detail = banner, syncengine.ErrorMessage(err)
	pg.Errors = violations(err)
	keep(pg)
	pg.Other = pg.Errors.Except("reason", "note")
	q.w.Header().Set("HX-Push-Url", Prefix+"cases/"+id)
	q.render(statusOf[code], "cases/case", pg)
	return nil
}
