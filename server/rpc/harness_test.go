package rpc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"sync"
)

// maxRequest is the request limit of the test servers.
const maxRequest = 4 << 10

// tokens authenticates "Bearer <user>" as that user; the token "revoked"
// is a signed-out device, anything else no credentials.
type tokens struct{}

func (tokens) Authenticate(_ context.Context, _ string, h http.Header) (syncengine.Principal, error) {
	token, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
	switch {
	case !ok || token == "":
		return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "sign in: no token")
	case token == "revoked":
		return syncengine.Principal{}, &auth.RevokedError{DeviceID: "d-revoked"}
	}
	return syncengine.Principal{UserID: token, DeviceID: "d-" + token}, nil
}

// syncService is a SyncService whose Push and Subscribe run what the test
// set with do, after telling the test they ran and as whom. Subscribe first
// sends a heartbeat, so that the test sees a stream that was open end badly.
type syncService struct {
	syncv1connect.UnimplementedSyncServiceHandler
	ran chan syncengine.Principal
	mu  sync.Mutex
	fn  func(ctx context.Context) error
}

// do sets what the next calls run; nil answers at once.
func (s *syncService) do(fn func(ctx context.Context) error) {
	s.mu.Lock()
	s.fn = fn
	s.mu.Unlock()
}

func (s *syncService) run(ctx context.Context) error {
	p, _ := syncengine.PrincipalFrom(ctx)
	s.ran <- p
	s.mu.Lock()
	fn := s.fn
	s.mu.Unlock()
	if fn == nil {
		return nil
	}
	return fn(ctx)
}

func (s *syncService) Push(ctx context.Context, _ *connect.Request[syncv1.PushRequest]) (*connect.Response[syncv1.PushResponse], error) {
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	return connect.NewResponse(&syncv1.PushResponse{}), nil
}

func (s *syncService) Subscribe(ctx context.Context, _ *connect.Request[syncv1.SubscribeRequest], st *connect.ServerStream[syncv1.SubscribeResponse]) error {
	if err := st.Send(&syncv1.SubscribeResponse{Event: &syncv1.SubscribeResponse_Heartbeat{Heartbeat: &syncv1.Heartbeat{}}}); err != nil {
		return err
	}
	return s.run(ctx)
}

// env is an rpc.Server serving syncService on a loopback port.
type env struct {
	srv    *rpc.Server
	svc    *syncService
	client syncv1connect.SyncServiceClient
	url    string // the API's address
	logs   *logBuffer
}

func newEnv(t *testing.T, cfg rpc.Config) *env {
	t.Helper()
	log, logs := newLogger()
	cfg.Logger, cfg.MaxRequestBytes = log, maxRequest
	srv, err := rpc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := &syncService{ran: make(chan syncengine.Principal, 16)}
	srv.Handle(syncv1connect.NewSyncServiceHandler(svc, srv.Options()...))
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &env{srv: srv, svc: svc, client: syncv1connect.NewSyncServiceClient(hs.Client(), hs.URL), url: hs.URL, logs: logs}
}

// ran returns whom the handler ran for since the last call, and whether it
// ran at all. The handler reports before it answers, so after a call it
// has reported if it ran.
func (e *env) ran() (syncengine.Principal, bool) {
	select {
	case p := <-e.svc.ran:
		return p, true
	default:
		return syncengine.Principal{}, false
	}
}

// request is what a call sends.
type request int

const (
	valid     request = iota
	invalid           // breaks the message's protovalidate rules
	oversized         // larger than maxRequest
)

// A kind of call: every interceptor must guard unary calls and streams
// alike.
type kind struct {
	name      string
	procedure string
	// call calls as the holder of token ("" for none) and returns the
	// call's error and, for a stream, the messages received before it.
	call func(e *env, token string, r request) (received int, err error)
}

var kinds = []kind{{
	name:      "unary",
	procedure: syncv1connect.SyncServicePushProcedure,
	call: func(e *env, token string, r request) (int, error) {
		m := &syncv1.PushRequest{ClientId: "client-1", Mutations: []*syncv1.Mutation{{Seq: 1, Name: "note.put"}}}
		switch r {
		case invalid:
			m.ClientId = ""
		case oversized:
			m.Mutations[0].Args = make([]byte, 2*maxRequest)
		}
		req := connect.NewRequest(m)
		bearer(req.Header(), token)
		_, err := e.client.Push(context.Background(), req)
		return 0, err
	},
}, {
	name:      "stream",
	procedure: syncv1connect.SyncServiceSubscribeProcedure,
	call: func(e *env, token string, r request) (int, error) {
		m := &syncv1.SubscribeRequest{ClientId: "client-1"}
		switch r {
		case invalid:
			m.ClientId = strings.Repeat("x", 65)
		case oversized:
			m.ClientId = strings.Repeat("x", 2*maxRequest)
		}
		req := connect.NewRequest(m)
		bearer(req.Header(), token)
		st, err := e.client.Subscribe(context.Background(), req)
		if err != nil {
			return 0, err
		}
		defer st.Close()
		n := 0
		for st.Receive() {
			n++
		}
		return n, st.Err()
	},
}}

func bearer(h http.Header, token string) {
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
}

// metric reads one series from the server's /metrics: the value of name
// with every one of labels (`code="ok"`), 0 if there is none.
func (e *env) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	e.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
next:
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		series, value, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(series, name+"{") {
			continue
		}
		for _, l := range labels {
			if !strings.Contains(series, l) {
				continue next
			}
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		return v
	}
	return 0
}

// logLine returns the first log line holding every part, or "".
func (e *env) logLine(parts ...string) string {
next:
	for _, line := range strings.Split(e.logs.String(), "\n") {
		for _, p := range parts {
			if !strings.Contains(line, p) {
				continue next
			}
		}
		return line
	}
	return ""
}

func label(name, value string) string { return fmt.Sprintf("%s=%q", name, value) }
