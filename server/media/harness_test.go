package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/media/minio"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var ctx = context.Background()

// backend is a database and a blob store the service runs on.
type backend struct {
	db    syncengine.Dialect
	blobs string // "minio" or "fsblob"
}

func (b backend) String() string { return string(b.db) + "+" + b.blobs }

var backends = []backend{
	{syncengine.SQLite, "fsblob"},
	{syncengine.SQLite, "minio"},
	{syncengine.Postgres, "minio"},
	{syncengine.Postgres, "fsblob"},
}

// forEach runs a test on every backend.
func forEach(t *testing.T, tweak func(*media.Config), fn func(t *testing.T, e *env)) {
	for _, b := range backends {
		t.Run(b.String(), func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, b, tweak))
		})
	}
}

var template = testenv.Template{
	Name:    "media",
	Version: storetest.SchemaVersion(postgres.Migrations(), media.Migrations(syncengine.Postgres)),
	Migrate: func(ctx context.Context, url string) error {
		s, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Migrate(ctx, "media", media.Migrations(syncengine.Postgres))
	},
}

// env is a MediaService served in process, as ordinator serve wires it,
// with a test authenticator: the X-Test-User header names the caller.
type env struct {
	t       testing.TB
	backend backend
	store   syncengine.Store
	blobs   media.BlobStore
	svc     *media.Service
	clock   *storetest.Clock
	url     string
}

type testAuth struct{}

func (testAuth) Authenticate(_ context.Context, _ string, h http.Header) (syncengine.Principal, error) {
	if u := h.Get("X-Test-User"); u != "" {
		return syncengine.Principal{UserID: u}, nil
	}
	return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "no test user")
}

var buckets atomic.Int64

func newEnv(t testing.TB, b backend, tweak func(*media.Config)) *env {
	t.Helper()
	e := &env{t: t, backend: b, clock: storetest.NewClock()}
	var err error
	if b.db == syncengine.SQLite {
		e.store, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "ordinator.db"), sqlite.Options{Now: e.clock.Now})
		if err == nil {
			err = e.store.Migrate(ctx, "media", media.Migrations(syncengine.SQLite))
		}
	} else {
		e.store, err = postgres.Open(ctx, testenv.PostgresURL(t, template), postgres.Options{Now: e.clock.Now})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.store.Close)

	srv := httptest.NewUnstartedServer(nil)
	var blobHandler http.Handler
	if b.blobs == "fsblob" {
		s, err := fsblob.New(t.TempDir(), fsblob.Options{BaseURL: "http://" + srv.Listener.Addr().String()})
		if err != nil {
			t.Fatal(err)
		}
		e.blobs, blobHandler = s, s.Handler()
	} else {
		m := testenv.StartMinIO(t)
		e.blobs, err = minio.New(ctx, minio.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey,
			Bucket: fmt.Sprintf("media-%d", buckets.Add(1))})
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg := media.Config{Store: e.store, Blobs: e.blobs, Retention: 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	if tweak != nil {
		tweak(&cfg)
	}
	if e.svc, err = media.New(cfg); err != nil {
		t.Fatal(err)
	}
	rs, err := rpc.New(rpc.Config{Auth: testAuth{}, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	rs.Handle(mediav1connect.NewMediaServiceHandler(media.NewHandler(e.svc), rs.Options()...))
	if blobHandler != nil {
		rs.HandleHTTP(fsblob.Prefix, blobHandler)
	}
	srv.Config.Handler = rs.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// device is a user's phone talking to the service, doing what the SDK's
// media queue does.
type device struct {
	e    *env
	user string
	c    mediav1connect.MediaServiceClient
	// sent counts the parts uploaded, by number.
	sent map[int]int
}

func (e *env) device(user string) *device {
	hdr := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if user != "" {
				req.Header().Set("X-Test-User", user)
			}
			return next(ctx, req)
		}
	})
	return &device{e: e, user: user, c: mediav1connect.NewMediaServiceClient(http.DefaultClient, e.url, connect.WithInterceptors(hdr)), sent: map[int]int{}}
}

func newID() string { return uuid.NewString() }

