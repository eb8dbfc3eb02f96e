package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestSyncInspector: a rep's tablet signs in, syncs and has an edit
// refused; a moderator looks the rep up by e-mail and sees the territory
// bucket with the count and checksum the tablet holds, why the rep reads
// it, the tablet with its last pull, last push and schema, and the refused
// edit with its code and reason. An unknown account gets a not-found page,
// the lookup form needs its CSRF token, someone signed out is sent to sign
// in, an admin reaches the inspector from the person's page, and a
// disabled account reads nothing.
func TestSyncInspector(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		sess, err := e.accounts.Login(e.ctx, auth.LoginInput{Login: "rep@console.test", Password: password, Device: "Galaxy Tab"})
		must(t, err)
		tablet := servertest.NewDevice(t, servertest.DeviceConfig{Engine: e.engine, Principal: auth.Principal(e.rep, sess.DeviceID), Schema: 7})
		tablet.Sync()
		refused := tablet.Do("doctor.propose_edit", &probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: e.doctor.Id, BaseVersion: e.doctor.Version,
			Changes: []*probasev1.FieldChange{{Field: "phones", Values: []string{"8 916 123"}}}})
		if refused.Status != syncengine.StatusRejected {
			t.Fatalf("a malformed phone: %+v", refused)
		}
		north := auth.TerritoryBucket("north")
		held := tablet.Replica.Checksum(north)
		if held.Count == 0 {
			t.Fatal("the tablet holds nothing of its territory")
		}

		mod, landing := e.staff("mod@console.test")
		lookup := mod.get("/console/sync")
		checkPage(t, "/console/sync", lookup)
		if lookup.status != http.StatusOK || !strings.Contains(lookup.body, `id="sync-lookup"`) || !strings.Contains(lookup.body, `href="/console/sync" aria-current="page"`) {
			t.Fatalf("the lookup page: %d\n%s", lookup.status, lookup.body)
		}
		csrf := landing.csrf(t)
		found := mod.post("/console/sync", url.Values{"csrf": {csrf}, "account": {" REP@console.test "}})
		inspector := "/console/people/" + e.rep.ID + "/sync"
		if found.status != http.StatusSeeOther || found.location != inspector {
			t.Fatalf("looking the rep up: %d %q\n%s", found.status, found.location, found.body)
		}
		if byID := mod.post("/console/sync", url.Values{"csrf": {csrf}, "account": {e.rep.ID}}); byID.location != inspector {
			t.Fatalf("looking the rep up by id: %d %q", byID.status, byID.location)
		}
		p := mod.get(inspector)
		checkPage(t, inspector, p)
		if p.status != http.StatusOK {
			t.Fatalf("the inspector: %d\n%s", p.status, p.body)
		}
		row := rowOf(t, p.body, `data-bucket="`+string(north)+`"`)
		for _, want := range []string{"территория представителя", fmt.Sprintf(`<td class="count">%d</td>`, held.Count), fmt.Sprintf("%016x", held.Sum)} {
			if !strings.Contains(row, want) {
				t.Fatalf("the territory's row lacks %q:\n%s", want, row)
			}
		}
		if !strings.Contains(p.body, `data-bucket="`+string(syncengine.UserBucket(e.rep.ID))+`"`) || !strings.Contains(p.body, `data-bucket="`+string(auth.GlobalBucket)+`"`) {
			t.Fatalf("the rep's own and the global bucket are missing:\n%s", p.body)
		}
		client := rowOf(t, p.body, `data-client="`+tablet.ClientID+`"`)
		if !strings.Contains(client, "Galaxy Tab") || !strings.Contains(client, `<td class="schema">7</td>`) || strings.Contains(client, "ни разу") ||
			!regexp.MustCompile(`class="last-pull nowrap">\d\d\.\d\d\.\d{4} \d\d:\d\d<`).MatchString(client) {
			t.Fatalf("the tablet's row:\n%s", client)
		}
		rejections := section(t, p.body, "rejections")
		if !strings.Contains(rejections, "doctor.propose_edit") || !strings.Contains(rejections, syncengine.EINVALID) || !strings.Contains(rejections, "phones: ") {
			t.Fatalf("the refused edit:\n%s", rejections)
		}
		if strings.Contains(p.body, `href="/console/people/`+e.rep.ID+`"`) {
			t.Fatal("a moderator is offered the admins' People page")
		}

		for _, bad := range []struct {
			account string
			status  int
			marker  string
		}{{"nobody@console.test", http.StatusNotFound, `id="not-found"`}, {"no-such-id", http.StatusNotFound, `id="not-found"`}, {"  ", http.StatusUnprocessableEntity, `id="account-error"`}} {
			r := mod.post("/console/sync", url.Values{"csrf": {csrf}, "account": {bad.account}})
			checkPage(t, "a bad lookup", r)
			if r.status != bad.status || !strings.Contains(r.body, bad.marker) {
				t.Fatalf("looking up %q: %d\n%s", bad.account, r.status, r.body)
			}
		}
		if r := mod.get("/console/people/no-such-account/sync"); r.status != http.StatusNotFound || !strings.Contains(r.body, `id="not-found"`) || !strings.Contains(r.body, "no-such-account") {
			t.Fatalf("an unknown account's inspector: %d\n%s", r.status, r.body)
		}
		if r := mod.post("/console/sync", url.Values{"account": {"rep@console.test"}}); r.status != http.StatusForbidden {
			t.Fatalf("a lookup without the CSRF token: %d", r.status)
		}
		anon := e.client()
		if r := anon.get(inspector); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/console/signin?next=") {
			t.Fatalf("signed out: %d %q", r.status, r.location)
		}
		doctor := e.client()
		doctor.post("/console/signin", url.Values{"csrf": {doctor.get("/console/signin").csrf(t)}, "login": {"doctor@console.test"}, "password": {password}})
		if r := doctor.get(inspector); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/console/signin") {
			t.Fatalf("a doctor: %d %q", r.status, r.location)
		}

		admin, _ := e.staff("admin@console.test")
		person := admin.get("/console/people/" + e.rep.ID)
		if !strings.Contains(person.body, `href="`+inspector+`" id="sync-link"`) {
			t.Fatalf("the person's page has no inspector link:\n%s", person.body)
		}
		_, err = e.accounts.SetUserDisabled(e.ctx, auth.System, e.rep.ID, true)
		must(t, err)
		p = admin.get(inspector)
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="disabled"`) || strings.Contains(p.body, "data-bucket=") ||
			!strings.Contains(p.body, `data-client="`+tablet.ClientID+`"`) || !strings.Contains(p.body, `href="/console/people/`+e.rep.ID+`"`) {
			t.Fatalf("a disabled rep's inspector: %d\n%s", p.status, p.body)
		}
	})
}

// rowOf is the table row of a page that has marker.
func rowOf(t *testing.T, body, marker string) string {
	t.Helper()
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("no row with %s:\n%s", marker, body)
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := strings.Index(body[i:], "</tr>")
	return body[start : i+end]
}

// section is a page's section with this id.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s:\n%s", id, body)
	}
	end := strings.Index(body[i:], "</section>")
	return body[i : i+end]
}
