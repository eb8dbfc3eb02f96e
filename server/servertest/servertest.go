// Package servertest runs server modules for tests against the real
// databases: a fresh store on SQLite and on PostgreSQL with the modules'
// migrations applied, and an in-process Connect server on a loopback port.
package servertest

import (
	"context"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
)

// Dialects are the stores every module test runs on.
var Dialects = []syncengine.Dialect{syncengine.SQLite, syncengine.Postgres}

// Store opens a fresh store of a dialect with the schemas and those they
// require migrated, each after what it requires (module.Order), using now
// as its clock (nil for time.Now).
func Store(t testing.TB, d syncengine.Dialect, now func() time.Time, schemas ...module.Schema) syncengine.Store {
	t.Helper()
	return Stores(t, d, now, 1, schemas...)[0]
}

// Stores opens n stores on one fresh database, as n server processes
// sharing it would (each with its own connections).
func Stores(t testing.TB, d syncengine.Dialect, now func() time.Time, n int, schemas ...module.Schema) []syncengine.Store {
	t.Helper()
	return openStores(t, d, now, n, nil, schemas)
}

// TracedStore is Store on PostgreSQL with every statement traced by
// tracer (a testenv.RoundTrips, say).
func TracedStore(t testing.TB, now func() time.Time, tracer pgx.QueryTracer, schemas ...module.Schema) syncengine.Store {
	t.Helper()
	return openStores(t, syncengine.Postgres, now, 1, tracer, schemas)[0]
}

func openStores(t testing.TB, d syncengine.Dialect, now func() time.Time, n int, tracer pgx.QueryTracer, schemas []module.Schema) []syncengine.Store {
	t.Helper()
	ctx := context.Background()
	schemas, err := module.Order(schemas...)
	if err != nil {
		t.Fatal(err)
	}
	var stores []syncengine.Store
	switch d {
	case syncengine.SQLite:
		path := filepath.Join(t.TempDir(), "ordinator.db")
		for i := range n {
			s, err := sqlite.Open(ctx, path, sqlite.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			if i == 0 {
				for _, m := range schemas {
					if err := s.Migrate(ctx, m.Name, m.Migrations(d)); err != nil {
						t.Fatal(err)
					}
				}
			}
			stores = append(stores, s)
		}
	case syncengine.Postgres:
		tmpl := testenv.Template{Name: "server", Version: version(schemas), Migrate: func(ctx context.Context, url string) error {
			s, err := postgres.Open(ctx, url, postgres.Options{})
			if err != nil {
				return err
			}
			defer s.Close()
			for _, m := range schemas {
				if err := s.Migrate(ctx, m.Name, m.Migrations(d)); err != nil {
					return err
				}
			}
			return nil
		}}
		url := testenv.PostgresURL(t, tmpl)
		for range n {
			s, err := postgres.Open(ctx, url, postgres.Options{Now: now, MaxConns: 12, Tracer: tracer})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			stores = append(stores, s)
		}
	default:
		t.Fatalf("unknown dialect %s", d)
	}
	return stores
}

// version hashes the migration sets, naming the PostgreSQL template.
func version(schemas []module.Schema) string {
	h := fnv.New64a()
	sets := []fs.FS{postgres.Migrations()}
	for _, m := range schemas {
		h.Write([]byte(m.Name))
		sets = append(sets, m.Migrations(syncengine.Postgres))
	}
	for _, set := range sets {
		fs.WalkDir(set, ".", func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := fs.ReadFile(set, path)
			h.Write([]byte(path))
			h.Write(b)
			return err
		})
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// Server is an in-process Connect server.
type Server struct {
	*rpc.Server
	URL string
}

// Serve starts an rpc.Server on a loopback port after register has added
// the services, and stops it when the test ends.
func Serve(t testing.TB, cfg rpc.Config, register func(*rpc.Server)) *Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = 5 * time.Second
	}
	srv, err := rpc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	register(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &Server{Server: srv, URL: "http://" + ln.Addr().String()}
}

// Bearer is a client interceptor that sends an access token, on unary
// calls and streams.
type Bearer struct{ Token *string }

// WithToken returns client options that send *token as a bearer token.
func WithToken(token *string) connect.ClientOption {
	return connect.WithInterceptors(Bearer{Token: token})
}

func (b Bearer) set(h http.Header) {
	if b.Token != nil && *b.Token != "" {
		h.Set("Authorization", "Bearer "+*b.Token)
	}
}

// WrapUnary implements connect.Interceptor.
func (b Bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		b.set(req.Header())
		return next(ctx, req)
	}
}

// WrapStreamingClient implements connect.Interceptor.
func (b Bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		b.set(conn.RequestHeader())
		return conn
	}
}

// WrapStreamingHandler implements connect.Interceptor.
func (Bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
