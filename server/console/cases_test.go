package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// attachDiploma keeps a doctor's uploaded diploma for review, as the
// binary's glue does.
func attachDiploma(ctx context.Context, tx syncengine.Tx, userID, mediaID string) error {
	_, err := media.Attach(ctx, tx, mediaID, userID, "diploma:"+userID)
	return err
}

// photoOf stores a photo for an account through the media service.
func (e *env) photoOf(u auth.User, purpose mediav1.MediaPurpose, seed uint64) string {
	e.t.Helper()
	id := uuid.NewString()
	_, err := e.media.Ingest(e.ctx, auth.Principal(u, "phone"), id, purpose, "image/jpeg", mediatest.JPEG(mediatest.Photo(240, 180, seed), 85, mediatest.Metadata{}))
	must(e.t, err)
	return id
}

// author is a verified dermatologist, with a phone.
func (e *env) author(email string) (auth.User, *servertest.Device) {
	e.t.Helper()
	u, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: email, Password: password, Name: "Dr " + email, RegionID: "msk", Specialty: "dermatology"})
	must(e.t, err)
	u, err = e.accounts.VerifyDoctor(e.ctx, auth.System, u.ID)
	must(e.t, err)
	return u, servertest.NewDevice(e.t, servertest.DeviceConfig{Engine: e.engine, Principal: auth.Principal(u, "phone")})
}

// submitCase has a doctor's phone write and submit a complete case with a
// photo before and after; it returns the case id.
func (e *env) submitCase(u auth.User, phone *servertest.Device, diagnosis string) string {
	e.t.Helper()
	age := int32(34)
	id := uuid.NewString()
	content := &casesv1.CaseContent{Sex: casesv1.Sex_SEX_FEMALE, AgeYears: &age, Diagnosis: diagnosis, Phototype: casesv1.Phototype_PHOTOTYPE_III,
		Product: "Розалиак AR", Regimen: "дважды в день", DurationDays: 28, Outcome: casesv1.Outcome_OUTCOME_MARKED_IMPROVEMENT,
		Photos: []*casesv1.CasePhoto{
			{MediaId: e.photoOf(u, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO, 1), Stage: casesv1.PhotoStage_PHOTO_STAGE_BEFORE},
			{MediaId: e.photoOf(u, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO, 2), Stage: casesv1.PhotoStage_PHOTO_STAGE_AFTER},
		}}
	phone.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: id, Content: content})
	phone.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: id})
	return id
}

var imgSrc = regexp.MustCompile(`<img class="thumb" src="([^"]+)"`)

