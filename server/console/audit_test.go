package console_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
)

// TestAuditLog: the admin's log holds the directory's, the cases' and the
// warehouse's records with who did what, newest first; it filters by
// area, person and days, refuses filters that make no sense next to their
// field, exports the same as CSV with no cell a spreadsheet would run, and
// is not a moderator's.
func TestAuditLog(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		decided := e.propose(e.doctor.Version, "position", "chief physician")
		must(t, e.rejectAs(decided, "=HYPERLINK(\"http://evil\")"))
		author, phone := e.author("author@console.test")
		caseID := e.submitCase(author, phone, "Розацеа")
		e.clock.Advance(48 * time.Hour)
		v, err := e.cases.GetCase(e.ctx, auth.System, caseID)
		must(t, err)
		_, err = e.cases.Publish(e.ctx, auth.Principal(e.moderator, "m"), caseID, v.Case.Version, "")
		must(t, err)
		seed := e.seedGifts()

		mod, _ := e.staff("mod@console.test")
		if p := mod.get("/console/audit"); p.status != http.StatusForbidden {
			t.Fatalf("a moderator on the audit log: %d", p.status)
		}
		c, _ := e.staff("admin@console.test")
		p := c.get("/console/audit")
		for _, want := range []string{"Правка отклонена", "Name of mod@console.test", "Опубликован", "Отправлен на модерацию", "Поступление", seed.cream.Name} {
			if !strings.Contains(p.body, want) {
				t.Fatalf("the log lacks %q:\n%s", want, p.body)
			}
		}
		if i, j := strings.Index(p.body, "Опубликован"), strings.Index(p.body, "Правка отклонена"); i > j {
			t.Fatal("the log is not newest first")
		}
		if p := c.get("/console/audit?area=cases&actor=" + e.moderator.ID); !strings.Contains(p.body, "Опубликован") || strings.Contains(p.body, "Отправлен на модерацию") || strings.Contains(p.body, "Правка отклонена") {
			t.Fatalf("the moderator's case decisions:\n%s", p.body)
		}
		today := e.clock.Now().In(time.Local).Format(time.DateOnly)
		if p := c.get("/console/audit?area=edits&from=" + today); !strings.Contains(p.body, "0 записей.") {
			t.Fatalf("edits since today:\n%s", p.body)
		}
		for q, field := range map[string]string{"area=gossip": "must be one of edits", "from=yesterday": `id="from-error"`, "from=2026-05-02&to=2026-05-01": `id="to-error"`, "actor=nobody": "choose one of the staff"} {
			if p := c.get("/console/audit?" + q); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, field) {
				t.Fatalf("%s: %d\n%s", q, p.status, p.body)
			}
		}
		res := c.get("/console/audit.csv?area=edits")
		if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("the export: %d %v", res.status, res.header)
		}
		rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		must(t, err)
		if len(rows) < 2 || strings.Join(rows[0], ",") != "at,area,who,what,subject,note,address" {
			t.Fatalf("the export:\n%s", res.body)
		}
		found := false
		for _, r := range rows[1:] {
			if r[3] == "Правка отклонена" {
				found = r[5] == `'=HYPERLINK("http://evil")` && r[2] == "Name of mod@console.test"
			}
			if r[1] != "Данные врачей" {
				t.Fatalf("an edits export has %v", r)
			}
		}
		if !found {
			t.Fatalf("the rejection is not in the export as data:\n%s", res.body)
		}
		if p := c.get("/console/audit.csv?from=May"); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("an export with a bad day: %d", p.status)
		}
	})
}
