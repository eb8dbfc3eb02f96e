package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/studies"
)

var studyLink = regexp.MustCompile(`href="/console/studies/([0-9a-f-]{36})"`)

// TestStudies: only admins see the studies; a new study's bad fields are
// shown next to them and nothing is created; a doctor found by name is
// enrolled and owes a result per visit, overdue ones counted once past
// due; an unverified doctor, a second enrolment and a forged study are
// refused.
func TestStudies(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		mod, modQueue := e.staff("mod@console.test")
		if p := mod.get("/console/studies"); p.status != http.StatusForbidden {
			t.Fatalf("a moderator on the studies: %d", p.status)
		}
		if strings.Contains(modQueue.body, `href="/console/studies"`) {
			t.Fatal("a moderator's navigation offers the studies")
		}
		c, _ := e.staff("admin@console.test")
		list := c.get("/console/studies")
		if list.status != http.StatusOK || !strings.Contains(list.body, "Исследований пока нет") {
			t.Fatalf("the studies: %d\n%s", list.status, list.body)
		}
		form := url.Values{"csrf": {list.csrf(t)}, "title": {""}, "visit_weeks": {"0, 4, four"}, "fields": {"iga_score"}, "points_per_result": {"50"}, "region_id": {"msk"}}
		if p := c.post("/console/studies", form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="weeks-error"`) || !strings.Contains(p.body, `value="0, 4, four"`) {
			t.Fatalf("weeks that are not numbers: %d\n%s", p.status, p.body)
		}
		form.Set("visit_weeks", "0, 8, 4")
		if p := c.post("/console/studies", form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="title-error"`) || !strings.Contains(p.body, "weeks must grow") {
			t.Fatalf("no title, weeks out of order: %d\n%s", p.status, p.body)
		}
		if all, err := e.studies.ListStudies(e.ctx, auth.System); err != nil || len(all) != 0 {
			t.Fatalf("refused forms created %v, %v", all, err)
		}
		form.Set("title", "Розацеа: 12 недель")
		form.Set("visit_weeks", "0, 4")
		p := c.post("/console/studies", form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("creating: %d\n%s", p.status, p.body)
		}
		study := c.get(p.location)
		if !strings.Contains(study.body, "Участвуют 0 врачей.") {
			t.Fatalf("the new study:\n%s", study.body)
		}
		id := strings.TrimPrefix(p.location, "/console/studies/")
		if m := studyLink.FindStringSubmatch(c.get("/console/studies").body); m == nil || m[1] != id {
			t.Fatalf("the list does not link %s", id)
		}

		// The unverified doctor is found and refused.
		found := c.get(p.location + "?q=DOCTOR@console")
		if !strings.Contains(found.body, `value="`+e.doctorUser.ID+`"`) || !strings.Contains(found.body, "диплом не подтверждён") {
			t.Fatalf("the search:\n%s", found.body)
		}
		enrol := func(doctor, start string) page {
			return c.post(p.location+"/enrol", url.Values{"csrf": {found.csrf(t)}, "doctor": {doctor}, "start_date": {start}, "q": {"console"}})
		}
		if r := enrol(e.doctorUser.ID, ""); r.status != http.StatusConflict || !strings.Contains(r.body, "not verified") {
			t.Fatalf("an unverified doctor: %d\n%s", r.status, r.body)
		}
		author, _ := e.author("author@console.test")
		if r := enrol(author.ID, "1 March"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="start-error"`) {
			t.Fatalf("a bad date: %d\n%s", r.status, r.body)
		}
		if r := enrol("", ""); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "choose a doctor") {
			t.Fatalf("no doctor: %d\n%s", r.status, r.body)
		}
		if r := c.post("/console/studies/forged/enrol", url.Values{"csrf": {found.csrf(t)}, "doctor": {author.ID}}); r.status != http.StatusNotFound {
			t.Fatalf("a forged study: %d", r.status)
		}
		if r := mod.post(p.location+"/enrol", url.Values{"csrf": {modQueue.csrf(t)}, "doctor": {author.ID}}); r.status != http.StatusForbidden {
			t.Fatalf("a moderator enrolling: %d", r.status)
		}
		start := e.clock.Now().Format(time.DateOnly)
		if r := enrol(author.ID, start); r.status != http.StatusSeeOther {
			t.Fatalf("enrolling: %d\n%s", r.status, r.body)
		}
		if r := enrol(author.ID, start); r.status != http.StatusConflict || !strings.Contains(r.body, "уже участвует") {
			t.Fatalf("enrolling twice: %d\n%s", r.status, r.body)
		}
		if p := c.get(p.location); !strings.Contains(p.body, "Участвует 1 врач.") || !strings.Contains(p.body, "Ожидается результатов: 2, просрочено: 0.") {
			t.Fatalf("after enrolling:\n%s", p.body)
		}
		// A week later the first visit is overdue.
		e.clock.Advance(8 * 24 * time.Hour)
		must(t, e.studies.Remind(e.ctx, e.clock.Now()))
		c, _ = e.staff("admin@console.test")
		if p := c.get(p.location); !strings.Contains(p.body, "Ожидается результатов: 1, просрочено: 1.") || !strings.Contains(p.body, `id="doctor-`+author.ID+`" class="conflict"`) {
			t.Fatalf("a week later:\n%s", p.body)
		}
	})
}

// seedCasePages gives TestEveryPage a submitted case with a comment-free
// discussion, a published one with a comment, a pending diploma and a
// study with a doctor, and returns the pages its walk must reach.
func (e *env) seedCasePages() []string {
	e.t.Helper()
	author, phone := e.author("walk-author@console.test")
	submitted := e.submitCase(author, phone, "Себорейный дерматит")
	published := e.submitCase(author, phone, "Акне")
	v, err := e.cases.GetCase(e.ctx, auth.System, published)
	must(e.t, err)
	_, err = e.cases.Publish(e.ctx, auth.Principal(e.moderator, "m"), published, v.Case.Version, "")
	must(e.t, err)
	_, colleague := e.author("walk-colleague@console.test")
	colleague.MustApply("case.comment", &casesv1.CommentArgs{CaseId: published, CommentId: uuid.NewString(), Text: "Спасибо за случай"})
	e.submitDiploma(e.doctorUser, 9)
	st, err := e.studies.CreateStudy(e.ctx, auth.Principal(e.admin, "a"), studies.Study{Title: "Акне: 8 недель", VisitWeeks: []int32{0, 8}})
	must(e.t, err)
	_, _, err = e.studies.EnrolDoctor(e.ctx, auth.Principal(e.admin, "a"), st.ID, author.ID, "")
	must(e.t, err)
	return []string{"/console/cases", "/console/cases/" + submitted, "/console/cases/" + published, "/console/diplomas", "/console/studies", "/console/studies/" + st.ID, "/console/audit"}
}
