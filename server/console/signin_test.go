package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/console"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// sessionCookie is the console's Set-Cookie of an answer, nil if none.
func sessionCookie(p page) *http.Cookie {
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "ordinator_console" {
			return c
		}
	}
	return nil
}

// TestSignIn: staff sign in with their platform password and get a
// console-only, HttpOnly, Lax cookie; doctors and reps get the "for staff"
// page and no session at all; failures are counted with the API's.
func TestSignIn(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		c := e.client()
		form := c.get("/console/signin?next=/console/edits")
		if form.status != http.StatusOK || !strings.Contains(form.body, `lang="ru"`) || !strings.Contains(form.body, "Вход") {
			t.Fatalf("sign-in form: %d\n%s", form.status, form.body)
		}
		res := c.post("/console/signin", url.Values{"csrf": {form.csrf(t)}, "login": {"mod@console.test"}, "password": {password}, "next": {"/console/edits?status=all"}})
		ck := sessionCookie(res)
		if res.status != http.StatusSeeOther || res.location != "/console/edits?status=all" || ck == nil {
			t.Fatalf("staff sign-in: %d %q %v", res.status, res.location, ck)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/console/" || ck.Secure || len(ck.Value) < 40 {
			t.Fatalf("session cookie %+v", ck)
		}
		if p := c.get(res.location); p.status != http.StatusOK || !strings.Contains(p.body, "Name of mod@console.test") {
			t.Fatalf("after sign-in: %d\n%s", p.status, p.body)
		}

		for _, u := range []auth.User{e.doctorUser, e.rep} {
			login := u.Email
			c := e.client()
			form := c.get("/console/signin")
			res := c.post("/console/signin", url.Values{"csrf": {form.csrf(t)}, "login": {login}, "password": {password}})
			if res.status != http.StatusForbidden || !strings.Contains(res.body, "Эта консоль — для сотрудников") || sessionCookie(res) != nil {
				t.Fatalf("%s signing in: %d\n%s", login, res.status, res.body)
			}
			if ds, err := e.accounts.ListDevices(e.ctx, u.ID); err != nil || len(ds) != 0 {
				t.Fatalf("%s got a session: %v (%v)", login, ds, err)
			}
			if p := c.get("/console/edits"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/console/signin") {
				t.Fatalf("%s opening the queue: %d %s", login, p.status, p.location)
			}
		}

		// A wrong password says so; a form without its token is refused
		// before the password is even checked.
		c = e.client()
		res = c.post("/console/signin", url.Values{"csrf": {c.get("/console/signin").csrf(t)}, "login": {"admin@console.test"}, "password": {"wrong"}})
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "Неверный логин или пароль.") || sessionCookie(res) != nil {
			t.Fatalf("a wrong password: %d\n%s", res.status, res.body)
		}
		fresh := e.client()
		res = fresh.post("/console/signin", url.Values{"csrf": {"made-up"}, "login": {"admin@console.test"}, "password": {password}})
		if res.status != http.StatusForbidden || sessionCookie(res) != nil || !strings.Contains(res.body, "Форма входа устарела") {
			t.Fatalf("a sign-in without the form's token: %d\n%s", res.status, res.body)
		}
		// After sign-in, only a console path is followed.
		res = fresh.post("/console/signin", url.Values{"csrf": {fresh.get("/console/signin").csrf(t)}, "login": {"admin@console.test"}, "password": {password}, "next": {"//evil.example/console/"}})
		if res.status != http.StatusSeeOther || res.location != "/console/" {
			t.Fatalf("an outside next: %d %q", res.status, res.location)
		}
	})
}

// TestSignInRateLimit: failed console sign-ins count with the API's, since
// both are auth.Service.Login.
func TestSignInRateLimit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		c := e.client()
		for i := range 5 {
			res := c.post("/console/signin", url.Values{"csrf": {c.get("/console/signin").csrf(t)}, "login": {"mod@console.test"}, "password": {"wrong"}})
			if res.status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i, res.status)
			}
		}
		_, err := e.accounts.Login(e.ctx, auth.LoginInput{Login: "mod@console.test", Password: password})
		if syncengine.ErrorCode(err) != syncengine.ERATELIMIT {
			t.Fatalf("the API's login after five failed console sign-ins: %v", err)
		}
		res := c.post("/console/signin", url.Values{"csrf": {c.get("/console/signin").csrf(t)}, "login": {"mod@console.test"}, "password": {password}})
		if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "try again in") {
			t.Fatalf("the console's sign-in while blocked: %d\n%s", res.status, res.body)
		}
	})
}

