package console_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/console"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

const password = "long enough pw"

// env is the console over real accounts and a real directory, on one
// dialect, with a clock the test moves.
type env struct {
	t        *testing.T
	ctx      context.Context
	clock    *storetest.Clock
	store    syncengine.Store
	accounts *auth.Service
	dir      *probase.Service
	cases    *cases.Service
	media    *media.Service
	studies  *studies.Service
	engine   *syncengine.Engine
	url      string
	logs     *syncBuffer

	moderator, admin, rep, doctorUser auth.User
	doctor                            *probasev1.Doctor
	// tablet is the rep's tablet, proposing edits through the engine.
	tablet  *servertest.Device
	gifts   *gifts.Service
	content *content.Service
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func forEachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, newEnv(t, d, nil)) })
	}
}

func newEnv(t *testing.T, d syncengine.Dialect, tune func(*console.Config)) *env {
	ctx := context.Background()
	clock := storetest.NewClock()
	store := servertest.Store(t, d, clock.Now, console.Schema(), probase.Schema(), gifts.Schema(), content.Schema(), cases.Schema(), media.Schema(), studies.Schema(), reports.Schema())
	accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2, Now: clock.Now, DiplomaMedia: attachDiploma})
	must(t, err)
	dir, err := probase.New(ctx, store, nil)
	must(t, err)
	caseSvc := cases.New(store, cases.Config{})
	studySvc := studies.New(studies.Config{Store: store})
	reg := syncengine.NewRegistry()
	dir.Register(reg)
	caseSvc.Register(reg)
	studySvc.Register(reg)
	// The console's pages and the photos' presigned URLs on one server,
	// as ordinator serve has them.
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	blobs, blobHandler := servertest.Blobs(t, servertest.FSBlob, srv.URL)
	mux.Handle(fsblob.Prefix, blobHandler)
	logs := &syncBuffer{}
	library := content.New(store, content.Config{Now: clock.Now, Media: media.ContentImages{}, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	mediaSvc, err := media.New(media.Config{Store: store, Blobs: blobs, ReadPolicies: map[mediav1.MediaPurpose]media.ReadPolicy{
		// Whoever may read an item sees its images, as ordinator serve has it.
		mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE: media.ReadPolicyFunc(func(ctx context.Context, q syncengine.Querier, p syncengine.Principal, _ *media.Media, refs []string) (bool, error) {
			return library.MayReadImages(ctx, q, p, refs)
		}),
		mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO: caseSvc.PhotoPolicy(),
		mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA: media.ReadPolicyFunc(func(_ context.Context, _ syncengine.Querier, p syncengine.Principal, _ *media.Media, _ []string) (bool, error) {
			return auth.Require(p, auth.RoleModerator) == nil, nil
		}),
	}})
	must(t, err)
	giftWaves := gifts.New(store, gifts.Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	giftWaves.Register(reg)
	library.Register(reg)
	figs, lists := reports.ModuleFigures()
	cfg := console.Config{Store: store, Accounts: accounts, Directory: dir, Cases: caseSvc, Media: mediaSvc, Studies: studySvc,
		Gifts: giftWaves, Content: library, Now: clock.Now, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Reports: reports.New(reports.Config{Store: store, Figures: figs, Lists: lists, Now: clock.Now})}
	if tune != nil {
		tune(&cfg)
	}
	web, err := console.New(cfg)
	must(t, err)
	mux.Handle(console.Prefix, web)
	e := &env{t: t, ctx: ctx, clock: clock, store: store, accounts: accounts, dir: dir, cases: caseSvc, media: mediaSvc, studies: studySvc,
		gifts: giftWaves, content: library, url: srv.URL, logs: logs}
	_, err = accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"})
	must(t, err)
	for _, id := range []string{"north", "south"} {
		_, err = accounts.CreateTerritory(ctx, auth.System, auth.Territory{ID: id, RegionID: "msk", Name: id})
		must(t, err)
	}
	user := func(role auth.Role, email string) auth.User {
		region := "msk"
		if role == auth.RoleModerator || role == auth.RoleAdmin {
			region = ""
		}
		u, err := accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: password, Name: "Name of " + email, RegionID: region, Specialty: "dermatology"})
		must(t, err)
		return u
	}
	e.moderator, e.admin = user(auth.RoleModerator, "mod@console.test"), user(auth.RoleAdmin, "admin@console.test")
	e.rep, e.doctorUser = user(auth.RoleRep, "rep@console.test"), user(auth.RoleDoctor, "doctor@console.test")
	_, err = accounts.AssignTerritory(ctx, auth.System, e.rep.ID, "north", true)
	must(t, err)
	e.engine = syncengine.New(syncengine.Config{Store: store, Registry: reg, Resolver: accounts, EncodeOutcome: syncrpc.EncodeOutcome})
	e.tablet = servertest.NewDevice(t, servertest.DeviceConfig{Engine: e.engine, Principal: auth.Principal(e.rep, "tablet")})
	for _, c := range []*probasev1.Clinic{{Id: "city-clinic", Name: "City Clinic", TerritoryId: "north"}, {Id: "skin-center", Name: "Skin Center", TerritoryId: "north"}} {
		_, err = dir.CreateClinic(ctx, auth.System, c)
		must(t, err)
	}
	e.doctor, err = dir.CreateDoctor(ctx, auth.System, "crm-1", []*probasev1.FieldChange{
		{Field: "full_name", Values: []string{"Анна Петрова"}}, {Field: "specialty", Values: []string{"dermatology"}},
		{Field: "clinic_id", Values: []string{"city-clinic"}}, {Field: "position", Values: []string{"head of department"}},
		{Field: "phones", Values: []string{"+79161234567"}}, {Field: "territory_id", Values: []string{"north"}},
	})
	must(t, err)
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// propose pushes a rep's edit of the doctor at a base version, as the
// rep's tablet does, and returns the request id.
func (e *env) propose(base int64, kv ...string) string {
	e.t.Helper()
	args := &probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: e.doctor.Id, BaseVersion: base}
	for i := 0; i < len(kv); i += 2 {
		args.Changes = append(args.Changes, &probasev1.FieldChange{Field: kv[i], Values: []string{kv[i+1]}})
	}
	e.tablet.MustApply("doctor.propose_edit", args)
	return args.RequestId
}

