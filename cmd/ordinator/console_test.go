package main

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkdoctors "github.com/ordinatorhq/ordinator/mobile-sdk/doctors"
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/console/consoletest"
)

// consoleModes are the deployments the browser tests run on.
var consoleModes = []struct {
	name string
	opts platformOptions
}{
	{"postgres+minio", platformOptions{Postgres: true, MinIO: true}},
	{"embedded", platformOptions{}},
}

// consoleDesk is a platform with a doctor in territory north, staff with
// real names, and reps whose tablets hold the doctor.
type consoleDesk struct {
	*platform
	doctor *probasev1.Doctor
}

func startConsoleDesk(t *testing.T, o platformOptions) *consoleDesk {
	t.Helper()
	ctx := context.Background()
	d := &consoleDesk{platform: startPlatform(t, o)}
	for _, c := range []*probasev1.Clinic{
		{Id: "derma-1", Name: "Клиника «Дерма»", City: "Москва", Address: "ул. Тверская, 1", TerritoryId: "north"},
		{Id: "derma-2", Name: "Центр эстетики", City: "Москва", Address: "пр. Мира, 20", TerritoryId: "north"},
	} {
		if _, err := d.App.directory.CreateClinic(ctx, auth.System, c); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := d.App.directory.CreateDoctor(ctx, auth.System, "crm-7", []*probasev1.FieldChange{
		{Field: "full_name", Values: []string{"Анна Петрова"}}, {Field: "specialty", Values: []string{"dermatology"}},
		{Field: "clinic_id", Values: []string{"derma-1"}}, {Field: "position", Values: []string{"врач-дерматолог"}},
		{Field: "phones", Values: []string{"+79161234567"}}, {Field: "territory_id", Values: []string{"north"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d.doctor = doc
	for _, s := range []struct {
		role        auth.Role
		email, name string
	}{
		{auth.RoleModerator, "olga@console.test", "Ольга Смирнова"},
		{auth.RoleModerator, "pavel@console.test", "Павел Кузнецов"},
		{auth.RoleRep, "anna.rep@console.test", "Анна Белова"},
		{auth.RoleRep, "igor.rep@console.test", "Игорь Соколов"},
		{auth.RoleDoctor, "maria@console.test", "Мария Иванова"},
	} {
		region := "msk"
		if s.role == auth.RoleModerator {
			region = ""
		}
		u, err := d.Accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: s.role, Email: s.email, Password: platformPassword, Name: s.name, RegionID: region, Specialty: "dermatology"})
		if err != nil {
			t.Fatal(err)
		}
		if s.role == auth.RoleRep {
			if _, err := d.Accounts.AssignTerritory(ctx, auth.System, u.ID, "north", true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return d
}

// signIn signs a tab in through the console's form.
func (d *consoleDesk) signIn(t *testing.T, tab *consoletest.Tab, login string) {
	t.Helper()
	tab.Do(chromedp.Navigate(d.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#login")))
	tab.Do(chromedp.SendKeys(chromedp.CSS("#login"), login), chromedp.SendKeys(chromedp.CSS("#password"), platformPassword),
		chromedp.Click(chromedp.CSS("#signin")))
}

// TestConsoleModeration: two reps edit the same doctor offline; a
// moderator signs in to the console, approves the first edit, resolves the
// second's conflicting phone by keeping the current value and takes its
// position; the second rep's tablet then holds exactly that. One test from
// the browser through the server to a device.
func TestConsoleModeration(t *testing.T) {
	for _, mode := range consoleModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			d := startConsoleDesk(t, mode.opts)
			anna, igor := d.Device("anna.rep@console.test", directorySchema()), d.Device("igor.rep@console.test", directorySchema())
			for _, r := range []*sdk.Replica{anna, igor} {
				syncDevice(t, r)
				r.SetConnectivity(sdk.Offline)
			}
			first, err := sdkdoctors.ProposeEdit(ctx, anna, d.doctor.Id, fields.Values{"phones": {"+79160000001"}}, "новый номер")
			if err != nil {
				t.Fatal(err)
			}
			second, err := sdkdoctors.ProposeEdit(ctx, igor, d.doctor.Id, fields.Values{"phones": {"+79160000002"}, "position": {"заведующая отделением"}}, "повысили")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []*sdk.Replica{anna, igor} {
				r.SetConnectivity(sdk.Online)
				syncDevice(t, r)
			}

			b := consoletest.New(t)
			olga := b.Tab("olga")
			d.signIn(t, olga, "olga@console.test")
			olga.WaitText("#summary", "Подходят 2 заявки")
			olga.FitsWidths()
			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/edits/` + first + `"]`)))
			olga.WaitText("#status", "Ожидают")
			olga.Do(chromedp.Click(chromedp.CSS("#approve-button")))
			olga.WaitText("#status", "Одобрены")

			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/edits"]`)))
			olga.WaitText("#summary", "Подходит 1 заявка")
			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/edits/` + second + `"]`)))
			olga.Wait(`document.querySelector("#field-phones.conflict") !== null`)
			olga.FitsWidths()
			// Approving without resolving the conflict is refused, next to
			// the field.
			olga.Do(chromedp.Click(chromedp.CSS("#approve-button")))
			olga.WaitText("#banner", "выберите, что оставить")
			olga.WaitText("#field-phones .field-error", "choose which to keep")
			olga.Do(chromedp.Click(chromedp.CSS(`input[name="choice.phones"][value="current"]`)), chromedp.Click(chromedp.CSS("#approve-button")))
			olga.WaitText("#status", "Одобрены")

			syncDevice(t, igor)
			doc := deviceDoctor(t, igor, d.doctor.Id)
			if !slices.Equal(doc.Phones, []string{"+79160000001"}) || doc.Position != "заведующая отделением" {
				t.Fatalf("the rep's tablet holds %v / %q after the console's decision", doc.Phones, doc.Position)
			}
			if req, pending := deviceRequest(t, igor, second); pending || req.Status != probasev1.EditStatus_EDIT_STATUS_APPROVED || req.DecidedBy == "" {
				t.Fatalf("the rep's tablet shows the request as %v (pending %v)", req.Status, pending)
			}

			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/doctors/` + d.doctor.Id + `/history"]`)))
			olga.WaitText("main", "Правка одобрена")
			olga.WaitText("main", "Игорь Соколов")
			olga.FitsWidths()
			// The language follows the account, and switches.
			olga.Do(chromedp.Click(chromedp.CSS(`button[name="lang"][value="en"]`)))
			olga.WaitText("h1", "History of Анна Петрова")
		})
	}
}

// TestConsoleSecurity, in a real browser: a doctor gets the staff-only page
// and no session; the cookie is HttpOnly; the CSP comes with every page and
// htmx works under it; a form without the session's token changes nothing;
// of two moderators on one request the second is refused; a signed-out
// cookie put back is worthless.
func TestConsoleSecurity(t *testing.T) {
	for _, mode := range consoleModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			d := startConsoleDesk(t, mode.opts)
			tablet := d.Device("anna.rep@console.test", directorySchema())
			syncDevice(t, tablet)
			one, err := sdkdoctors.ProposeEdit(ctx, tablet, d.doctor.Id, fields.Values{"position": {"заведующая"}}, "")
			if err != nil {
				t.Fatal(err)
			}
			two, err := sdkdoctors.ProposeEdit(ctx, tablet, d.doctor.Id, fields.Values{"clinic_id": {"derma-2"}}, "")
			if err != nil {
				t.Fatal(err)
			}
			syncDevice(t, tablet)
			b := consoletest.New(t)

			maria := b.Tab("doctor")
			d.signIn(t, maria, "maria@console.test")
			// Signed out, the page speaks the browser's language.
			maria.WaitText("h1", "This console is for staff")
			for _, c := range maria.Cookies(d.URL + "/console/") {
				if c.Name == "ordinator_console" {
					t.Fatalf("the doctor got a console session: %+v", c)
				}
			}

			olga, pavel := b.Tab("olga"), b.Tab("pavel")
			d.signIn(t, olga, "olga@console.test")
			olga.WaitText("#summary", "Подходят 2 заявки")
			res := consoletest.Get(olga, chromedp.NavigateResponse(d.URL+"/console/edits"))
			if csp, _ := res.Headers["Content-Security-Policy"].(string); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
				t.Fatalf("CSP %q", csp)
			}
			olga.Wait(`typeof htmx === "object" && document.querySelectorAll("script:not([src])").length === 0`)
			// htmx applies a filter in place and puts it in the address.
			olga.Do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#f-status"); s.value = "all"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
			olga.Wait(`location.search.includes("status=all")`)
			olga.WaitText("#f-status", "Все (2)")

			var session *http.Cookie
			for _, c := range olga.Cookies(d.URL + "/console/") {
				if c.Name == "ordinator_console" {
					if !c.HTTPOnly || c.SameSite != "Lax" {
						t.Fatalf("session cookie %+v", c)
					}
					session = &http.Cookie{Name: c.Name, Value: c.Value}
				}
			}
			if session == nil {
				t.Fatal("no session cookie")
			}
			// A form posted from elsewhere with the session's cookie but
			// not its token is refused.
			forged := func(path string, form url.Values) int {
				t.Helper()
				req, _ := http.NewRequest(http.MethodPost, d.URL+path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(session)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			for _, token := range []string{"", "wrong"} {
				if code := forged("/console/edits/"+one+"/approve", url.Values{"csrf": {token}, "version": {"1"}}); code != http.StatusForbidden {
					t.Fatalf("a forged approval (token %q): %d", token, code)
				}
			}
			if doc, err := d.App.directory.FindDoctor(ctx, auth.System, d.doctor.Id); err != nil || doc.Position != "врач-дерматолог" {
				t.Fatalf("a forged approval changed the doctor: %v (%v)", doc, err)
			}

			// Both moderators open both requests; Olga decides first.
			d.signIn(t, pavel, "pavel@console.test")
			pavel.WaitText("#summary", "Подходят 2 заявки")
			for _, tab := range []*consoletest.Tab{olga, pavel} {
				tab.Do(chromedp.Navigate(d.URL + "/console/edits/" + one))
				tab.WaitText("#status", "Ожидают")
			}
			olga.Do(chromedp.Click(chromedp.CSS("#approve-button")))
			olga.WaitText("#status", "Одобрены")
			pavel.Do(chromedp.SendKeys(chromedp.CSS("#reason"), "не подтверждено"), chromedp.Click(chromedp.CSS("#reject-button")))
			pavel.WaitText("#banner", "уже приняли решение")
			pavel.WaitText("#status", "Одобрены")

			// Pavel opens the other request; while it is open, Olga changes
			// the doctor through a third one.
			pavel.Do(chromedp.Navigate(d.URL + "/console/edits/" + two))
			pavel.WaitText("#status", "Ожидают")
			three, err := sdkdoctors.ProposeEdit(ctx, tablet, d.doctor.Id, fields.Values{"phones": {"+79160000003"}}, "")
			if err != nil {
				t.Fatal(err)
			}
			syncDevice(t, tablet)
			olga.Do(chromedp.Navigate(d.URL + "/console/edits/" + three))
			olga.WaitText("#status", "Ожидают")
			olga.Do(chromedp.Click(chromedp.CSS("#approve-button")))
			olga.WaitText("#status", "Одобрены")
			pavel.Do(chromedp.Click(chromedp.CSS("#approve-button")))
			pavel.WaitText("#banner", "Данные врача изменились")
			pavel.Wait(`location.pathname === "/console/edits/` + two + `"`)
			if doc, _ := d.App.directory.FindDoctor(ctx, auth.System, d.doctor.Id); doc.ClinicId != "derma-1" {
				t.Fatalf("a decision on a stale page was applied: %v", doc)
			}
			pavel.WaitText("#status", "Ожидают")

			// Signed out, the old cookie opens nothing.
			olga.Do(chromedp.Click(chromedp.CSS("#signout")))
			olga.WaitText("main", "Вы вышли из консоли.")
			olga.SetCookie(&network.Cookie{Name: session.Name, Value: session.Value, Path: "/console/", HTTPOnly: true, SameSite: network.CookieSameSiteLax}, d.URL+"/console/")
			olga.Do(chromedp.Navigate(d.URL + "/console/edits"))
			olga.Wait(`location.pathname === "/console/signin" && document.querySelector("#login") !== null`)
			if code := forged("/console/edits/"+two+"/approve", url.Values{"version": {"3"}}); code != http.StatusForbidden {
				t.Fatalf("the signed-out cookie with a form: %d", code)
			}
		})
	}
}

// TestConsoleDemo: `ordinator serve --demo` prints where the console is
// and who may sign in; the demo moderator finds the reps' edits waiting,
// approves one, resolves the conflict it causes in another with a value of
// their own, reads the doctor's history, and opens the sync inspector for a
// rep whose tablet has just synced; the demo director reads the region's
// report. Its pages are the README's
// pictures (ORDINATOR_CONSOLE_SCREENSHOTS=docs/console).
func TestConsoleDemo(t *testing.T) {
	url := serveDemo(t)
	b := consoletest.New(t)
	mod := b.Tab("moderator")
	mod.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#login")))
	mod.Shot("signin")
	mod.Do(chromedp.SendKeys(chromedp.CSS("#login"), "moderator@demo.ordinator"), chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#signin")))
	mod.WaitText("#summary", "Подходят 4 заявки")
	mod.Shot("queue")
	mod.Do(chromedp.Click(chromedp.CSS("tbody tr:first-child a.request-link")))
	mod.WaitText("h1", "Павел Орлов")
	mod.Do(chromedp.Click(chromedp.CSS("#approve-button")))
	mod.WaitText("#status", "Одобрены")
	mod.Do(chromedp.Click(chromedp.CSS(`a[href="/console/edits"]`)))
	mod.WaitText("#summary", "Подходят 3 заявки")
	mod.Do(chromedp.Click(chromedp.CSS("tbody tr:last-child a.request-link")))
	mod.Wait(`document.querySelector("#field-phones.conflict") !== null`)
	mod.Do(chromedp.Click(chromedp.CSS(`input[name="choice.phones"][value="custom"]`)))
	mod.Shot("request")
	mod.Do(chromedp.SetValue(chromedp.CSS(`textarea[name="custom.phones"]`), "+79161112233\n+79164445566"), chromedp.Click(chromedp.CSS("#approve-button")))
	mod.WaitText("#status", "Одобрены")
	mod.Do(chromedp.Click(chromedp.CSS(`a[href$="/history"]`)))
	mod.WaitText("main", "+79161112233, +79164445566")
	mod.Shot("history")

	// Support's view of a rep whose tablet has just synced.
	tablet := t.TempDir()
	mustDevice(t, "login", "--server", strings.TrimSuffix(url, "/console/"), "--login", "rep.north@demo.ordinator", "--password", demoPassword, "--dir", tablet)
	mustDevice(t, "sync", "--dir", tablet)
	mod.Do(chromedp.Click(chromedp.CSS(`nav a[href="/console/sync"]`)), chromedp.WaitVisible(chromedp.CSS("#account")))
	mod.Wait(`document.readyState === "complete"`)
	mod.Do(chromedp.SendKeys(chromedp.CSS("#account"), "rep.north@demo.ordinator"), chromedp.Click(chromedp.CSS("#inspect")))
	mod.WaitText(`tr[data-bucket="territory:demo-north"] .reason`, "территория")
	mod.Wait(`document.querySelectorAll("#clients tbody tr").length > 0`)
	mod.Shot("sync")

	maria := b.Tab("doctor")
	maria.Do(chromedp.Navigate(url+"signin?lang=ru"), chromedp.WaitVisible(chromedp.CSS("#login")))
	maria.Do(chromedp.SendKeys(chromedp.CSS("#login"), "doctor@demo.ordinator"), chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#signin")))
	maria.WaitText("h1", "Эта консоль — для сотрудников")
	maria.Shot("staff-only")

	director := b.Tab("director")
	director.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#login")))
	director.Do(chromedp.SendKeys(chromedp.CSS("#login"), "director@demo.ordinator"), chromedp.SendKeys(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS("#signin")))
	director.WaitText("h1", "Отчёты: Москва (демо)")
	director.WaitText("#figure-doctors td.current", "5")
	director.WaitText("#figure-proposed_edits td.current", "4")
	director.Shot("reports")
}

var consoleLine = regexp.MustCompile(`^Web console: (http://\S+/console/) \(sign in as admin@demo\.ordinator or moderator@demo\.ordinator, the reports as director@demo\.ordinator, password ordinator-demo\)$`)

// serveDemo runs `ordinator serve --demo` until the test ends and returns
// the console URL it prints.
func serveDemo(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--demo", "--addr", "127.0.0.1:0", "--metrics-addr", "")
	cmd.Dir = t.TempDir()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if m := consoleLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		found <- "no console line in:\n" + strings.Join(lines, "\n")
	}()
	select {
	case u := <-found:
		if !strings.HasPrefix(u, "http://") {
			t.Fatal(u)
		}
		return u
	case <-time.After(60 * time.Second):
		t.Fatal("serve --demo printed no console URL")
	}
	return ""
}