// TestCaseModeration: the queue counts cases per specialty and shows each
// with a thumbnail the blob store serves; the case page has its fields,
// both photos (thumbnail and full size) and a clear anonymity check; a
// rejection needs a reason, a stale version and a forged id change
// nothing; publishing makes a comment possible, and hiding one needs a
// reason and a comment of this case.
func TestCaseModeration(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		author, phone := e.author("author@console.test")
		first := e.submitCase(author, phone, "Розацеа, папуло-пустулёзный подтип")
		e.clock.Advance(time.Hour)
		second := e.submitCase(author, phone, "Акне, среднетяжёлое течение")
		c, queue := e.staff("mod@console.test")
		p := c.get("/console/cases")
		if p.status != http.StatusOK || !strings.Contains(p.body, "Дерматология (2)") || !strings.Contains(p.body, "Все специальности (2)") || !strings.Contains(p.body, "2 случая.") {
			t.Fatalf("the queue:\n%s", p.body)
		}
		if i, j := strings.Index(p.body, first), strings.Index(p.body, second); i < 0 || j < 0 || i > j {
			t.Fatalf("want %s before %s:\n%s", first, second, p.body)
		}
		thumbs := imgSrc.FindAllStringSubmatch(p.body, -1)
		if len(thumbs) != 2 {
			t.Fatalf("want a thumbnail per case:\n%s", p.body)
		}
		if status, _, body := blobtest.Send(t, media.Request{Method: http.MethodGet, URL: thumbs[0][1]}, nil, nil); status != http.StatusOK || len(body) == 0 {
			t.Fatalf("the thumbnail's URL: %d", status)
		}
		if p := c.get("/console/cases?specialty=oncology"); !strings.Contains(p.body, "0 случаев.") || strings.Contains(p.body, first) {
			t.Fatalf("oncology:\n%s", p.body)
		}
		if p := c.get("/console/cases?specialty=astrology"); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "astrology") {
			t.Fatalf("an unknown specialty: %d\n%s", p.status, p.body)
		}

		page := c.get("/console/cases/" + first)
		for _, want := range []string{"Розацеа", "Женский", "34", "III", "Значительное улучшение", "Розалиак AR", "До", "После", "Проверка не нашла ничего"} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("the case page lacks %q:\n%s", want, page.body)
			}
		}
		if n := len(imgSrc.FindAllString(page.body, -1)); n != 2 {
			t.Fatalf("%d photos on the page", n)
		}
		csrf, version := page.csrf(t), versionOf(t, page)

		// Refused: no reason, another version, a forged id, no token.
		if p := c.post("/console/cases/"+first+"/reject", url.Values{"csrf": {csrf}, "version": {version}, "reason": {"  "}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="reason-error"`) {
			t.Fatalf("a rejection without a reason: %d\n%s", p.status, p.body)
		}
		if p := c.post("/console/cases/"+first+"/publish", url.Values{"csrf": {csrf}, "version": {"1"}}); p.status != http.StatusConflict || !strings.Contains(p.body, "Случай изменился") {
			t.Fatalf("a stale publication: %d\n%s", p.status, p.body)
		}
		if p := c.post("/console/cases/"+uuid.NewString()+"/publish", url.Values{"csrf": {csrf}, "version": {version}}); p.status != http.StatusNotFound {
			t.Fatalf("a forged case: %d", p.status)
		}
		if p := c.post("/console/cases/"+first+"/publish", url.Values{"version": {version}}); p.status != http.StatusForbidden {
			t.Fatalf("no CSRF token: %d", p.status)
		}
		if v, err := e.cases.GetCase(e.ctx, auth.System, first); err != nil || v.Case.Status != casesv1.CaseStatus_CASE_STATUS_SUBMITTED {
			t.Fatalf("after the refusals: %v, %v", v.Case.GetStatus(), err)
		}

		// Published, then the second moderator's decision is refused.
		if p := c.post("/console/cases/"+first+"/publish", url.Values{"csrf": {csrf}, "version": {version}, "note": {"Отличные фото"}}); p.status != http.StatusSeeOther {
			t.Fatalf("publishing: %d\n%s", p.status, p.body)
		}
		if p := c.get("/console/cases/" + first); !strings.Contains(p.body, "Опубликованы") || strings.Contains(p.body, `id="publish"`) {
			t.Fatalf("the published case:\n%s", p.body)
		}
		admin, _ := e.staff("admin@console.test")
		if p := admin.post("/console/cases/"+first+"/reject", url.Values{"csrf": {queue.csrf(t)}, "version": {version}, "reason": {"нет"}}); p.status != http.StatusForbidden {
			t.Fatalf("another session's token: %d", p.status)
		}
		adminPage := admin.get("/console/cases/" + second)
		if p := admin.post("/console/cases/"+first+"/reject", url.Values{"csrf": {adminPage.csrf(t)}, "version": {version}, "reason": {"нет"}}); p.status != http.StatusConflict || !strings.Contains(p.body, "сейчас так поступить нельзя") {
			t.Fatalf("deciding a decided case: %d\n%s", p.status, p.body)
		}

		// The discussion: a colleague comments; hiding needs a reason and
		// a comment of this case.
		_, colleague := e.author("colleague@console.test")
		commentID := uuid.NewString()
		colleague.MustApply("case.comment", &casesv1.CommentArgs{CaseId: first, CommentId: commentID, Text: "Какой крем использовали после?"})
		page = c.get("/console/cases/" + first)
		hide := "/console/cases/" + first + "/comments/" + commentID + "/hide"
		if p := c.post(hide, url.Values{"csrf": {page.csrf(t)}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "say why the comment is hidden") {
			t.Fatalf("hiding without a reason: %d\n%s", p.status, p.body)
		}
		if p := c.post("/console/cases/"+second+"/comments/"+commentID+"/hide", url.Values{"csrf": {page.csrf(t)}, "reason": {"реклама"}}); p.status != http.StatusNotFound {
			t.Fatalf("a comment of another case: %d", p.status)
		}
		if p := c.post(hide, url.Values{"csrf": {page.csrf(t)}, "reason": {"реклама"}}); p.status != http.StatusSeeOther {
			t.Fatalf("hiding: %d\n%s", p.status, p.body)
		}
		if p := c.get("/console/cases/" + first); !strings.Contains(p.body, "Скрыт") || !strings.Contains(p.body, "Комментарий скрыт") {
			t.Fatalf("the hidden comment:\n%s", p.body)
		}

		// Rejected with a reason the author gets.
		page = c.get("/console/cases/" + second)
		if p := c.post("/console/cases/"+second+"/reject", url.Values{"csrf": {page.csrf(t)}, "version": {versionOf(t, page)}, "reason": {"Нужны фото при том же освещении"}}); p.status != http.StatusSeeOther {
			t.Fatalf("rejecting: %d\n%s", p.status, p.body)
		}
		if v, err := e.cases.GetCase(e.ctx, auth.System, second); err != nil || v.Case.Status != casesv1.CaseStatus_CASE_STATUS_REJECTED || v.Case.ModeratorNote != "Нужны фото при том же освещении" {
			t.Fatalf("the rejected case: %v, %v", v.Case, err)
		}
		if p := c.get("/console/cases?status=rejected"); !strings.Contains(p.body, second) {
			t.Fatalf("the rejected list:\n%s", p.body)
		}
	})
}

// TestCaseAccess: a doctor's draft is not the moderators' to see.
func TestCaseAccess(t *testing.T) {
	e := newEnv(t, syncengine.SQLite, nil)
	_, phone := e.author("author@console.test")
	draft := uuid.NewString()
	age := int32(30)
	phone.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: draft, Content: &casesv1.CaseContent{Diagnosis: "Черновик", AgeYears: &age}})
	c, _ := e.staff("mod@console.test")
	if p := c.get("/console/cases/" + draft); p.status != http.StatusNotFound {
		t.Fatalf("a draft: %d", p.status)
	}
}
