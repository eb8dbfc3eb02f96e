package cases_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/cases/v1/casesv1connect"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/media/minio"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var ctx = context.Background()

// backend is a database and a blob store.
type backend struct {
	db    syncengine.Dialect
	blobs string // "fsblob" or "minio"
}

func (b backend) String() string { return string(b.db) + "+" + b.blobs }

// backends cover both dialects and both blob stores.
var backends = []backend{{syncengine.SQLite, "fsblob"}, {syncengine.Postgres, "minio"}}

// forEach runs a test on every backend.
func forEach(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends {
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

var buckets atomic.Int64

const password = "long enough password"

func newEnv(t *testing.T, b backend) *env {
	t.Helper()
	e := &env{t: t, clock: storetest.NewClock()}
	e.store = servertest.Store(t, b.db, e.clock.Now, cases.Schema())
	var err error
	e.accounts, err = auth.New(ctx, e.store, auth.Config{Argon2: auth.Argon2{Memory: 64, Time: 1, Threads: 1}, Now: e.clock.Now})
	must(t, err)
	e.cases = cases.New(e.store, cases.Config{PublishPoints: 100})

	srv := httptest.NewUnstartedServer(nil)
	var blobs media.BlobStore
	var blobHandler http.Handler
	if b.blobs == "fsblob" {
		s, err := fsblob.New(t.TempDir(), fsblob.Options{BaseURL: "http://" + srv.Listener.Addr().String()})
		must(t, err)
		blobs, blobHandler = s, s.Handler()
	} else {
		m := testenv.StartMinIO(t)
		blobs, err = minio.New(ctx, minio.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: fmt.Sprintf("cases-%d", buckets.Add(1))})
		must(t, err)
	}
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

// device is a user's phone: a replica, an outbox of mutations it pushes
// through the sync engine, and a MediaService client signed in as the user.
type device struct {
	e        *env
	user     auth.User
	deviceID string
	token    string
	client   string
	seq      int64
	outbox   []syncengine.Mutation
	replica  *storetest.Replica
	media    mediav1connect.MediaServiceClient
}

func (e *env) phone(u auth.User) *device {
	e.t.Helper()
	s, err := e.accounts.Login(ctx, auth.LoginInput{Login: u.Email, Password: password, Device: "phone", Platform: "android"})
	must(e.t, err)
	d := &device{e: e, user: u, deviceID: s.DeviceID, token: s.Access, client: uuid.NewString(), seq: 1, replica: storetest.NewReplica()}
	d.media = mediav1connect.NewMediaServiceClient(http.DefaultClient, e.url, servertest.WithToken(&d.token))
	return d
}

// principal is the device's principal, as the server authenticates it.
func (d *device) principal() syncengine.Principal {
	p := d.e.principal(d.user)
	p.DeviceID = d.deviceID
	return p
}

// queue writes a mutation into the outbox, as the app does offline.
func (d *device) queue(name string, args proto.Message) {
	d.e.t.Helper()
	b, err := proto.Marshal(args)
	must(d.e.t, err)
	d.outbox = append(d.outbox, syncengine.Mutation{Seq: d.seq, Name: name, Args: b, CreatedAt: d.e.clock.Now()})
	d.seq++
}

// push sends the outbox and returns the outcomes.
func (d *device) push() []syncengine.Outcome {
	d.e.t.Helper()
	if len(d.outbox) == 0 {
		return nil
	}
	out, err := d.e.engine.Push(ctx, d.principal(), syncengine.PushRequest{ClientID: d.client, Mutations: d.outbox})
	must(d.e.t, err)
	d.outbox = nil
	return out
}

// do sends one mutation and returns its outcome.
func (d *device) do(name string, args proto.Message) syncengine.Outcome {
	d.e.t.Helper()
	d.queue(name, args)
	return d.push()[0]
}

// mustApply sends one mutation and fails the test unless it is applied.
func (d *device) mustApply(name string, args proto.Message) {
	d.e.t.Helper()
	if o := d.do(name, args); o.Status != syncengine.StatusApplied {
		d.e.t.Fatalf("%s rejected: %v", name, o.Error)
	}
}

// sync pulls to a checkpoint and fails on a checksum mismatch.
func (d *device) sync() {
	d.e.t.Helper()
	for {
		page, err := d.e.engine.Pull(ctx, d.principal(), syncengine.PullRequest{ClientID: d.client, Cursors: d.replica.Cursors()})
		must(d.e.t, err)
		bad, err := d.replica.Apply(page)
		must(d.e.t, err)
		if len(bad) > 0 {
			d.e.t.Fatalf("checksums disagree for %v", bad)
		}
		if page.Checkpoint != nil {
			return
		}
	}
}

// caseRecord returns a case as the device holds it, from any bucket.
func (d *device) caseRecord(id string) *casesv1.Case {
	for _, b := range d.replica.Buckets() {
		if p, ok := d.replica.Get(b, cases.CaseCollection, id); ok {
			c := &casesv1.Case{}
			must(d.e.t, proto.Unmarshal(p, c))
			return c
		}
	}
	return nil
}

// records returns the payloads of a collection the device holds, by id.
func (d *device) records(collection string) map[string][]byte {
	out := map[string][]byte{}
	for _, b := range d.replica.Buckets() {
		for k, p := range d.replica.Records(b) {
			if k.Collection == collection {
				out[k.ID] = p
			}
		}
	}
	return out
}

// commentsOf returns the comments of a case the device holds, by id.
func (d *device) commentsOf(caseID string) map[string]*casesv1.CaseComment {
	out := map[string]*casesv1.CaseComment{}
	for id, p := range d.records(cases.CommentCollection) {
		c := &casesv1.CaseComment{}
		must(d.e.t, proto.Unmarshal(p, c))
		if c.CaseId == caseID {
			out[id] = c
		}
	}
	return out
}

// register tells MediaService about a photo (its digest and size), as the
// SDK's media queue does before anything refers to it.
func (d *device) register(id string, file []byte) (*mediav1.CreateUploadResponse, error) {
	sum := sha256.Sum256(file)
	res, err := d.media.CreateUpload(ctx, connect.NewRequest(&mediav1.CreateUploadRequest{
		MediaId: id, Sha256: sum[:], Size: int64(len(file)), ContentType: "image/jpeg", Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO,
	}))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

func (d *device) mustRegister(id string, file []byte) *mediav1.CreateUploadResponse {
	d.e.t.Helper()
	res, err := d.register(id, file)
	must(d.e.t, err)
	return res
}

func request(r *mediav1.HTTPRequest) media.Request {
	return media.Request{Method: r.GetMethod(), URL: r.GetUrl(), Header: r.GetHeaders(), Expires: time.UnixMilli(r.GetExpiresAtUnixMs())}
}

// put sends a registered photo's bytes to storage and returns the status.
func (d *device) put(res *mediav1.CreateUploadResponse, body []byte) int {
	d.e.t.Helper()
	status, _, _ := blobtest.Send(d.e.t, request(res.GetSingle().GetRequest()), body, nil)
	return status
}

// complete confirms an upload.
func (d *device) complete(id string) (*mediav1.Media, error) {
	res, err := d.media.CompleteUpload(ctx, connect.NewRequest(&mediav1.CompleteUploadRequest{MediaId: id}))
	if err != nil {
		return nil, err
	}
	return res.Msg.GetMedia(), nil
}

// upload sends a registered photo and confirms it.
func (d *device) upload(id string, file []byte, res *mediav1.CreateUploadResponse) *mediav1.Media {
	d.e.t.Helper()
	if status := d.put(res, file); status != http.StatusOK {
		d.e.t.Fatalf("PUT %s: %d", id, status)
	}
	m, err := d.complete(id)
	must(d.e.t, err)
	return m
}

// download fetches a media's thumbnail through a download URL.
func (d *device) download(id string) ([]byte, error) {
	res, err := d.media.GetDownloadUrl(ctx, connect.NewRequest(&mediav1.GetDownloadUrlRequest{MediaId: id, Variant: mediav1.MediaVariant_MEDIA_VARIANT_THUMBNAIL}))
	if err != nil {
		return nil, err
	}
	status, _, body := blobtest.Send(d.e.t, request(res.Msg.GetRequest()), nil, nil)
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET: %d %s", status, body)
	}
	return body, nil
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
