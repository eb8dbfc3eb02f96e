package cases_test

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/cases/v1/casesv1connect"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var ctx = context.Background()

// forEach runs a test on every backend.
func forEach(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range []servertest.Backend{{DB: syncengine.SQLite, Blobs: servertest.FSBlob}, {DB: syncengine.Postgres, Blobs: servertest.MinIO}} {
		t.Run(b.String(), func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, b))
		})
	}
}

// maxPhotoBytes is the media service's size limit in these tests.
const maxPhotoBytes = 1 << 20

// env is the accounts, media and cases modules of one server, served over
// Connect, with a sync engine devices push to and pull from, and a region
// with doctors of two specialties, a moderator and an admin.
type env struct {
	t        *testing.T
	clock    *storetest.Clock
	store    syncengine.Store
	accounts *auth.Service
	cases    *cases.Service
	engine   *syncengine.Engine
	url      string

	author, colleague, cosmetologist, unverified, moderator, admin auth.User
}

const password = "long enough password"

func newEnv(t *testing.T, b servertest.Backend) *env {
	t.Helper()
	return newEnvOn(t, b, func(now func() time.Time) syncengine.Store { return servertest.Store(t, b.DB, now, cases.Schema()) })
}

// newEnvOn is newEnv on the store open returns.
func newEnvOn(t *testing.T, b servertest.Backend, open func(now func() time.Time) syncengine.Store) *env {
	t.Helper()
	e := &env{t: t, clock: storetest.NewClock()}
	e.store = open(e.clock.Now)
	var err error
	e.accounts, err = auth.New(ctx, e.store, auth.Config{Argon2: auth.TestArgon2, Now: e.clock.Now})
	must(t, err)
	e.cases = cases.New(e.store, cases.Config{PublishPoints: 100})

	srv := httptest.NewUnstartedServer(nil)
	blobs, blobHandler := servertest.Blobs(t, b.Blobs, "http://"+srv.Listener.Addr().String())
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	mediaSvc, err := media.New(media.Config{Store: e.store, Blobs: blobs, MaxBytes: maxPhotoBytes, Logger: log,
		ReadPolicies: map[mediav1.MediaPurpose]media.ReadPolicy{mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO: e.cases.PhotoPolicy()}})
	must(t, err)

	reg := syncengine.NewRegistry()
	e.cases.Register(reg)
	e.engine = syncengine.New(syncengine.Config{Store: e.store, Registry: reg, Resolver: e.accounts, EncodeOutcome: syncrpc.EncodeOutcome})

	rs, err := rpc.New(rpc.Config{Auth: e.accounts, Public: auth.PublicProcedures, Logger: log})
	must(t, err)
	rs.Handle(mediav1connect.NewMediaServiceHandler(media.NewHandler(mediaSvc), rs.Options()...))
	h := cases.NewHandler(e.cases)
	rs.Handle(casesv1connect.NewCaseModerationServiceHandler(h, rs.Options()...))
	rs.Handle(casesv1connect.NewCaseReportServiceHandler(h, rs.Options()...))
	if blobHandler != nil {
		rs.HandleHTTP(fsblob.Prefix, blobHandler)
	}
	srv.Config.Handler = rs.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	e.url = srv.URL

	_, err = e.accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"})
	must(t, err)
	e.author = e.user(auth.RoleDoctor, "author@x.test", "Анна Кожина", "dermatology", true)
	e.colleague = e.user(auth.RoleDoctor, "colleague@x.test", "Елена Соколова", "dermatology", true)
	e.cosmetologist = e.user(auth.RoleDoctor, "cosmo@x.test", "Павел Орлов", "cosmetology", true)
	e.unverified = e.user(auth.RoleDoctor, "new@x.test", "Новый Врач", "dermatology", false)
	e.moderator = e.user(auth.RoleModerator, "mod@x.test", "Модератор", "", false)
	e.admin = e.user(auth.RoleAdmin, "admin@x.test", "Админ", "", false)
	return e
}

