package console_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
)

// decide posts a decision form of a request page with the page's token
// and version, plus fields.
func (c *client) decide(p page, id, action string, fields ...string) page {
	c.e.t.Helper()
	form := url.Values{"csrf": {p.csrf(c.e.t)}, "version": {versionOf(c.e.t, p)}}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return c.post("/console/edits/"+id+"/"+action, form)
}

func versionOf(t testing.TB, p page) string {
	t.Helper()
	_, rest, ok := strings.Cut(p.body, `name="version" value="`)
	if !ok {
		t.Fatalf("no version on the page:\n%s", p.body)
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// TestQueue: the queue lists pending requests oldest first with a count
// per status, and filters by territory, proposer and age; a filter that
// makes no sense is shown next to the field.
func TestQueue(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		first := e.propose(e.doctor.Version, "position", "chief physician")
		e.clock.Advance(25 * time.Hour)
		second := e.propose(e.doctor.Version, "clinic_id", "skin-center")
		must(t, e.rejectAs(second, "not now"))
		third := e.propose(e.doctor.Version, "phones", "+79160000001")
		c, queue := e.staff("mod@console.test")
		if !strings.Contains(queue.body, "Ожидают (2)") || !strings.Contains(queue.body, "Отклонены (1)") || !strings.Contains(queue.body, "Подходят 2 заявки") {
			t.Fatalf("the pending queue:\n%s", queue.body)
		}
		if i, j := strings.Index(queue.body, first), strings.Index(queue.body, third); i < 0 || j < 0 || i > j || strings.Contains(queue.body, second) {
			t.Fatalf("want %s then %s, pending only:\n%s", first, third, queue.body)
		}
		if p := c.get("/console/edits?status=all&territory=south"); p.status != http.StatusOK || !strings.Contains(p.body, "Подходят 0 заявок") || !strings.Contains(p.body, "Все (0)") {
			t.Fatalf("south:\n%s", p.body)
		}
		if p := c.get("/console/edits?status=rejected&proposer=" + e.rep.ID); !strings.Contains(p.body, second) || strings.Contains(p.body, first) {
			t.Fatalf("the rep's rejected requests:\n%s", p.body)
		}
		if p := c.get("/console/edits?age=1"); !strings.Contains(p.body, "Подходит 1 заявка") || !strings.Contains(p.body, first) {
			t.Fatalf("older than a day:\n%s", p.body)
		}
		for q, field := range map[string]string{"status=maybe": "must be pending", "age=2": "choose one of the ages", "territory=atlantis": "no territory atlantis"} {
			if p := c.get("/console/edits?" + q); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, field) {
				t.Fatalf("%s: %d\n%s", q, p.status, p.body)
			}
		}
	})
}

func (e *env) rejectAs(id, reason string) error {
	_, err := e.dir.Reject(e.ctx, auth.Principal(e.moderator, "m"), id, 0, reason)
	return err
}

