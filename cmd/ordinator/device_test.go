package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// deviceServer is a sync server in the test process (the engine on SQLite
// with the test collections) with token authentication and a small
// AuthService that hands out tokens, for driving `ordinator device`.
type deviceServer struct {
	url  string
	h    *storetest.Harness
	auth *testAuth
}

type testAuth struct {
	authv1connect.UnimplementedAuthServiceHandler
	mu        sync.Mutex
	tokens    map[string]string // access token -> user
	revoked   map[string]bool
	refreshes int
	next      int
}

func (a *testAuth) issue(user string, expires time.Time) *authv1.Tokens {
	a.next++
	access := fmt.Sprintf("access-%d", a.next)
	a.tokens[access] = user
	return &authv1.Tokens{AccessToken: access, AccessExpiresAtUnixMs: expires.UnixMilli(), RefreshToken: fmt.Sprintf("refresh-%d", a.next)}
}

func (a *testAuth) Login(_ context.Context, req *connect.Request[authv1.LoginRequest]) (*connect.Response[authv1.LoginResponse], error) {
	if req.Msg.GetLogin() != "doctor@example.com" || req.Msg.GetPassword() != "correct horse" {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("wrong login or password"))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// An access token that is about to expire: the first sync refreshes.
	return connect.NewResponse(&authv1.LoginResponse{
		Tokens:   a.issue("u1", time.Now().Add(time.Second)),
		DeviceId: "dev-1",
		User:     &authv1.User{Id: "u1", DisplayName: "Dr Ivanova"},
	}), nil
}

func (a *testAuth) Refresh(_ context.Context, req *connect.Request[authv1.RefreshRequest]) (*connect.Response[authv1.RefreshResponse], error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !strings.HasPrefix(req.Msg.GetRefreshToken(), "refresh-") {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown refresh token"))
	}
	a.refreshes++
	return connect.NewResponse(&authv1.RefreshResponse{Tokens: a.issue("u1", time.Now().Add(time.Hour))}), nil
}

func (a *testAuth) Authenticate(_ context.Context, _ string, h http.Header) (syncengine.Principal, error) {
	token := strings.TrimPrefix(h.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.revoked[token] {
		e := connect.NewError(connect.CodeUnauthenticated, errors.New("device revoked"))
		d, _ := connect.NewErrorDetail(&syncv1.DeviceRevoked{DeviceId: "dev-1"})
		e.AddDetail(d)
		return syncengine.Principal{}, e
	}
	user, ok := a.tokens[token]
	if !ok {
		return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "unknown token")
	}
	return syncengine.Principal{UserID: user, DeviceID: "dev-1"}, nil
}

func (a *testAuth) revokeAll() {
	a.mu.Lock()
	for t := range a.tokens {
		a.revoked[t] = true
	}
	a.mu.Unlock()
}

