package console

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/probase"
)

// TestCatalogue: every text exists in both languages, plural texts have
// each language's forms, and the keys the code builds exist.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, cat := range catalogues {
		for k, m := range cat {
			if seen[k] {
				t.Errorf("%s is in two catalogues", k)
			}
			seen[k] = true
			if strings.TrimSpace(m.en) == "" || strings.TrimSpace(m.ru) == "" {
				t.Errorf("%s lacks a language: %+v", k, m)
			}
			if strings.Contains(m.en, "|") || strings.Contains(m.ru, "|") {
				if n, r := strings.Count(m.en, "|")+1, strings.Count(m.ru, "|")+1; n != 2 || r != 3 {
					t.Errorf("%s: %d English and %d Russian plural forms, want 2 and 3", k, n, r)
				}
			}
		}
	}
	var built []string
	for _, r := range probase.DoctorTemplate.Rules {
		built = append(built, "field."+r.Field)
	}
	for _, a := range []string{"created", "imported", "linked", "edit_proposed", "edit_approved", "edit_rejected", "profile_updated"} {
		built = append(built, "action."+a)
	}
	for a := range auditActions {
		built = append(built, "audit.action."+a)
	}
	for _, a := range auditAreas {
		built = append(built, "audit.area."+a)
	}
	for code := range statusOf {
		built = append(built, "error."+code)
	}
	for _, s := range []string{"pending", "approved", "rejected", "all"} {
		built = append(built, "status."+s)
	}
	for _, r := range moderators {
		built = append(built, "role."+string(r))
	}
	for _, r := range syncReasons {
		built = append(built, "sync.reason."+r)
	}
	for _, l := range languages {
		built = append(built, "lang."+l.Code)
	}
	built = append(built, "history.system", "history.proposed_by", "edits.any_territory", "edits.anyone", "edits.any_age", "edits.older_than", "age.minutes", "age.hours", "age.days")
	for _, k := range built {
		if !seen[k] {
			t.Errorf("the code names %s, which no catalogue has", k)
		}
	}
}

func TestPlural(t *testing.T) {
	ru := languages[0]
	for n, want := range map[int64]string{0: "0 заявок", 1: "1 заявка", 2: "2 заявки", 5: "5 заявок", 11: "11 заявок", 12: "12 заявок", 21: "21 заявка", 22: "22 заявки", 111: "111 заявок"} {
		got, err := ru.count("edits.matching", n)
		if err != nil || !strings.HasSuffix(got, want+".") {
			t.Errorf("%d: %q (%v), want …%q", n, got, err, want)
		}
	}
	en := languages[1]
	if got, _ := en.count("edits.matching", 1); got != "1 request matches." {
		t.Errorf("English one: %q", got)
	}
	if got, _ := en.count("edits.matching", 3); got != "3 requests match." {
		t.Errorf("English other: %q", got)
	}
}

// TestRenderFailure: a page whose template fails is logged and answered
// with the generic error page, not half a page and not the cause.
func TestRenderFailure(t *testing.T) {
	static, err := newStaticFiles()
	if err != nil {
		t.Fatal(err)
	}
	v, err := parseViews(static)
	if err != nil {
		t.Fatal(err)
	}
	broken, err := v.pages["error"].Clone()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := broken.Parse(`{{define "content"}}<p>half a page</p>{{$.T "no.such.text"}}{{end}}`); err != nil {
		t.Fatal(err)
	}
	v.pages["broken"] = broken
	var logs bytes.Buffer
	c := &Console{log: slog.New(slog.NewTextHandler(&logs, nil)), views: v, static: static}
	for _, name := range []string{"broken", "no-such-template"} {
		logs.Reset()
		w := httptest.NewRecorder()
		q := &request{c: c, w: w, r: httptest.NewRequest(http.MethodGet, "/console/x", nil), lang: languages[0]}
		q.render(http.StatusOK, name, nil)
		body := w.Body.String()
		if w.Code != http.StatusInternalServerError || body != genericError || strings.Contains(body, "half a page") {
			t.Fatalf("%s: %d %s", name, w.Code, body)
		}
		if !strings.Contains(logs.String(), "console page did not render") {
			t.Fatalf("%s: not logged: %s", name, logs.String())
		}
	}
}
