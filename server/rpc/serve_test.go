package rpc_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// serving is an rpc.Server serving syncService through Serve on a
// loopback port, as the binary runs it.
type serving struct {
	url  string
	stop context.CancelFunc
	done chan error
}

func serve(t *testing.T, cfg rpc.Config) *serving {
	t.Helper()
	log, _ := newLogger()
	cfg.Logger, cfg.MaxRequestBytes = log, maxRequest
	srv, err := rpc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := &syncService{ran: make(chan syncengine.Principal, 16)}
	srv.Handle(syncv1connect.NewSyncServiceHandler(svc, srv.Options()...))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &serving{url: "http://" + ln.Addr().String(), stop: stop, done: make(chan error, 1)}
	if cfg.TLS != nil {
		s.url = "https://" + ln.Addr().String()
	}
	go func() { s.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		<-s.done
	})
	return s
}

// get answers GET url's status and body.
func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func h2cClient() *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p}}
}

// TestRequestLimitNamesFlag: an oversized request is refused, in every
// protocol, with the limit and what raises it.
func TestRequestLimitNamesFlag(t *testing.T) {
	s := serve(t, rpc.Config{Auth: tokens{}, LimitFlag: "--max-request-bytes"})
	for name, opts := range map[string][]connect.ClientOption{
		"connect":  nil,
		"grpc":     {connect.WithGRPC()},
		"grpc-web": {connect.WithGRPCWeb()},
	} {
		t.Run(name, func(t *testing.T) {
			client := syncv1connect.NewSyncServiceClient(h2cClient(), s.url, opts...)
			req := connect.NewRequest(&syncv1.PushRequest{ClientId: "client-1", Mutations: []*syncv1.Mutation{{Seq: 1, Name: "note.put", Args: make([]byte, 2*maxRequest)}}})
			bearer(req.Header(), "user-1")
			_, err := client.Push(context.Background(), req)
			ce := connectError(t, err, connect.CodeResourceExhausted)
			for _, want := range []string{"limit of 4096 bytes", "--max-request-bytes raises it"} {
				if !strings.Contains(ce.Message(), want) {
					t.Errorf("refusal %q does not say %q", ce.Message(), want)
				}
			}
			ok := connect.NewRequest(&syncv1.PushRequest{ClientId: "client-1", Mutations: []*syncv1.Mutation{{Seq: 1, Name: "note.put"}}})
			bearer(ok.Header(), "user-1")
			if _, err := client.Push(context.Background(), ok); err != nil {
				t.Errorf("a request within the limit: %v", err)
			}
		})
	}
}

func TestHealthAndReadiness(t *testing.T) {
	var broken atomic.Bool
	s := serve(t, rpc.Config{Auth: tokens{}, DrainDelay: 3 * time.Second, Ready: func(context.Context) error {
		if broken.Load() {
			return errors.New("database unreachable")
		}
		return nil
	}})
	c := h2cClient()
	if code, body := get(t, c, s.url+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get(t, c, s.url+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	broken.Store(true)
	if code, body := get(t, c, s.url+"/readyz"); code != http.StatusServiceUnavailable || body != "not ready: database unreachable\n" {
		t.Errorf("/readyz with the check failing: %d %q", code, body)
	}
	if code, _ := get(t, c, s.url+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with the readiness check failing: %d, want 200 (alive)", code)
	}
	broken.Store(false)
	// Told to stop, it drains: still serving, but no longer ready.
	s.stop()
	servertest.Eventually(t, "/readyz says draining", func() bool {
		code, body := get(t, c, s.url+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "draining")
	})
	if code, _ := get(t, c, s.url+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while draining: %d, want 200", code)
	}
}

func TestServeTLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS() // only for its certificate and a client that trusts it
	defer ts.Close()
	cert := ts.TLS.Certificates[0]
	s := serve(t, rpc.Config{Auth: tokens{}, TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	c := ts.Client()
	c.Transport.(*http.Transport).ForceAttemptHTTP2 = true
	res, err := c.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.ProtoMajor != 2 || res.TLS == nil {
		t.Errorf("served %s, TLS %v; want HTTP/2 over TLS", res.Proto, res.TLS != nil)
	}
	// gRPC needs HTTP/2: over TLS it has it.
	client := syncv1connect.NewSyncServiceClient(c, s.url, connect.WithGRPC())
	req := connect.NewRequest(&syncv1.PushRequest{ClientId: "client-1", Mutations: []*syncv1.Mutation{{Seq: 1, Name: "note.put"}}})
	bearer(req.Header(), "user-1")
	if _, err := client.Push(context.Background(), req); err != nil {
		t.Errorf("gRPC over TLS: %v", err)
	}
	// Plain HTTP to the TLS port is refused.
	if _, err := h2cClient().Get(strings.Replace(s.url, "https", "http", 1) + "/healthz"); err == nil {
		t.Error("plain HTTP was served on the TLS port")
	}
}
