package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
)

// submitDiploma has the doctor upload a diploma photo and send it for
// review; it returns the media id.
func (e *env) submitDiploma(u auth.User, seed uint64) string {
	e.t.Helper()
	id := e.photoOf(u, mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA, seed)
	_, err := e.accounts.AttachDiploma(e.ctx, auth.Principal(u, "phone"), id)
	must(e.t, err)
	return id
}

// TestDiplomas: the pending diploma with its photo; a rejection needs a
// reason, shown by the doctor's form; a decision on a photo the doctor
// has replaced is refused; a forged account is not found; verifying
// verifies the doctor.
func TestDiplomas(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		old := e.submitDiploma(e.doctorUser, 7)
		c, _ := e.staff("mod@console.test")
		p := c.get("/console/diplomas")
		if p.status != http.StatusOK || !strings.Contains(p.body, "Ожидает 1 диплом.") || !strings.Contains(p.body, e.doctorUser.Name) {
			t.Fatalf("the list: %d\n%s", p.status, p.body)
		}
		thumbs := imgSrc.FindAllStringSubmatch(p.body, -1)
		if len(thumbs) != 1 {
			t.Fatalf("want the diploma's photo:\n%s", p.body)
		}
		if status, _, _ := blobtest.Send(t, media.Request{Method: http.MethodGet, URL: thumbs[0][1]}, nil, nil); status != http.StatusOK {
			t.Fatalf("the photo's URL: %d", status)
		}
		form := func(decision, media, reason string) url.Values {
			return url.Values{"csrf": {p.csrf(t)}, "decision": {decision}, "media": {media}, "reason": {reason}}
		}
		at := "/console/diplomas/" + e.doctorUser.ID
		if r := c.post(at, form("reject", old, "")); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "tell the doctor what is wrong") {
			t.Fatalf("a rejection without a reason: %d\n%s", r.status, r.body)
		}
		if r := c.post(at, form("maybe", old, "")); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("no decision: %d", r.status)
		}
		if r := c.post("/console/diplomas/no-such-account", form("verify", old, "")); r.status != http.StatusNotFound {
			t.Fatalf("a forged account: %d", r.status)
		}
		if r := c.post("/console/diplomas/"+e.rep.ID, form("verify", old, "")); r.status != http.StatusConflict {
			t.Fatalf("a rep's account: %d", r.status)
		}
		if r := c.post(at, url.Values{"decision": {"verify"}, "media": {old}}); r.status != http.StatusForbidden {
			t.Fatalf("no CSRF token: %d", r.status)
		}
		// The doctor sends a better photo meanwhile.
		fresh := e.submitDiploma(e.doctorUser, 8)
		if r := c.post(at, form("verify", old, "")); r.status != http.StatusConflict || !strings.Contains(r.body, "прислал другое фото") {
			t.Fatalf("a decision on the replaced photo: %d\n%s", r.status, r.body)
		}
		if u, _, _, err := e.accounts.Me(e.ctx, e.doctorUser.ID); err != nil || u.Verified {
			t.Fatalf("after the refusals the doctor is verified %v, %v", u.Verified, err)
		}
		if r := c.post(at, form("verify", fresh, "")); r.status != http.StatusSeeOther {
			t.Fatalf("verifying: %d\n%s", r.status, r.body)
		}
		if u, _, _, err := e.accounts.Me(e.ctx, e.doctorUser.ID); err != nil || !u.Verified || u.DiplomaStatus != "verified" {
			t.Fatalf("the doctor: %+v, %v", u, err)
		}
		if p := c.get("/console/diplomas"); !strings.Contains(p.body, "Дипломов на проверке нет") {
			t.Fatalf("the list after:\n%s", p.body)
		}
		if r := c.post(at, form("reject", fresh, "поздно")); r.status != http.StatusConflict || !strings.Contains(r.body, "уже приняли решение") {
			t.Fatalf("deciding again: %d\n%s", r.status, r.body)
		}
	})
}