func newDeviceServer(t *testing.T) *deviceServer {
	t.Helper()
	clock := storetest.NewClock()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "server.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := storetest.NewHarness(t, store, clock, syncengine.Config{EncodeOutcome: syncrpc.EncodeOutcome, Logger: quiet})
	auth := &testAuth{tokens: map[string]string{}, revoked: map[string]bool{}}
	srv, err := rpc.New(rpc.Config{Logger: quiet, Auth: auth, Public: []string{authv1connect.AuthServiceLoginProcedure, authv1connect.AuthServiceRefreshProcedure}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(syncv1connect.NewSyncServiceHandler(syncrpc.New(h.Engine, srv.Stopping()), srv.Options()...))
	srv.Handle(authv1connect.NewAuthServiceHandler(auth, srv.Options()...))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &deviceServer{url: "http://" + ln.Addr().String(), h: h, auth: auth}
}

// device runs `ordinator device args...` in this process.
func device(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(ctx, append([]string{"device"}, args...), &out, &errOut)
	return out.String(), errOut.String(), code
}

func mustDevice(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, errOut, code := device(t, context.Background(), args...)
	if code != 0 {
		t.Fatalf("ordinator device %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}

// liveLine is the status line --watch prints once the live subscription
// is open.
var liveLine = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d  live, `)

// syncBuffer collects a command's output while the test reads it.
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

func TestDeviceCommand(t *testing.T) {
	s := newDeviceServer(t)
	s.h.Grant("u1", "room:a")
	w := s.h.NewDevice("u1")
	for i := range 300 {
		w.Put(fmt.Sprintf("n%03d", i), "from the server", "room:a")
	}
	dir := t.TempDir()
	if _, errOut, code := device(t, context.Background(), "login", "--server", s.url, "--login", "doctor@example.com", "--password", "wrong", "--dir", dir); code != 1 || !strings.Contains(errOut, "wrong login or password") {
		t.Fatalf("bad password: exit %d: %s", code, errOut)
	}
	out, _ := mustDevice(t, "login", "--server", s.url, "--login", "doctor@example.com", "--password", "correct horse", "--dir", dir)
	if !strings.Contains(out, "logged in as Dr Ivanova (u1)") {
		t.Fatalf("login said %q", out)
	}
	out, _ = mustDevice(t, "sync", "--dir", dir)
	if !strings.Contains(out, "synced     online") || !strings.Contains(out, "0 pending") {
		t.Fatalf("sync said %q", out)
	}
	if s.auth.refreshes != 1 {
		t.Fatalf("%d refreshes of an expiring token, want 1", s.auth.refreshes)
	}
	out, _ = mustDevice(t, "list", "note", "--dir", dir, "--limit", "3")
	if !strings.Contains(out, "  n000  n000|from the server|1") || !strings.Contains(out, "3 of 300 records") {
		t.Fatalf("list said %q", out)
	}
	// The test collections' arguments are JSON on the wire: bytes to the
	// CLI, which knows no message for note.put, so they come from a file.
	put := filepath.Join(t.TempDir(), "put.binpb")
	if err := os.WriteFile(put, []byte(`{"id":"cli","text":"typed in a terminal","buckets":["room:a"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ = mustDevice(t, "mutate", "--dir", dir, "note.put", "@"+put)
	if !strings.Contains(out, "1 in the outbox") {
		t.Fatalf("mutate said %q", out)
	}
	mustDevice(t, "sync", "--dir", dir)
	if got := s.h.ServerNotes()["cli"]; got != "cli|typed in a terminal|1" {
		t.Fatalf("the server has %q", got)
	}
	out, _ = mustDevice(t, "status", "--dir", dir)
	for _, want := range []string{"user       Dr Ivanova (u1)", "bucket     room:a", "301 rows", "collection note", "301 records, 0 pending"} {
		if !strings.Contains(out, want) {
			t.Fatalf("status lacks %q:\n%s", want, out)
		}
	}

	// --watch follows live changes until interrupted.
	ctx, cancel := context.WithCancel(context.Background())
	var watchOut syncBuffer
	var watchCode int
	finished := make(chan struct{})
	go func() {
		watchCode = run(ctx, []string{"device", "sync", "--watch", "--dir", dir}, &watchOut, io.Discard)
		close(finished)
	}()
	servertest.Eventually(t, "the watch to go live", func() bool { return liveLine.MatchString(watchOut.String()) })
	w.Put("live", "while watching", "room:a")
	servertest.Eventually(t, "the watch to print the change", func() bool { return strings.Contains(watchOut.String(), "note changed") })
	cancel()
	<-finished
	if out := watchOut.String(); watchCode != 0 || !strings.Contains(out, "note changed") || !strings.Contains(out, "live") {
		t.Fatalf("watch: exit %d:\n%s", watchCode, out)
	}

	// A revoked device deletes its replica and its session.
	s.auth.revokeAll()
	_, errOut, code := device(t, context.Background(), "sync", "--dir", dir)
	if code != 1 || !strings.Contains(errOut, "revoked this device") {
		t.Fatalf("revoked: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "session.json")); !os.IsNotExist(err) {
		t.Fatal("the session survived the revocation")
	}
	if _, _, code := device(t, context.Background(), "status", "--dir", dir); code != 1 {
		t.Fatal("status works without a session")
	}
}

// TestDeviceToken: with --token the CLI works before AuthService exists,
// and shows its initial-sync progress.
func TestDeviceToken(t *testing.T) {
	s := newDeviceServer(t)
	s.h.Grant("u2", "room:b")
	s.auth.tokens["static"] = "u2"
	w := s.h.NewDevice("u2")
	for i := range 50 {
		w.Put(fmt.Sprintf("b%02d", i), "x", "room:b")
	}
	dir := t.TempDir()
	out, errOut := mustDevice(t, "sync", "--dir", dir, "--server", s.url, "--token", "static")
	if !strings.Contains(out, "synced     online") {
		t.Fatalf("sync said %q", out)
	}
	status, _ := mustDevice(t, "status", "--dir", dir, "--server", s.url, "--token", "static")
	if rows := heldRows(status); rows < 50 || !strings.Contains(errOut, fmt.Sprintf("initial sync: %d rows in ", rows)) {
		t.Fatalf("the initial sync of %d rows (the notes and their outcomes) said %q", rows, errOut)
	}
	out, _ = mustDevice(t, "list", "--dir", dir, "--server", s.url, "--token", "static", "--prefix", "id=b4", "note")
	if !strings.Contains(out, "10 of 10 records") {
		t.Fatalf("list said %q", out)
	}
	if _, errOut, code := device(t, context.Background(), "sync", "--dir", t.TempDir(), "--server", s.url); code != 1 || !strings.Contains(errOut, "not logged in") {
		t.Fatalf("no credentials: exit %d: %s", code, errOut)
	}
	if _, errOut, code := device(t, context.Background(), "list", "--dir", dir, "--token", "static"); code != 1 || !strings.Contains(errOut, "one collection") {
		t.Fatalf("list without a collection: exit %d: %s", code, errOut)
	}
}
