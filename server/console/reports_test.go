package console_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/reports/export"
)

// reportWorld is what TestReports writes: a director of msk, a region
// spb they do not follow, a doctor of south nobody touched for 100 days,
// two edits proposed this month (one rejected) and three new doctor
// accounts.
type reportWorld struct {
	director   auth.User
	quiet      *probasev1.Doctor
	quietPhone string
	month      string
}

func (e *env) seedReports() reportWorld {
	e.t.Helper()
	w := reportWorld{quietPhone: "+79169998877"}
	_, err := e.accounts.CreateRegion(e.ctx, auth.System, auth.Region{ID: "spb", Name: "Санкт-Петербург", TimeZone: "Europe/Moscow"})
	must(e.t, err)
	w.director, err = e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleDirector, Email: "dir@console.test", Password: password, Name: "Сергей Волков", RegionID: "msk"})
	must(e.t, err)
	_, err = e.accounts.AssignRegion(e.ctx, auth.System, w.director.ID, "msk", true)
	must(e.t, err)
	_, err = e.accounts.AssignTerritory(e.ctx, auth.System, e.rep.ID, "south", true)
	must(e.t, err)
	w.quiet, err = e.dir.CreateDoctor(e.ctx, auth.System, "crm-2", []*probasev1.FieldChange{
		{Field: "full_name", Values: []string{"Борис Орлов"}}, {Field: "specialty", Values: []string{"dermatology"}},
		{Field: "phones", Values: []string{w.quietPhone}}, {Field: "territory_id", Values: []string{"south"}},
	})
	must(e.t, err)
	// 100 days on: both directory doctors are old, only the first is
	// touched again.
	e.clock.Advance(100 * 24 * time.Hour)
	w.month = e.clock.Now().In(time.Local).Format("2006-01")
	must(e.t, e.rejectAs(e.propose(e.doctor.Version, "position", "chief physician"), "no"))
	e.propose(e.doctor.Version, "phones", "+79160000001")
	for _, email := range []string{"new1@console.test", "new2@console.test", "new3@console.test"} {
		_, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: email, Password: password, Name: email, RegionID: "msk", Specialty: "dermatology"})
		must(e.t, err)
	}
	// States are read as of now: a moment after what was written.
	e.clock.Advance(time.Minute)
	return w
}

// director signs the director in (through the console's home, their
// first page being the reports).
func (e *env) director() (*client, page) {
	e.t.Helper()
	c := e.client()
	form := c.get("/console/signin")
	res := c.post("/console/signin", url.Values{"csrf": {form.csrf(e.t)}, "login": {"dir@console.test"}, "password": {password}})
	for res.status == http.StatusSeeOther {
		res = c.get(res.location)
	}
	if res.status != http.StatusOK || !strings.Contains(res.body, `id="report-form"`) {
		e.t.Fatalf("the director signing in: %d\n%s", res.status, res.body)
	}
	return c, res
}