func (e *env) user(role auth.Role, email, name, specialty string, verified bool) auth.User {
	e.t.Helper()
	region := "msk"
	if role == auth.RoleModerator || role == auth.RoleAdmin {
		region = ""
	}
	u, err := e.accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: password, Name: name, RegionID: region, Specialty: specialty})
	must(e.t, err)
	if verified {
		u, err = e.accounts.VerifyDoctor(ctx, auth.System, u.ID)
		must(e.t, err)
	}
	return u
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// principal is how the server sees a user now (claims reloaded, as on
// every call).
func (e *env) principal(u auth.User) syncengine.Principal {
	e.t.Helper()
	var fresh auth.User
	must(e.t, e.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		fresh, err = auth.FindUser(ctx, q, u.ID)
		return err
	}))
	return auth.Principal(fresh, "console")
}

// phone is a user's phone: a device pushing to and pulling from the sync
// engine, and a MediaService client signed in as the user.
type phone struct {
	*servertest.Device
	media *servertest.MediaClient
	user  auth.User
	token string
}

func (e *env) phone(u auth.User) *phone {
	e.t.Helper()
	s, err := e.accounts.Login(ctx, auth.LoginInput{Login: u.Email, Password: password, Device: "phone", Platform: "android"})
	must(e.t, err)
	p := e.principal(u)
	p.DeviceID = s.DeviceID
	d := &phone{user: u, token: s.Access,
		Device: servertest.NewDevice(e.t, servertest.DeviceConfig{Engine: e.engine, Principal: p, Clock: e.clock.Now})}
	d.media = servertest.NewMediaClient(e.t, e.url, servertest.WithToken(&d.token))
	return d
}

// caseRecord returns a case as the device holds it, from any bucket.
func (d *phone) caseRecord(id string) *casesv1.Case {
	return servertest.Record[casesv1.Case](d.Device, cases.CaseCollection, id)
}

// cases returns the cases the device holds, by id.
func (d *phone) cases() map[string]*casesv1.Case {
	return servertest.Records[casesv1.Case](d.Device, cases.CaseCollection)
}

// commentsOf returns the comments of a case the device holds, by id.
func (d *phone) commentsOf(caseID string) map[string]*casesv1.CaseComment {
	out := servertest.Records[casesv1.CaseComment](d.Device, cases.CommentCollection)
	maps.DeleteFunc(out, func(_ string, c *casesv1.CaseComment) bool { return c.CaseId != caseID })
	return out
}

// download fetches a media's thumbnail through a download URL.
func (d *phone) download(id string) ([]byte, error) {
	return d.media.Download(id, mediav1.MediaVariant_MEDIA_VARIANT_THUMBNAIL)
}

// console is a staff member's web console.
type console struct {
	token      string
	moderation casesv1connect.CaseModerationServiceClient
	reports    casesv1connect.CaseReportServiceClient
}

func (e *env) console(u auth.User) *console {
	e.t.Helper()
	s, err := e.accounts.Login(ctx, auth.LoginInput{Login: u.Email, Password: password, Device: "browser", Platform: "web"})
	must(e.t, err)
	c := &console{token: s.Access}
	c.moderation = casesv1connect.NewCaseModerationServiceClient(http.DefaultClient, e.url, servertest.WithToken(&c.token))
	c.reports = casesv1connect.NewCaseReportServiceClient(http.DefaultClient, e.url, servertest.WithToken(&c.token))
	return c
}

// wantRejected checks an outcome was rejected with the code, a message
// containing want, and (if given) a violation of field.
func wantRejected(t *testing.T, o syncengine.Outcome, code, want, field string) {
	t.Helper()
	if o.Status != syncengine.StatusRejected || o.Error == nil || o.Error.Code != code || !strings.Contains(o.Error.Message, want) {
		t.Fatalf("outcome %v %+v, want rejected %s mentioning %q", o.Status, o.Error, code, want)
	}
	if field == "" {
		return
	}
	for _, v := range o.Error.Violations {
		if v.Field == field {
			return
		}
	}
	t.Fatalf("outcome %q names %v, want field %s", o.Error.Message, o.Error.Violations, field)
}

// wantError checks a Connect error carries the domain code and a message
// containing want.
func wantError(t *testing.T, err error, code, want string) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v, want %s (%s)", err, code, want)
	}
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			if ed, ok := v.(*commonv1.ErrorDetail); ok {
				// The message with its field violations.
				if de := rpc.FromDetail(ed); de.Code != code || !strings.Contains(de.Error(), want) {
					t.Fatalf("error %s %q, want %s mentioning %q", de.Code, de.Error(), code, want)
				}
				return
			}
		}
	}
	t.Fatalf("no error detail in %v", err)
}
