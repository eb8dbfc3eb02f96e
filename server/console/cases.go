package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/rules/specialty"
	"github.com/ordinatorhq/ordinator/server/cases"
)

// The moderation of clinical cases (server/cases): the queue by
// specialty, a case with its photos and what the anonymity check flags,
// publish or reject, hide a comment. Photos are shown through the media
// service's short-lived download URLs, as a moderator's principal may
// read them.
func (c *Console) casePages() []page {
	if c.cfg.Cases == nil || c.cfg.Media == nil {
		return nil
	}
	const area = "nav.cases"
	return []page{
		{method: http.MethodGet, path: Prefix + "cases", access: moderators, nav: area, area: area, serve: c.caseQueue},
		{method: http.MethodGet, path: Prefix + "cases/{id}", access: moderators, area: area, serve: c.casePage},
		{method: http.MethodPost, path: Prefix + "cases/{id}/publish", access: moderators, area: area, serve: c.publishCase},
		{method: http.MethodPost, path: Prefix + "cases/{id}/reject", access: moderators, area: area, serve: c.rejectCase},
		{method: http.MethodPost, path: Prefix + "cases/{id}/comments/{comment}/hide", access: moderators, area: area, serve: c.hideComment},
	}
}

type caseStatus struct {
	key    string
	status casesv1.CaseStatus
}

// caseStatuses are the queue's status filter, as ListCases takes them.
var caseStatuses = []caseStatus{
	{"submitted", casesv1.CaseStatus_CASE_STATUS_SUBMITTED},
	{"published", casesv1.CaseStatus_CASE_STATUS_PUBLISHED},
	{"rejected", casesv1.CaseStatus_CASE_STATUS_REJECTED},
}

func caseStatusKey(s casesv1.CaseStatus) string {
	for _, cs := range caseStatuses {
		if cs.status == s {
			return cs.key
		}
	}
	return "unknown"
}

// photo is a case photo as a page shows it: the thumbnail, and the full
// image a click opens.
type photo struct {
	Stage, Thumb, Full string
	// Missing says why the photo cannot be shown (not ready, refused).
	Missing string
}

type caseRow struct {
	ID, Author, Diagnosis, Product, Age string
	Submitted                           int64
	Thumb                               *photo
}

type caseQueuePage struct {
	Statuses, Specialties []option
	Rows                  []caseRow
	Total                 int64
	Errors                formErrors
}

// caseQueue lists cases of a status (submitted unless said), oldest
// first, under a specialty filter whose choices carry their counts.
func (c *Console) caseQueue(q *request) error {
	ctx := q.r.Context()
	in := q.r.URL.Query()
	pg := &caseQueuePage{Errors: formErrors{}}
	key := in.Get("status")
	if key == "" {
		key = "submitted"
	}
	i := slices.IndexFunc(caseStatuses, func(s caseStatus) bool { return s.key == key })
	if i < 0 {
		pg.Errors["status"] = []string{"must be submitted, published or rejected"}
		i, key = 0, "submitted"
	}
	status := caseStatuses[i].status
	sp := in.Get("specialty")
	if sp != "" && !specialty.Known(sp) {
		pg.Errors["specialty"] = []string{specialty.Problem(sp)}
		sp = ""
	}
	for _, s := range caseStatuses {
		pg.Statuses = append(pg.Statuses, option{Value: s.key, Label: q.mustText("cases.status." + s.key), Selected: s.key == key})
	}
	counts, err := c.cfg.Cases.CountCases(ctx, q.p, status)
	if err != nil {
		return err
	}
	var all int64
	for _, n := range counts {
		all += n
	}
	pg.Specialties = append(pg.Specialties, option{Label: q.mustText("cases.any_specialty") + " (" + strconv.FormatInt(all, 10) + ")"})
	for _, code := range specialty.Codes() {
		pg.Specialties = append(pg.Specialties, option{Value: code, Label: q.specialtyLabel(code) + " (" + strconv.FormatInt(counts[code], 10) + ")", Selected: code == sp})
	}
	if len(pg.Errors) > 0 {
		q.render(http.StatusUnprocessableEntity, "cases/queue", pg)
		return nil
	}
	pg.Total = all
	if sp != "" {
		pg.Total = counts[sp]
	}
	list, err := c.cfg.Cases.ListCases(ctx, q.p, cases.Filter{Status: status, Specialty: sp, Limit: queueSize})
	if err != nil {
		return err
	}
	for _, cs := range list {
		row := caseRow{ID: cs.Id, Author: cs.AuthorName, Diagnosis: cs.Content.GetDiagnosis(),
			Product: cs.Content.GetProduct(), Submitted: cs.SubmittedAtUnixMs}
		if row.Age, err = q.age(cs.SubmittedAtUnixMs); err != nil {
			return err
		}
		if ps := cs.Content.GetPhotos(); len(ps) > 0 {
			ph, err := c.photo(q, ps[0])
			if err != nil {
				return err
			}
			row.Thumb = &ph
		}
		pg.Rows = append(pg.Rows, row)
	}
	q.render(http.StatusOK, "cases/queue", pg)
	return nil
}

// photo presigns a case photo for the moderator. A photo the media
// service will not serve (still uploading, refused) is shown as missing,
// with its words.
func (c *Console) photo(q *request, p *casesv1.CasePhoto) (photo, error) {
	return c.mediaPhoto(q, p.MediaId, q.mustText("cases.stage."+strings.ToLower(strings.TrimPrefix(p.Stage.String(), "PHOTO_STAGE_"))))
}

// specialtyLabel is a specialty's name in the page's language.
func (q *request) specialtyLabel(code string) string {
	if s, err := q.lang.text("specialty." + code); err == nil {
		return s
	}
	return code
}
