package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Observational studies (server/studies), admins' as in the RPCs: the
// studies, a new one, a study's doctors with the results they owe and
// those overdue, enrolling a doctor found by name.
func (c *Console) studyPages() []page {
	if c.cfg.Studies == nil {
		return nil
	}
	const area = "nav.studies"
	return []page{
		{method: http.MethodGet, path: Prefix + "studies", access: admins, nav: area, area: area, serve: c.studyList},
		{method: http.MethodPost, path: Prefix + "studies", access: admins, area: area, serve: c.createStudy},
		{method: http.MethodGet, path: Prefix + "studies/{id}", access: admins, area: area, serve: c.studyPage},
		{method: http.MethodPost, path: Prefix + "studies/{id}/enrol", access: admins, area: area, serve: c.enrolDoctor},
	}
}

// studyForm is the new-study form as typed.
type studyForm struct {
	Title, Description, Weeks, Fields, Points, Region string
}

type studyRow struct {
	ID, Title, Region, Weeks string
	Points                   int64
	Created                  int64
}

type studyListPage struct {
	Rows    []studyRow
	Regions []option
	Form    studyForm
	Errors  formErrors
	Other   []string
}

func (c *Console) studyList(q *request) error {
	return c.renderStudies(q, http.StatusOK, studyForm{Weeks: "0, 4, 8", Points: "0"}, nil)
}

func (c *Console) renderStudies(q *request, status int, form studyForm, bad formErrors) error {
	ctx := q.r.Context()
	list, err := c.cfg.Studies.ListStudies(ctx, q.p)
	if err != nil {
		return err
	}
	regions, err := c.cfg.Accounts.ListRegions(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{"": q.mustText("studies.any_region")}
	pg := &studyListPage{Form: form, Errors: bad}
	pg.Regions = append(pg.Regions, option{Label: names[""], Selected: form.Region == ""})
	for _, r := range regions {
		names[r.ID] = r.Name
		pg.Regions = append(pg.Regions, option{Value: r.ID, Label: r.Name, Selected: r.ID == form.Region})
	}
	for _, st := range list {
		pg.Rows = append(pg.Rows, studyRow{ID: st.ID, Title: st.Title, Region: names[st.RegionID], Weeks: joinInts(st.VisitWeeks),
			Points: st.PointsPerResult, Created: st.CreatedAt.UnixMilli()})
	}
	pg.Other = bad.Except("title", "description", "visit_weeks", "fields", "points_per_result", "region_id")
	q.render(status, "studies/list", pg)
	return nil
}

func joinInts(ws []int32) string {
	var out []string
	for _, w := range ws {
		out = append(out, strconv.Itoa(int(w)))
	}
	return strings.Join(out, ", ")
}

// splitList reads a comma-separated list, blanks dropped.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if t := strings.TrimSpace(part); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// createStudy defines a study through CreateStudy; the form's text is
// read into its numbers and lists, and what CreateStudy refuses is shown
// next to its field.
func (c *Console) createStudy(q *request) error {
	f := studyForm{Title: q.r.PostFormValue("title"), Description: q.r.PostFormValue("description"), Weeks: q.r.PostFormValue("visit_weeks"),
		Fields: q.r.PostFormValue("fields"), Points: q.r.PostFormValue("points_per_result"), Region: q.r.PostFormValue("region_id")}
	st := studies.Study{Title: f.Title, Description: f.Description, Fields: splitList(f.Fields), RegionID: f.Region}
	var vs []syncengine.Violation
	for _, w := range splitList(f.Weeks) {
		n, err := strconv.ParseInt(w, 10, 32)
		if err != nil {
			vs = append(vs, syncengine.Violation{Field: "visit_weeks", Description: "weeks are whole numbers separated by commas, e.g. 0, 4, 8"})
			break
		}
		st.VisitWeeks = append(st.VisitWeeks, int32(n))
	}
	if p, err := strconv.ParseInt(strings.TrimSpace(f.Points), 10, 64); err == nil {
		st.PointsPerResult = p
	} else if strings.TrimSpace(f.Points) != "" {
		vs = append(vs, syncengine.Violation{Field: "points_per_result", Description: "a whole number of points"})
	}
	if len(vs) > 0 {
		return c.renderStudies(q, http.StatusUnprocessableEntity, f, violations(syncengine.Invalid("invalid study", vs...)))
	}
	created, err := c.cfg.Studies.CreateStudy(q.r.Context(), q.p, st)
	if syncengine.ErrorCode(err) == syncengine.EINVALID {
		bad := formErrors{}
		for field, ds := range violations(err) {
			// visit_weeks[2] is shown by the weeks' field, fields[1] by
			// the fields'.
			field, _, _ = strings.Cut(field, "[")
			bad[field] = append(bad[field], ds...)
		}
		return c.renderStudies(q, http.StatusUnprocessableEntity, f, bad)
	}
	if err != nil {
		return err
	}
	q.redirect(Prefix + "studies/" + created.ID)
	return nil
}

type progressRow struct {
	studies.Progress
	Late bool
}

type candidate struct {
	ID, Name, Email, Specialty string
	Verified                   bool
}

type studyPageData struct {
	ID, Title, Description, Weeks, Fields, Region string
	Points                                        int64
	Rows                                          []progressRow
	Owed, Overdue                                 int64
	Search                                        string
	Searched                                      bool
	Candidates                                    []candidate
	StartDate                                     string
	Banner, Detail                                string
	Errors                                        formErrors
}

func (c *Console) studyPage(q *request) error {
	in := q.r.URL.Query()
	pg, err := c.loadStudy(q, q.r.PathValue("id"), in.Get("q"))
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "studies/study", pg)
	return nil
}