func (d *device) create(id string, data []byte, purpose mediav1.MediaPurpose) (*mediav1.CreateUploadResponse, error) {
	sum := sha256.Sum256(data)
	res, err := d.c.CreateUpload(ctx, connect.NewRequest(&mediav1.CreateUploadRequest{
		MediaId: id, Sha256: sum[:], Size: int64(len(data)), ContentType: "image/jpeg", Purpose: purpose,
	}))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

func (d *device) mustCreate(id string, data []byte) *mediav1.CreateUploadResponse {
	d.e.t.Helper()
	res, err := d.create(id, data, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
	if err != nil {
		d.e.t.Fatalf("CreateUpload: %v", err)
	}
	return res
}

func request(r *mediav1.HTTPRequest) media.Request {
	return media.Request{Method: r.GetMethod(), URL: r.GetUrl(), Header: r.GetHeaders(), Expires: time.UnixMilli(r.GetExpiresAtUnixMs())}
}

// put sends a single upload's request with body.
func (d *device) put(res *mediav1.CreateUploadResponse, body []byte) int {
	d.e.t.Helper()
	status, _, _ := blobtest.Send(d.e.t, request(res.GetSingle().GetRequest()), body, nil)
	return status
}

// putParts sends the multipart upload's parts whose numbers are listed
// (all still to send if none), cut from file, and returns what it sent.
func (d *device) putParts(res *mediav1.CreateUploadResponse, file []byte, numbers ...int32) []*mediav1.CompletedPart {
	d.e.t.Helper()
	mp := res.GetMultipart()
	var out []*mediav1.CompletedPart
	for _, p := range mp.GetParts() {
		if len(numbers) > 0 && !contains(numbers, p.GetNumber()) {
			continue
		}
		chunk := file[p.GetOffset() : p.GetOffset()+p.GetSize()]
		status, h, msg := blobtest.Send(d.e.t, request(p.GetRequest()), chunk, map[string]string{mp.GetPartChecksumHeader(): blobtest.Checksum(chunk)})
		if status != http.StatusOK {
			d.e.t.Fatalf("part %d: %d %s", p.GetNumber(), status, msg)
		}
		d.sent[int(p.GetNumber())]++
		out = append(out, &mediav1.CompletedPart{Number: p.GetNumber(), Etag: h.Get("ETag")})
	}
	return out
}

func contains(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (d *device) complete(id string, parts ...*mediav1.CompletedPart) (*mediav1.Media, error) {
	res, err := d.c.CompleteUpload(ctx, connect.NewRequest(&mediav1.CompleteUploadRequest{MediaId: id, Parts: parts}))
	if err != nil {
		return nil, err
	}
	return res.Msg.GetMedia(), nil
}

// upload sends a whole file and completes it.
func (d *device) upload(id string, file []byte) *mediav1.Media {
	d.e.t.Helper()
	res := d.mustCreate(id, file)
	var parts []*mediav1.CompletedPart
	switch {
	case res.GetSingle() != nil:
		if status := d.put(res, file); status != http.StatusOK {
			d.e.t.Fatalf("PUT: %d", status)
		}
	case res.GetMultipart() != nil:
		parts = d.putParts(res, file)
	}
	m, err := d.complete(id, parts...)
	if err != nil {
		d.e.t.Fatalf("CompleteUpload: %v", err)
	}
	return m
}

func (d *device) download(id string, v mediav1.MediaVariant) ([]byte, error) {
	res, err := d.c.GetDownloadUrl(ctx, connect.NewRequest(&mediav1.GetDownloadUrlRequest{MediaId: id, Variant: v}))
	if err != nil {
		return nil, err
	}
	status, _, body := blobtest.Send(d.e.t, request(res.Msg.GetRequest()), nil, nil)
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET: %d %s", status, body)
	}
	return body, nil
}

// domainError returns the error detail the server sent.
func domainError(t *testing.T, err error) *syncengine.Error {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a Connect error: %v", err)
	}
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			if ed, ok := v.(*commonv1.ErrorDetail); ok {
				return rpc.FromDetail(ed)
			}
		}
	}
	t.Fatalf("no error detail in %v", err)
	return nil
}

// wantError checks err carries the domain code and a message containing
// want.
func wantError(t *testing.T, err error, code, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s (%s)", code, want)
	}
	d := domainError(t, err)
	if d.Code != code || !bytes.Contains([]byte(d.Error()), []byte(want)) {
		t.Fatalf("error %s %q, want %s mentioning %q", d.Code, d.Error(), code, want)
	}
}

// synced returns the media records in user's bucket as a device pulling
// from zero receives them; deleted ones are absent.
func (e *env) synced(user string) map[string]*mediav1.Media {
	e.t.Helper()
	engine := syncengine.New(syncengine.Config{Store: e.store})
	res, err := engine.Pull(ctx, syncengine.Principal{UserID: user}, syncengine.PullRequest{ClientID: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]*mediav1.Media{}
	for _, c := range res.Changes {
		if c.Collection != media.Collection {
			continue
		}
		if c.Op == syncengine.OpDelete {
			delete(out, c.RecordID)
			continue
		}
		m := &mediav1.Media{}
		if err := proto.Unmarshal(c.Payload, m); err != nil {
			e.t.Fatal(err)
		}
		out[c.RecordID] = m
	}
	return out
}

// objectExists reports whether storage holds key.
func (e *env) objectExists(key string) bool {
	e.t.Helper()
	_, err := e.blobs.Stat(ctx, key)
	if err != nil && !errors.Is(err, media.ErrNotFound) {
		e.t.Fatal(err)
	}
	return err == nil
}

// count returns the number of rows in the media table.
func (e *env) count() int64 {
	e.t.Helper()
	var n int64
	if err := e.store.View(ctx, func(q syncengine.Querier) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM media`).Scan(&n)
	}); err != nil {
		e.t.Fatal(err)
	}
	return n
}
