package console_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestPeople: an admin lists accounts by role and region, creates a rep
// (a refused form names the field and never echoes the password), gives
// the rep a territory, revokes a device, disables and enables the account
// and resets its password; moderators have no People page.
func TestPeople(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		admin, landing := e.staff("admin@console.test")
		csrf := landing.csrf(t)
		list := admin.get("/console/people?role=rep&region=msk")
		checkPage(t, "/console/people", list)
		if list.status != http.StatusOK || !strings.Contains(list.body, `id="person-`+e.rep.ID+`"`) || strings.Contains(list.body, `id="person-`+e.admin.ID+`"`) {
			t.Fatalf("reps of msk: %d\n%s", list.status, list.body)
		}
		if p := admin.get("/console/people?role=astronaut"); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("an unknown role: %d", p.status)
		}
		mod, _ := e.staff("mod@console.test")
		if p := mod.get("/console/people"); p.status != http.StatusForbidden {
			t.Fatalf("a moderator on People: %d", p.status)
		}

		form := url.Values{"csrf": {csrf}, "role": {"rep"}, "display_name": {"Анна Белова"}, "email": {"anna@console.test"}, "region_id": {"msk"}, "password": {"short pw"}}
		refused := admin.post("/console/people", form)
		if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, `id="password-error"`) || strings.Contains(refused.body, "short pw") ||
			!strings.Contains(refused.body, `value="Анна Белова"`) {
			t.Fatalf("a short password: %d\n%s", refused.status, refused.body)
		}
		form.Set("password", "a long enough password")
		created := admin.post("/console/people", form)
		m := regexp.MustCompile(`^/console/people/([0-9a-f-]{36})\?done=created$`).FindStringSubmatch(created.location)
		if created.status != http.StatusSeeOther || m == nil {
			t.Fatalf("create: %d %q", created.status, created.location)
		}
		id, personPath := m[1], "/console/people/"+m[1]
		p := admin.get(personPath + "?done=created")
		checkPage(t, personPath, p)
		if !strings.Contains(p.body, `id="done"`) || !strings.Contains(p.body, `<option value="north">`) {
			t.Fatalf("the new rep's page:\n%s", p.body)
		}
		if r := admin.post(personPath+"/territories", url.Values{"csrf": {csrf}, "territory_id": {"north"}, "assigned": {"true"}}); r.status != http.StatusSeeOther {
			t.Fatalf("give north: %d %s", r.status, r.body)
		}
		var ts []string
		must(t, e.store.View(e.ctx, func(q syncengine.Querier) (err error) {
			ts, err = auth.RepTerritories(e.ctx, q, id)
			return err
		}))
		if len(ts) != 1 || ts[0] != "north" {
			t.Fatalf("territories after giving north: %v", ts)
		}

		sess, err := e.accounts.Login(e.ctx, auth.LoginInput{Login: "anna@console.test", Password: "a long enough password", Device: "Galaxy Tab"})
		must(t, err)
		p = admin.get(personPath)
		if !strings.Contains(p.body, `id="revoke-`+sess.DeviceID+`"`) || !strings.Contains(p.body, "Galaxy Tab") {
			t.Fatalf("the rep's devices:\n%s", p.body)
		}
		if r := admin.post(personPath+"/devices/not-hers/revoke", url.Values{"csrf": {csrf}}); r.status != http.StatusNotFound {
			t.Fatalf("revoking a device not hers: %d", r.status)
		}
		if r := admin.post(personPath+"/devices/"+sess.DeviceID+"/revoke", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		var revoked *auth.RevokedError
		if _, err := e.accounts.CheckSession(e.ctx, id, sess.DeviceID); !errors.As(err, &revoked) {
			t.Fatalf("the revoked device's session: %v", err)
		}

		if r := admin.post(personPath+"/status", url.Values{"csrf": {csrf}, "disabled": {"true"}}); r.status != http.StatusSeeOther {
			t.Fatalf("disable: %d %s", r.status, r.body)
		}
		if _, err := e.accounts.Login(e.ctx, auth.LoginInput{Login: "anna@console.test", Password: "a long enough password"}); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("signing in disabled: %v", err)
		}
		if p := admin.get(personPath); !strings.Contains(p.body, `id="enable"`) {
			t.Fatalf("a disabled account's page:\n%s", p.body)
		}
		admin.post(personPath+"/status", url.Values{"csrf": {csrf}, "disabled": {"false"}})
		if r := admin.post(personPath+"/password", url.Values{"csrf": {csrf}, "password": {"tiny"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="password-error"`) {
			t.Fatalf("a short new password: %d", r.status)
		}
		if r := admin.post(personPath+"/password", url.Values{"csrf": {csrf}, "password": {"another long password"}}); r.location != personPath+"?done=password" {
			t.Fatalf("reset: %d %q", r.status, r.location)
		}
		if _, err := e.accounts.Login(e.ctx, auth.LoginInput{Login: "anna@console.test", Password: "another long password"}); err != nil {
			t.Fatalf("the new password: %v", err)
		}
		// An admin cannot disable themselves, and is not offered to.
		self := admin.get("/console/people/" + e.admin.ID)
		if strings.Contains(self.body, `id="disable"`) {
			t.Fatal("an admin is offered to disable their own account")
		}
		if r := admin.post("/console/people/"+e.admin.ID+"/status", url.Values{"csrf": {csrf}, "disabled": {"true"}}); r.status != http.StatusUnprocessableEntity && r.status != http.StatusConflict && r.status != http.StatusPreconditionFailed {
			t.Fatalf("disabling oneself: %d", r.status)
		}
	})
}