// maxCandidates bounds the doctors a search shows.
const maxCandidates = 20

// loadStudy reads a study's progress (StudyProgress) and, for a search,
// the doctor accounts whose name or login contains it.
func (c *Console) loadStudy(q *request, id, search string) (*studyPageData, error) {
	ctx := q.r.Context()
	st, progress, err := c.cfg.Studies.StudyProgress(ctx, q.p, id)
	if err != nil {
		return nil, err
	}
	pg := &studyPageData{ID: st.ID, Title: st.Title, Description: st.Description, Weeks: joinInts(st.VisitWeeks), Fields: strings.Join(st.Fields, ", "),
		Region: q.mustText("studies.any_region"), Points: st.PointsPerResult, Search: strings.TrimSpace(search), Errors: formErrors{}}
	if st.RegionID != "" {
		pg.Region = st.RegionID
		regions, err := c.cfg.Accounts.ListRegions(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range regions {
			if r.ID == st.RegionID {
				pg.Region = r.Name
			}
		}
	}
	enrolled := map[string]bool{}
	for _, p := range progress {
		pg.Rows = append(pg.Rows, progressRow{Progress: p, Late: p.Overdue > 0})
		pg.Owed += p.Owed
		pg.Overdue += p.Overdue
		enrolled[p.DoctorID] = true
	}
	if pg.Search != "" {
		pg.Searched = true
		doctors, err := c.cfg.Accounts.ListUsers(ctx, q.p, auth.RoleDoctor, st.RegionID)
		if err != nil {
			return nil, err
		}
		needle := strings.ToLower(pg.Search)
		for _, u := range doctors {
			if enrolled[u.ID] || len(pg.Candidates) == maxCandidates {
				continue
			}
			if strings.Contains(strings.ToLower(u.Name), needle) || strings.Contains(strings.ToLower(u.Email), needle) || strings.Contains(u.Phone, needle) {
				pg.Candidates = append(pg.Candidates, candidate{ID: u.ID, Name: u.Name, Email: u.Email, Specialty: q.specialtyLabel(u.Specialty), Verified: u.Verified})
			}
		}
	}
	return pg, nil
}

// enrolDoctor enrols a doctor through EnrolDoctor, from the start date
// given (the doctor's today if none).
func (c *Console) enrolDoctor(q *request) error {
	id := q.r.PathValue("id")
	doctor, start, search := q.r.PostFormValue("doctor"), strings.TrimSpace(q.r.PostFormValue("start_date")), q.r.PostFormValue("q")
	var err error
	if doctor == "" {
		err = syncengine.Invalid("no doctor", syncengine.Violation{Field: "doctor", Description: "choose a doctor to enrol"})
	} else {
		_, _, err = c.cfg.Studies.EnrolDoctor(q.r.Context(), q.p, id, doctor, start)
	}
	if err == nil {
		q.redirect(Prefix + "studies/" + id)
		return nil
	}
	code := syncengine.ErrorCode(err)
	banner := map[string]string{syncengine.ECONFLICT: "studies.already", syncengine.EPRECONDITION: "studies.cannot_enrol", syncengine.EINVALID: "studies.invalid"}[code]
	if banner == "" {
		return err
	}
	pg, lerr := c.loadStudy(q, id, search)
	if lerr != nil {
		return lerr
	}
	pg.Banner, pg.Detail, pg.Errors, pg.StartDate = banner, syncengine.ErrorMessage(err), violations(err), start
	q.w.Header().Set("HX-Push-Url", Prefix+"studies/"+id)
	q.render(statusOf[code], "studies/study", pg)
	return nil
}
