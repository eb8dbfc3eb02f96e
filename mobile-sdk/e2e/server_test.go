package e2e_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	os.Exit(testenv.Main(m))
}

// template is a database with the engine's, the test collections' and the
// media module's migrations, cloned for every test.
var template = testenv.Template{
	Name:    "sdk",
	Version: storetest.SchemaVersion(postgres.Migrations(), media.Migrations(syncengine.Postgres)),
	Migrate: func(ctx context.Context, url string) error {
		s, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.Migrate(ctx, "storetest", storetest.Migrations()); err != nil {
			return err
		}
		return s.Migrate(ctx, "media", media.Migrations(syncengine.Postgres))
	},
}

// server is an Ordinator sync server in this process: the engine on
// PostgreSQL with the test collections, served by server/rpc with a token
// table for authentication, on a loopback port; with serverConfig.blobs, the
// real MediaService too.
type server struct {
	t      testing.TB
	dbURL  string
	addr   string
	auth   *tokens
	cfg    serverConfig
	h      *storetest.Harness
	clock  *storetest.Clock
	store  *postgres.Store
	hooks  *hooks
	http   *http.Server
	served chan struct{}
	// blobs keeps the media's bytes across restarts.
	blobs       media.BlobStore
	blobHandler http.Handler
}

type serverConfig struct {
	maxRequestBytes int
	engine          syncengine.Config
	// blobs, servertest.MinIO or servertest.FSBlob, serves server/media
	// over a fresh blob store of that kind, configured by media.
	blobs string
	media media.Config
}

// hooks let a test play a faulty server. Each runs inside the handler.
type hooks struct {
	mu sync.Mutex
	// afterPush runs after a push committed; an error replaces the answer.
	afterPush func(*syncv1.PushResponse) error
	// beforePull can change a pull page before it is sent.
	beforePull func(*syncv1.PullResponse)
	// afterCreateUpload can change the answer to CreateUpload.
	afterCreateUpload func(*mediav1.CreateUploadResponse)
}

func (h *hooks) push() func(*syncv1.PushResponse) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.afterPush
}

func (h *hooks) pull() func(*syncv1.PullResponse) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.beforePull
}

func (h *hooks) createUpload() func(*mediav1.CreateUploadResponse) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.afterCreateUpload
}

func (h *hooks) set(fn func(*hooks)) {
	h.mu.Lock()
	fn(h)
	h.mu.Unlock()
}

// hookedSync is the real SyncService with the test's hooks around it.
type hookedSync struct {
	*syncrpc.Service
	hooks *hooks
}

func (s hookedSync) Push(ctx context.Context, req *connect.Request[syncv1.PushRequest]) (*connect.Response[syncv1.PushResponse], error) {
	res, err := s.Service.Push(ctx, req)
	if err == nil {
		if f := s.hooks.push(); f != nil {
			if herr := f(res.Msg); herr != nil {
				return nil, herr
			}
		}
	}
	return res, err
}

func (s hookedSync) Pull(ctx context.Context, req *connect.Request[syncv1.PullRequest]) (*connect.Response[syncv1.PullResponse], error) {
	res, err := s.Service.Pull(ctx, req)
	if err == nil {
		if f := s.hooks.pull(); f != nil {
			f(res.Msg)
		}
	}
	return res, err
}