// figureCells reads a figure's row: this period's value and the
// previous one's.
func figureCells(t *testing.T, p page, key string) (string, string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr id="figure-` + key + `">.*?<td class="num current">(-?\d+)</td><td class="num previous">(-?\d+)</td>`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no figure %s on the page:\n%s", key, p.body)
	}
	return m[1], m[2]
}

// TestReports: a director signs in to the reports alone, reads their
// region with the figures the test wrote beside the previous month's,
// charts drawn as SVG and the drill-down without contact details, a
// territory of it, and is refused another region; bad periods and an
// unknown region are explained on the page; the CSV, XLSX and PDF
// downloads are the exports of server/reports/export; the staff read any
// region from their navigation.
func TestReports(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		w := e.seedReports()
		c, home := e.director()
		checkPage(t, "the director's reports", home)
		if !strings.Contains(home.body, `href="/console/reports"`) || strings.Contains(home.body, `href="/console/edits"`) {
			t.Fatalf("the director's navigation:\n%s", home.body)
		}
		if p := c.get("/console/edits"); p.status != http.StatusForbidden {
			t.Fatalf("a director on the queue: %d", p.status)
		}
		p := c.get("/console/reports?scope=msk&kind=month&date=" + w.month + "-15")
		if p.status != http.StatusOK || !strings.Contains(p.body, "Период "+w.month) {
			t.Fatalf("the month: %d\n%s", p.status, p.body)
		}
		for key, want := range map[string][2]string{"new_doctors": {"3", "0"}, "proposed_edits": {"2", "0"}, "rejected_edits": {"1", "0"},
			"pending_edits": {"1", "0"}, "doctors": {"2", "2"}, "untouched_doctors": {"1", "2"}} {
			if cur, prev := figureCells(t, p, key); cur != want[0] || prev != want[1] {
				t.Errorf("%s: %s beside %s, want %s beside %s", key, cur, prev, want[0], want[1])
			}
		}
		if !strings.Contains(p.body, `<svg class="chart chart-bars"`) || !strings.Contains(p.body, `<svg class="chart chart-line"`) || !strings.Contains(p.body, "<rect class=\"bar\"") {
			t.Fatalf("no bar and line charts:\n%s", p.body)
		}
		drill := regexp.MustCompile(`(?s)<section class="card drill" id="list-untouched_doctors">.*?</section>`).FindString(p.body)
		if !strings.Contains(drill, "Борис Орлов") || !strings.Contains(drill, "Name of rep@console.test") || strings.Contains(drill, "Анна Петрова") {
			t.Fatalf("the untouched doctors:\n%s", drill)
		}
		if strings.Contains(p.body, w.quietPhone) || strings.Contains(p.body, "+79161234567") {
			t.Fatal("the director's page shows a doctor's phone")
		}
		north := c.get("/console/reports?scope=msk/north&kind=month&date=" + w.month + "-01")
		if cur, _ := figureCells(t, north, "doctors"); cur != "1" || !strings.Contains(north.body, "Moscow / north") {
			t.Fatalf("north has %s doctors:\n%s", cur, north.body)
		}

		if p := c.get("/console/reports?scope=spb"); p.status != http.StatusForbidden || !strings.Contains(p.body, `you do not follow region "spb"`) {
			t.Fatalf("a region the director does not follow: %d\n%s", p.status, p.body)
		}
		if p := c.get("/console/reports/export/csv?scope=spb"); p.status != http.StatusForbidden {
			t.Fatalf("exporting a region the director does not follow: %d", p.status)
		}
		for q, want := range map[string]string{
			"scope=msk&kind=range&from=2026-06-10&to=2026-06-01": "the period ends before it starts",
			"scope=msk&kind=range&from=2024-01-01&to=2026-06-01": "a report covers at most two years",
			"scope=msk&kind=month&date=June":                     `id="date-error"`,
			"scope=msk&kind=range&from=2026-06-01&to=":           `id="to-error"`,
			"scope=msk&kind=fortnight":                           "choose day, week, month, quarter or range",
			"scope=msk/east":                                     `no territory "east" in region "msk"`,
			"scope=nowhere":                                      `no region "nowhere"`,
		} {
			p := c.get("/console/reports?" + q)
			if (p.status != http.StatusUnprocessableEntity && p.status != http.StatusNotFound) || !strings.Contains(p.body, want) || strings.Contains(p.body, `id="figure-`) ||
				!strings.Contains(p.body, `id="report-form"`) {
				t.Fatalf("%s: %d, want %q on the page:\n%s", q, p.status, want, p.body)
			}
		}

		query := "?scope=msk&kind=month&date=" + w.month + "-01"
		csvFile := c.get("/console/reports/export/csv" + query)
		if csvFile.status != http.StatusOK || csvFile.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(csvFile.body, "msk,,"+w.month+",doctors,new_doctors,New doctors,3,0,") || !strings.Contains(csvFile.body, "Борис Орлов") ||
			strings.Contains(csvFile.body, w.quietPhone) {
			t.Fatalf("the CSV: %d %v\n%s", csvFile.status, csvFile.header, csvFile.body)
		}
		xlsx := c.get("/console/reports/export/xlsx" + query)
		if xlsx.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("the XLSX: %d %v", xlsx.status, xlsx.header)
		}
		book, err := excelize.OpenReader(strings.NewReader(xlsx.body))
		must(t, err)
		rows, err := book.GetRows(export.SheetFigures)
		must(t, err)
		var newDoctors []string
		for _, r := range rows {
			if len(r) > 7 && r[4] == "new_doctors" {
				newDoctors = r
			}
		}
		untouched, err := book.GetRows("untouched_doctors")
		must(t, err)
		if len(newDoctors) == 0 || newDoctors[6] != "3" || newDoctors[7] != "0" || len(untouched) != 2 || !slicesHas(untouched[1], "Борис Орлов") {
			t.Fatalf("the workbook: new doctors %v, untouched %v", newDoctors, untouched)
		}
		pdf := c.get("/console/reports/export/pdf" + query)
		if pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") ||
			!strings.Contains(pdf.header.Get("Content-Disposition"), `filename="report-msk-`+w.month+`.pdf"`) {
			t.Fatalf("the PDF: %d %v", pdf.status, pdf.header)
		}
		extract := exec.Command("pdftotext", "-layout", "-", "-")
		extract.Stdin = bytes.NewReader([]byte(pdf.body))
		text, err := extract.Output()
		must(t, err)
		if pages := strings.Count(strings.TrimRight(string(text), "\f\n"), "\f") + 1; pages != 1 || !strings.Contains(string(text), "Moscow") || !strings.Contains(string(text), "New doctors") {
			t.Fatalf("the PDF has %d pages:\n%s", pages, text)
		}
		if p := c.get("/console/reports/export/docx" + query); p.status != http.StatusNotFound {
			t.Fatalf("an unknown format: %d", p.status)
		}

		mod, queue := e.staff("mod@console.test")
		if !strings.Contains(queue.body, `href="/console/reports"`) {
			t.Fatal("the moderator's navigation lacks the reports")
		}
		if p := mod.get("/console/reports?scope=spb"); p.status != http.StatusOK || !strings.Contains(p.body, "Санкт-Петербург") {
			t.Fatalf("the moderator on spb: %d\n%s", p.status, p.body)
		}
		// A director who follows no region yet is told so.
		_, err = e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleDirector, Email: "new.dir@console.test", Password: password, Name: "New director", RegionID: "spb"})
		must(t, err)
		fresh := e.client()
		form := fresh.get("/console/signin")
		res := fresh.post("/console/signin", url.Values{"csrf": {form.csrf(t)}, "login": {"new.dir@console.test"}, "password": {password}})
		for res.status == http.StatusSeeOther {
			res = fresh.get(res.location)
		}
		if res.status != http.StatusOK || !strings.Contains(res.body, `id="no-regions"`) || strings.Contains(res.body, `id="figure-`) {
			t.Fatalf("a director of no region: %d\n%s", res.status, res.body)
		}
		if p := fresh.get("/console/reports?scope=spb"); p.status != http.StatusForbidden {
			t.Fatalf("a director of no region on spb: %d", p.status)
		}

		rep := e.client()
		if p := rep.signIn("rep@console.test"); p.status != http.StatusForbidden || !strings.Contains(p.body, "для сотрудников") {
			t.Fatalf("a rep signing in: %d\n%s", p.status, p.body)
		}
	})
}

func slicesHas(row []string, s string) bool {
	for _, c := range row {
		if c == s {
			return true
		}
	}
	return false
}