// TestSecureCookie: behind an https public URL the cookie is Secure.
func TestSecureCookie(t *testing.T) {
	e := newEnv(t, syncengine.SQLite, func(c *console.Config) { c.SecureCookies = true })
	c := e.client()
	res := c.post("/console/signin", url.Values{"csrf": {c.get("/console/signin").csrf(t)}, "login": {"mod@console.test"}, "password": {password}})
	if ck := sessionCookie(res); ck == nil || !ck.Secure || !ck.HttpOnly {
		t.Fatalf("cookie %+v", ck)
	}
}

// TestSessionEnds: a session ends after the idle timeout, after its
// lifetime however busy, at sign-out, and when its device session is
// revoked elsewhere; a kept copy of the cookie is then worthless.
func TestSessionEnds(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		signedOut := func(c *client, why string) {
			t.Helper()
			p := c.get("/console/edits")
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/console/signin?next=") || !strings.Contains(p.location, why) {
				t.Fatalf("want a sign-in redirect (%s), got %d %q", why, p.status, p.location)
			}
		}
		consoleDevice := func(u auth.User) auth.Device {
			t.Helper()
			ds, err := e.accounts.ListDevices(e.ctx, u.ID)
			must(t, err)
			if len(ds) == 0 || ds[0].Platform != "web" {
				t.Fatalf("console sessions of %s: %+v", u.Email, ds)
			}
			return ds[0]
		}

		idle, _ := e.staff("mod@console.test")
		e.clock.Advance(29 * time.Minute)
		if p := idle.get("/console/edits"); p.status != http.StatusOK {
			t.Fatalf("after 29 minutes: %d", p.status)
		}
		e.clock.Advance(29 * time.Minute) // 58 since sign-in, 29 since last use
		if p := idle.get("/console/edits"); p.status != http.StatusOK {
			t.Fatalf("29 minutes after the last use: %d", p.status)
		}
		e.clock.Advance(31 * time.Minute)
		signedOut(idle, "expired=1")
		if d := consoleDevice(e.moderator); !d.Revoked {
			t.Fatal("the expired session's device session is still valid")
		}

		busy, _ := e.staff("admin@console.test")
		for range 36 { // 12 hours in 20-minute steps
			e.clock.Advance(20 * time.Minute)
			busy.get("/console/edits")
		}
		e.clock.Advance(20 * time.Minute)
		signedOut(busy, "expired=1")

		c, queue := e.staff("mod@console.test")
		kept := c.http.Jar.Cookies(mustURL(e.url + "/console/"))
		res := c.post("/console/signout", url.Values{"csrf": {queue.csrf(t)}})
		if res.status != http.StatusSeeOther || !strings.Contains(res.location, "signedout=1") {
			t.Fatalf("sign-out: %d %q", res.status, res.location)
		}
		if d := consoleDevice(e.moderator); !d.Revoked {
			t.Fatal("signing out left the device session valid")
		}
		replay := e.client()
		replay.http.Jar.SetCookies(mustURL(e.url+"/console/"), kept)
		signedOut(replay, "next=")
		id := e.propose(e.doctor.Version, "position", "chief physician")
		res = replay.post("/console/edits/"+id+"/reject", url.Values{"csrf": {queue.csrf(t)}, "version": {"1"}, "reason": {"replayed"}})
		if res.status != http.StatusForbidden || e.pending(id) != true {
			t.Fatalf("a decision with a signed-out cookie: %d\n%s", res.status, res.body)
		}

		revoked, _ := e.staff("admin@console.test")
		must(t, e.accounts.RevokeDevice(e.ctx, e.admin.ID, consoleDevice(e.admin).ID))
		signedOut(revoked, "next=")
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// pending reports whether an edit request still waits for a decision.
func (e *env) pending(id string) bool {
	e.t.Helper()
	rv, err := e.dir.GetEditRequest(e.ctx, auth.System, id)
	must(e.t, err)
	return rv.Request.Status.String() == "EDIT_STATUS_PENDING"
}