// TestDecisions: field by field approval through the form (take, keep,
// custom), conflicts that must be resolved, validation next to the field,
// a stale page refused, rejection with a reason, the history; nothing is
// written by a refused decision.
func TestDecisions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		c, _ := e.staff("mod@console.test")
		base := e.doctor.Version
		a := e.propose(base, "phones", "+79160000001")
		b := e.propose(base, "phones", "+79160000002")
		page := c.get("/console/edits/" + a)
		if page.status != http.StatusOK || !strings.Contains(page.body, "<ins>") || !strings.Contains(page.body, `value="proposed" checked`) {
			t.Fatalf("request page:\n%s", page.body)
		}
		if res := c.decide(page, a, "approve", "choice.phones", "proposed"); res.status != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", res.status, res.body)
		}
		if d := e.current(); !slices.Equal(d.Phones, []string{"+79160000001"}) {
			t.Fatalf("after approval: %v", d.Phones)
		}

		// b was proposed on the base a changed: a conflict, with no
		// default choice; approving without one names the field.
		page = c.get("/console/edits/" + b)
		if !strings.Contains(page.body, `id="field-phones" class="conflict"`) || strings.Contains(page.body, `value="proposed" checked`) {
			t.Fatalf("the conflict is not marked:\n%s", page.body)
		}
		version := e.current().Version
		res := c.decide(page, b, "approve")
		if res.status != http.StatusConflict || !strings.Contains(res.body, "выберите, что оставить") || !strings.Contains(res.body, "choose which to keep") {
			t.Fatalf("approving over a conflict: %d\n%s", res.status, res.body)
		}
		// A value of one's own is checked with the same rules as the API's.
		res = c.decide(page, b, "approve", "choice.phones", "custom", "custom.phones", "12345")
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `class="field-error"`) || !strings.Contains(res.body, "international form") ||
			!strings.Contains(res.body, `value="custom" checked`) || !strings.Contains(res.body, ">12345</textarea>") {
			t.Fatalf("an invalid custom value: %d\n%s", res.status, res.body)
		}
		if e.current().Version != version || !e.pending(b) {
			t.Fatal("a refused approval changed something")
		}

		// Someone else changes the doctor while this page is open: the
		// decision made on it is refused, and the page shows it fresh.
		other := e.propose(version, "position", "chief physician")
		_, _, err := e.dir.Approve(e.ctx, auth.Principal(e.admin, "a"), other, 0, nil)
		must(t, err)
		res = c.decide(page, b, "approve", "choice.phones", "current")
		if res.status != http.StatusConflict || !strings.Contains(res.body, "Данные врача изменились") || versionOf(t, res) != strconv.FormatInt(version+1, 10) {
			t.Fatalf("a decision on a stale page: %d\n%s", res.status, res.body)
		}
		if d := e.current(); d.Version != version+1 || !e.pending(b) {
			t.Fatalf("the stale decision was applied: %v", d)
		}
		res = c.decide(res, b, "approve", "choice.phones", "custom", "custom.phones", " +79160000009\n\n+79160000003 ")
		if res.status != http.StatusSeeOther {
			t.Fatalf("approve with a custom value: %d\n%s", res.status, res.body)
		}
		if d := e.current(); !slices.Equal(d.Phones, []string{"+79160000009", "+79160000003"}) || d.Position != "chief physician" {
			t.Fatalf("after the custom approval: %v", d)
		}
		done := c.get("/console/edits/" + b)
		if !strings.Contains(done.body, "Одобрены") || !strings.Contains(done.body, "Name of mod@console.test") || strings.Contains(done.body, `id="approve-button"`) {
			t.Fatalf("the decided request:\n%s", done.body)
		}
		// A second decision on a decided request is refused.
		if res := c.decide(page, b, "reject", "reason", "late"); res.status != http.StatusConflict || !strings.Contains(res.body, "уже приняли решение") {
			t.Fatalf("deciding twice: %d\n%s", res.status, res.body)
		}

		r := e.propose(e.current().Version, "position", "janitor")
		page = c.get("/console/edits/" + r)
		if res := c.decide(page, r, "reject", "reason", "   "); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="reason-error"`) {
			t.Fatalf("a rejection without a reason: %d\n%s", res.status, res.body)
		}
		if res := c.decide(page, r, "reject", "reason", "not a real position"); res.status != http.StatusSeeOther || e.pending(r) {
			t.Fatalf("reject: %d\n%s", res.status, res.body)
		}

		hist := c.get("/console/doctors/" + e.doctor.Id + "/history")
		for _, want := range []string{"История: Анна Петрова", "Правка одобрена", "Правка отклонена", "not a real position", "+79160000009, +79160000003", "Name of rep@console.test"} {
			if !strings.Contains(hist.body, want) {
				t.Fatalf("history lacks %q:\n%s", want, hist.body)
			}
		}
		for _, path := range []string{"/console/edits/no-such-request", "/console/doctors/no-such-doctor/history"} {
			if p := c.get(path); p.status != http.StatusNotFound || !strings.Contains(p.body, `id="error"`) {
				t.Fatalf("%s: %d\n%s", path, p.status, p.body)
			}
		}
		if res := c.decide(page, "no-such-request", "approve"); res.status != http.StatusNotFound {
			t.Fatalf("approving a request that does not exist: %d", res.status)
		}
	})
}

// TestCSRF: a change without the session's token, or with another
// session's, is refused and changes nothing; htmx's header is accepted.
func TestCSRF(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		id := e.propose(e.doctor.Version, "position", "chief physician")
		mod, _ := e.staff("mod@console.test")
		_, adminPage := e.staff("admin@console.test")
		page := mod.get("/console/edits/" + id)
		version := versionOf(t, page)
		for name, token := range map[string]string{"none": "", "made up": "x", "another session's": adminPage.csrf(t)} {
			res := mod.post("/console/edits/"+id+"/approve", url.Values{"csrf": {token}, "version": {version}, "choice.position": {"proposed"}})
			if res.status != http.StatusForbidden || !strings.Contains(res.body, "CSRF") {
				t.Fatalf("%s token: %d\n%s", name, res.status, res.body)
			}
			if !e.pending(id) || e.current().Position != "head of department" {
				t.Fatalf("a change with %s token went through", name)
			}
		}
		if res := mod.post("/console/signout", url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("sign-out without a token: %d", res.status)
		}
		res := mod.post("/console/edits/"+id+"/approve", url.Values{"version": {version}, "choice.position": {"proposed"}},
			"X-CSRF-Token", page.csrf(t), "HX-Request", "true")
		if res.status != http.StatusSeeOther || e.pending(id) {
			t.Fatalf("htmx's header token: %d\n%s", res.status, res.body)
		}
	})
}