// current is the doctor's record now.
func (e *env) current() *probasev1.Doctor {
	e.t.Helper()
	d, err := e.dir.FindDoctor(e.ctx, auth.System, e.doctor.Id)
	must(e.t, err)
	return d
}

// client is a browser without a browser: a cookie jar that does not
// follow redirects, so each answer can be checked.
type client struct {
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, err := cookiejar.New(nil)
	must(e.t, err)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is one answer.
type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) page {
	c.e.t.Helper()
	res, err := c.http.Do(req)
	must(c.e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(c.e.t, err)
	// Checked as a reader sees it: html/template writes + as &#43;.
	return page{status: res.StatusCode, body: html.UnescapeString(string(b)), location: res.Header.Get("Location"), header: res.Header}
}

func (c *client) get(path string) page {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.url+path, nil)
	must(c.e.t, err)
	return c.do(req)
}

func (c *client) post(path string, form url.Values, header ...string) page {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.url+path, strings.NewReader(form.Encode()))
	must(c.e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf is the CSRF token of a page's forms.
func (p page) csrf(t testing.TB) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF field on the page:\n%s", p.body)
	}
	return m[1]
}

// signIn signs in through the form and returns the first page after it.
func (c *client) signIn(login string) page {
	c.e.t.Helper()
	form := c.get("/console/signin")
	res := c.post("/console/signin", url.Values{"csrf": {form.csrf(c.e.t)}, "login": {login}, "password": {password}, "next": {"/console/edits"}})
	if res.status == http.StatusSeeOther {
		return c.get(res.location)
	}
	return res
}

// staff signs a moderator or admin in and returns the queue page.
func (e *env) staff(login string) (*client, page) {
	e.t.Helper()
	c := e.client()
	p := c.signIn(login)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="queue"`) {
		e.t.Fatalf("%s signing in: %d\n%s", login, p.status, p.body)
	}
	return c, p
}
