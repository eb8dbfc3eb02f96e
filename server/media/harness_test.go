package media_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var ctx = context.Background()

// forEach runs a test on every backend.
func forEach(t *testing.T, tweak func(*media.Config), fn func(t *testing.T, e *env)) {
	for _, b := range servertest.Backends {
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
	backend servertest.Backend
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

func newEnv(t testing.TB, b servertest.Backend, tweak func(*media.Config)) *env {
	t.Helper()
	e := &env{t: t, backend: b, clock: storetest.NewClock()}
	var err error
	if b.DB == syncengine.SQLite {
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
	e.blobs, blobHandler = servertest.Blobs(t, b.Blobs, "http://"+srv.Listener.Addr().String())
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

// device is a user's phone talking to the service as the SDK's media queue
// does.
func (e *env) device(user string) *servertest.MediaClient {
	hdr := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if user != "" {
				req.Header().Set("X-Test-User", user)
			}
			return next(ctx, req)
		}
	})
	return servertest.NewMediaClient(e.t, e.url, connect.WithInterceptors(hdr))
}

func newID() string { return uuid.NewString() }

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
	d := servertest.NewDevice(e.t, servertest.DeviceConfig{Engine: syncengine.New(syncengine.Config{Store: e.store}), Principal: syncengine.Principal{UserID: user}})
	d.Sync()
	return servertest.Records[mediav1.Media](d, media.Collection)
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