func newServer(t testing.TB, cfg serverConfig) *server {
	t.Helper()
	s := &server{t: t, dbURL: testenv.PostgresURL(t, template), auth: newTokens(), cfg: cfg, hooks: &hooks{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	if cfg.blobs != "" {
		s.blobs, s.blobHandler = servertest.Blobs(t, cfg.blobs, s.url())
	}
	s.start(ln)
	t.Cleanup(s.stop)
	return s
}

// url is the server's base URL.
func (s *server) url() string { return "http://" + s.addr }

// start opens the store and serves on ln.
func (s *server) start(ln net.Listener) {
	t := s.t
	if s.clock == nil {
		s.clock = storetest.NewClock()
	}
	store, err := postgres.Open(context.Background(), s.dbURL, postgres.Options{MaxConns: 8, Now: s.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	s.store = store
	engineCfg := s.cfg.engine
	engineCfg.EncodeOutcome = syncrpc.EncodeOutcome
	engineCfg.Logger = quietLogger()
	s.h = storetest.NewHarness(t, store, s.clock, engineCfg)
	srv, err := rpc.New(rpc.Config{Logger: quietLogger(), Auth: s.auth, MaxRequestBytes: s.cfg.maxRequestBytes})
	if err != nil {
		t.Fatal(err)
	}
	stopping := make(chan struct{})
	srv.Handle(syncv1connect.NewSyncServiceHandler(hookedSync{syncrpc.New(s.h.Engine, stopping), s.hooks}, srv.Options()...))
	if s.blobs != nil {
		s.serveMedia(srv)
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	s.http = &http.Server{Handler: srv.Handler(), Protocols: protocols, ReadHeaderTimeout: 10 * time.Second}
	s.http.RegisterOnShutdown(func() { close(stopping) })
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		s.http.Serve(ln)
	}()
}

// stop kills the server as a crash would: connections drop mid-call.
func (s *server) stop() {
	if s.http == nil {
		return
	}
	s.http.Close()
	<-s.served
	s.http = nil
	s.store.Close()
}

// restart stops the server and starts a new one on the same database and
// address: a new engine and store, as after a process restart.
func (s *server) restart() {
	s.t.Helper()
	s.stop()
	var ln net.Listener
	servertest.Eventually(s.t, "the address to be free to listen on again", func() bool {
		var err error
		ln, err = net.Listen("tcp", s.addr)
		return err == nil
	})
	s.start(ln)
}

// tokens authenticates bearer tokens from a table the test fills.
type tokens struct {
	mu      sync.Mutex
	users   map[string]syncengine.Principal
	revoked map[string]bool
}

func newTokens() *tokens {
	return &tokens{users: map[string]syncengine.Principal{}, revoked: map[string]bool{}}
}

func (a *tokens) add(token, user, device string) {
	a.mu.Lock()
	a.users[token] = syncengine.Principal{UserID: user, DeviceID: device}
	a.mu.Unlock()
}

func (a *tokens) remove(token string) {
	a.mu.Lock()
	delete(a.users, token)
	a.mu.Unlock()
}

// revokeAll revokes every token, as signing out all of a user's devices.
func (a *tokens) revokeAll() {
	a.mu.Lock()
	for t := range a.users {
		a.revoked[t] = true
	}
	a.mu.Unlock()
}

func (a *tokens) Authenticate(ctx context.Context, procedure string, h http.Header) (syncengine.Principal, error) {
	token, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.revoked[token] {
		p := a.users[token]
		e := connect.NewError(connect.CodeUnauthenticated, errors.New("this device was signed out"))
		if d, err := connect.NewErrorDetail(&syncv1.DeviceRevoked{DeviceId: p.DeviceID}); err == nil {
			e.AddDetail(d)
		}
		return syncengine.Principal{}, e
	}
	p, found := a.users[token]
	if !ok || !found {
		return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "unknown or expired token")
	}
	return p, nil
}

func quietLogger() *slog.Logger {
	if testing.Verbose() && os.Getenv("SDK_E2E_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// device opens a replica of user against the server, in dir (a new temp
// dir if empty), with a token of its own and quick backoffs.
func (s *server) device(t testing.TB, user, dir string, opts ...func(*sdk.Options)) *sdk.Replica {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	token := "token-" + user + "-" + strings.ReplaceAll(dir, "/", "_")
	s.auth.add(token, user, "device-"+user)
	o := sdk.Options{
		Dir:        dir,
		ServerURL:  s.url(),
		Tokens:     sdk.StaticToken(token),
		Schema:     sdktest.Schema(),
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond,
		StreamIdle: 20 * time.Second,
		PollEvery:  time.Second,
		Logger:     quietLogger(),
	}
	for _, f := range opts {
		f(&o)
	}
	r, err := sdk.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
