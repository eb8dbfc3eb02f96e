package console_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
)

// auditRowOf is the audit page's row that names action, or "".
func auditRowOf(body, action string) string {
	for _, m := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(body, -1) {
		if strings.Contains(m, "<td>"+action+"</td>") {
			return m
		}
	}
	return ""
}

// TestAuditDecisions: the account, diploma, gift-wave and warehouse
// decisions taken in the console (and through the services) are in the
// admin's log with who took them and from where, in the area they belong
// to, in Russian and English, and in the CSV with formula-like cells
// quoted; moderators get neither.
func TestAuditDecisions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		seed := e.seedGifts()
		mod, _ := e.staff("mod@console.test")
		id := e.propose(e.doctor.Version, "position", "chief physician")
		if p := mod.decide(mod.get("/console/edits/"+id), id, "reject", "reason", "not a position"); p.status != http.StatusSeeOther {
			t.Fatalf("reject: %d\n%s", p.status, p.body)
		}
		author, phone := e.author("author@console.test")
		caseID := e.submitCase(author, phone, "Розацеа")
		casePage := mod.get("/console/cases/" + caseID)
		if p := mod.post("/console/cases/"+caseID+"/publish", url.Values{"csrf": {casePage.csrf(t)}, "version": {versionOf(t, casePage)}}); p.status != http.StatusSeeOther {
			t.Fatalf("publish: %d\n%s", p.status, p.body)
		}
		newcomer, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: "new@console.test", Password: password, Name: "Dr Newcomer", RegionID: "msk", Specialty: "dermatology"})
		must(t, err)
		byService := auth.Principal(e.admin, "")
		byService.Address = "10.0.0.9"
		_, err = e.accounts.VerifyDoctor(e.ctx, byService, newcomer.ID)
		must(t, err)

		admin, queue := e.staff("admin@console.test")
		csrf := queue.csrf(t)
		person := "/console/people/" + e.rep.ID
		for path, form := range map[string]url.Values{
			person + "/status":   {"csrf": {csrf}, "disabled": {"true"}},
			person + "/password": {"csrf": {csrf}, "password": {"another long password"}},
		} {
			if p := admin.post(path, form); p.status != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%s", path, p.status, p.body)
			}
		}
		if p := admin.post(person+"/status", url.Values{"csrf": {csrf}, "disabled": {"false"}}); p.status != http.StatusSeeOther {
			t.Fatalf("enable: %d\n%s", p.status, p.body)
		}
		msk, _ := time.LoadLocation("Europe/Moscow")
		local := func(d time.Duration) string { return e.clock.Now().Add(d).In(msk).Format("2006-01-02T15:04") }
		wave := url.Values{"csrf": {csrf}, "region_id": {"msk"}, "title": {"=HYPERLINK(\"http://evil\")"}, "starts_at": {local(48 * time.Hour)}, "ends_at": {local(96 * time.Hour)}}
		if p := admin.post("/console/gifts/waves", wave); p.status != http.StatusSeeOther {
			t.Fatalf("a wave: %d\n%s", p.status, p.body)
		}
		if p := admin.post("/console/gifts/items/"+seed.cream.ID+"/movements", url.Values{"csrf": {csrf}, "kind": {"write_off"}, "quantity": {"2"}, "note": {"damaged"}}); p.status != http.StatusSeeOther {
			t.Fatalf("a write-off: %d\n%s", p.status, p.body)
		}

		for _, path := range []string{"/console/audit", "/console/audit.csv", "/console/audit?area=accounts"} {
			if p := mod.get(path); p.status != http.StatusForbidden {
				t.Fatalf("a moderator on %s: %d", path, p.status)
			}
		}
		log := admin.get("/console/audit")
		for action, by := range map[string]string{
			"Учётная запись отключена": "Name of admin@console.test", "Учётная запись включена": "Name of admin@console.test",
			"Пароль сброшен": "Name of admin@console.test", "Волна создана": "Name of admin@console.test", "Списание": "Name of admin@console.test",
			"Правка отклонена": "Name of mod@console.test", "Опубликован": "Name of mod@console.test", "Диплом подтверждён": "Name of admin@console.test",
		} {
			row := auditRowOf(log.body, action)
			from := "127.0.0.1"
			if action == "Диплом подтверждён" {
				from = "10.0.0.9"
			}
			if row == "" || !strings.Contains(row, "<td>"+by+"</td>") || !strings.Contains(row, `<td class="nowrap">`+from+`</td>`) {
				t.Fatalf("%s by %s from %s: %q\n%s", action, by, from, row, log.body)
			}
		}
		if row := auditRowOf(log.body, "Пароль сброшен"); !strings.Contains(row, `href="/console/people/`+e.rep.ID+`">Name of rep@console.test</a>`) {
			t.Fatalf("the reset names the rep: %s", row)
		}
		if row := auditRowOf(log.body, "Поступление"); row == "" || strings.Contains(row, "127.0.0.1") {
			t.Fatalf("the server's own receipt has no address: %q", row)
		}
		areas := map[string][2][]string{
			"accounts": {{"Пароль сброшен", "Учётная запись отключена"}, {"Волна создана", "Правка отклонена", "Диплом подтверждён"}},
			"diplomas": {{"Диплом подтверждён"}, {"Пароль сброшен"}},
			"waves":    {{"Волна создана", "Предложение изменено"}, {"Списание", "Пароль сброшен"}},
		}
		for area, want := range areas {
			p := admin.get("/console/audit?area=" + area)
			for _, in := range want[0] {
				if auditRowOf(p.body, in) == "" {
					t.Errorf("area %s lacks %s", area, in)
				}
			}
			for _, out := range want[1] {
				if auditRowOf(p.body, out) != "" {
					t.Errorf("area %s has %s", area, out)
				}
			}
		}
		if p := admin.get("/console/audit?area=warehouse"); auditRowOf(p.body, "Списание") == "" || auditRowOf(p.body, "Товар добавлен в каталог") == "" || auditRowOf(p.body, "Волна создана") != "" {
			t.Fatalf("the warehouse:\n%s", p.body)
		}
		if p := admin.get("/console/audit?actor=" + e.moderator.ID); auditRowOf(p.body, "Правка отклонена") == "" || auditRowOf(p.body, "Пароль сброшен") != "" {
			t.Fatalf("the moderator's decisions:\n%s", p.body)
		}

		res := admin.get("/console/audit.csv?area=waves")
		rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		must(t, err)
		if res.status != http.StatusOK || len(rows) < 2 || strings.Join(rows[0], ",") != "at,area,who,what,subject,note,address" {
			t.Fatalf("the export: %d\n%s", res.status, res.body)
		}
		found := false
		for _, r := range rows[1:] {
			if r[3] == "Волна создана" && r[2] != "система" {
				found = r[4] == `'=HYPERLINK("http://evil")` && r[2] == "Name of admin@console.test" && r[6] == "127.0.0.1"
			}
		}
		if !found {
			t.Fatalf("the wave is not in the export as data:\n%s", res.body)
		}

		if p := admin.post("/console/language", url.Values{"csrf": {csrf}, "lang": {"en"}, "back": {"/console/audit"}}); p.status != http.StatusSeeOther {
			t.Fatalf("switching to English: %d", p.status)
		}
		en := admin.get("/console/audit?area=accounts")
		if row := auditRowOf(en.body, "Password reset"); row == "" || !strings.Contains(row, "127.0.0.1") || !strings.Contains(en.body, "From where") {
			t.Fatalf("the English log:\n%s", en.body)
		}
	})
}
