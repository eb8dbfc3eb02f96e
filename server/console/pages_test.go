package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

var (
	hrefs       = regexp.MustCompile(`href="(/console/[^"]*)"`)
	scriptTag   = regexp.MustCompile(`(?is)<script\b[^>]*>(.*?)</script>`)
	scriptSrc   = regexp.MustCompile(`^<script src="/console/static/[a-z.]+\?v=[0-9a-f]+" defer>`)
	handlerAttr = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	styleAttr   = regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=`)
)

// checkPage fails unless a console answer carries the security headers
// and nothing inline: no inline script, no on*= handler, no javascript:
// URL, no inline style.
func checkPage(t *testing.T, path string, p page) {
	t.Helper()
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Fatalf("%s: CSP %q lacks %q", path, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Fatalf("%s: CSP %q allows something unsafe", path, csp)
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
		if p.header.Get(h) != want {
			t.Fatalf("%s: %s is %q", path, h, p.header.Get(h))
		}
	}
	for _, m := range scriptTag.FindAllStringSubmatch(p.body, -1) {
		if strings.TrimSpace(m[1]) != "" || !scriptSrc.MatchString(m[0]) {
			t.Fatalf("%s: an inline or foreign script: %s", path, m[0])
		}
	}
	for name, re := range map[string]*regexp.Regexp{"an on*= handler": handlerAttr, "a style attribute": styleAttr} {
		if m := re.FindString(p.body); m != "" {
			t.Fatalf("%s: %s: %s", path, name, m)
		}
	}
	if strings.Contains(strings.ToLower(p.body), "javascript:") || strings.Contains(strings.ToLower(p.body), "<style") {
		t.Fatalf("%s: a javascript: URL or a style element:\n%s", path, p.body)
	}
}

// TestEveryPage walks every page a signed-in admin can reach by links, in
// both languages, plus the signed-out ones and the error pages, and checks
// each with checkPage. Rendering does not depend on the database, so one
// dialect is enough.
func TestEveryPage(t *testing.T) {
	e := newEnv(t, syncengine.SQLite, nil)
	decided := e.propose(e.doctor.Version, "position", "chief physician")
	must(t, e.rejectAs(decided, "no"))
	e.propose(e.doctor.Version, "phones", "+79160000001")
	gift := e.seedGifts()
	shipments, err := e.gifts.PackShipments(e.ctx, auth.System, gift.wave.ID)
	must(t, err)
	mustSee := e.seedCasePages()
	paper, _, err := e.content.ImportMarkdown(e.ctx, auth.System, []byte(paperFile))
	must(t, err)

	anon := e.client()
	for path, status := range map[string]int{"/console/signin": 200, "/console/signin?lang=en": 200, "/console/no-such-page": 404, "/console/static/nope.js": 404} {
		p := anon.get(path)
		if p.status != status {
			t.Fatalf("%s: %d", path, p.status)
		}
		checkPage(t, path, p)
	}
	doctor := e.client()
	staffOnly := doctor.post("/console/signin", url.Values{"csrf": {doctor.get("/console/signin").csrf(t)}, "login": {"doctor@console.test"}, "password": {password}})
	checkPage(t, "the staff-only page", staffOnly)

	admin, queue := e.staff("admin@console.test")
	for _, lang := range []string{"ru", "en"} {
		if lang == "en" {
			res := admin.post("/console/language", url.Values{"csrf": {queue.csrf(t)}, "lang": {"en"}, "back": {"/console/edits"}})
			if res.status != http.StatusSeeOther || res.location != "/console/edits" {
				t.Fatalf("switching to English: %d %q", res.status, res.location)
			}
		}
		seen := map[string]bool{}
		todo := []string{"/console/", "/console/edits?status=all", "/console/cases?status=published"}
		for len(todo) > 0 && len(seen) < 100 {
			path := todo[0]
			todo = todo[1:]
			if seen[path] || strings.HasPrefix(path, "/console/static/") || strings.Contains(path, ".csv") || strings.HasPrefix(path, "/console/reports/export/") {
				continue
			}
			seen[path] = true
			p := admin.get(path)
			if p.status == http.StatusSeeOther {
				todo = append(todo, p.location)
				continue
			}
			if p.status != http.StatusOK || !strings.Contains(p.body, `<html lang="`+lang+`">`) {
				t.Fatalf("%s (%s): %d\n%s", path, lang, p.status, p.body)
			}
			checkPage(t, path, p)
			for _, m := range hrefs.FindAllStringSubmatch(p.body, -1) {
				todo = append(todo, m[1])
			}
		}
		for _, want := range append([]string{"/console/edits/" + decided, "/console/doctors/" + e.doctor.Id + "/history",
			"/console/gifts/waves/" + gift.wave.ID, "/console/gifts/items/" + gift.cream.ID, "/console/gifts/shipments/" + shipments[0].Id + "/packing",
			"/console/content/" + paper.Item.Id, "/console/content/new?kind=training", "/console/sync", "/console/people/" + e.rep.ID + "/sync", "/console/reports"}, mustSee...) {
			if !seen[want] {
				t.Fatalf("the walk (%s) missed %s: %v", lang, want, seen)
			}
		}
		p := admin.get("/console/edits/forged-id")
		if p.status != http.StatusNotFound {
			t.Fatalf("a forged id: %d", p.status)
		}
		checkPage(t, "a forged id", p)
	}
	if p := admin.get("/console/edits"); !strings.Contains(p.body, "Doctor-data edits") {
		t.Fatalf("the account's language is not English now:\n%s", p.body)
	}
	if res := admin.post("/console/language", url.Values{"csrf": {queue.csrf(t)}, "lang": {"de"}}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a language the console does not speak: %d", res.status)
	}
}
