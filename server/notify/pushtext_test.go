package notify

import (
	"regexp"
	"strings"
	"testing"
)

// TestPushCarriesNoPersonalData renders the push of every notification
// kind in every language with every parameter any template names set to a
// marker, and checks that no marker of a doctor, a patient or free text
// reaches the push's title or body (the inbox item may have them).
func TestPushCarriesNoPersonalData(t *testing.T) {
	// What a push may name: its recipient's own context, staff, studies,
	// waves, orders and figures.
	allowed := map[string]bool{"rep": true, "kind": true, "when": true, "study": true, "visit": true, "due": true,
		"title": true, "ends_at": true, "grace_until": true, "number": true, "tracking": true, "points": true,
		"region": true, "date": true, "new_doctors": true, "approved_edits": true, "cases_submitted": true,
		"cases_published": true, "overdue_results": true, "gift_orders": true}
	param := regexp.MustCompile(`\.([a-z_]+)`)
	for kind, byLocale := range templates {
		params := map[string]string{}
		for _, tx := range byLocale {
			for _, m := range param.FindAllStringSubmatch(tx.title+tx.body, -1) {
				params[m[1]] = "MARK-" + m[1]
			}
		}
		for _, lang := range languages {
			title, body := RenderPush(kind, lang, params)
			for name, v := range params {
				if !allowed[name] && strings.Contains(title+body, v) {
					t.Errorf("%s/%s: the push carries %s: %q %q", kind, lang, name, title, body)
				}
			}
			if body == "" || strings.Contains(title+body, "{{") {
				t.Errorf("%s/%s: push %q %q", kind, lang, title, body)
			}
		}
	}
	if len(templates) < 15 {
		t.Fatalf("only %d kinds", len(templates))
	}
}
