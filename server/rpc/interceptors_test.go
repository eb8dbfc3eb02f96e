package rpc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// connectError returns err as a *connect.Error of the code wanted.
func connectError(t *testing.T, err error, want connect.Code) *connect.Error {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != want {
		t.Fatalf("error %v, want code %v", err, want)
	}
	return ce
}

func TestAuthentication(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, rpc.Config{Auth: tokens{}})

			_, err := k.call(e, "", valid)
			if ce := connectError(t, err, connect.CodeUnauthenticated); ce.Message() != "sign in: no token" {
				t.Errorf("without a token: %q", ce.Message())
			}
			if _, ran := e.ran(); ran {
				t.Error("the handler ran without credentials")
			}

			_, err = k.call(e, "revoked", valid)
			ce := connectError(t, err, connect.CodeUnauthenticated)
			if _, others := errorDetails(t, ce); len(others) != 1 || others[0].(*syncv1.DeviceRevoked).GetDeviceId() != "d-revoked" {
				t.Errorf("a revoked device's error carries %v, want its DeviceRevoked", others)
			}
			if _, ran := e.ran(); ran {
				t.Error("the handler ran for a revoked device")
			}

			if _, err := k.call(e, "user-1", valid); err != nil {
				t.Fatal(err)
			}
			if p, ran := e.ran(); !ran || p.UserID != "user-1" || p.DeviceID != "d-user-1" {
				t.Errorf("the handler ran (%v) as %+v, want user-1 on d-user-1", ran, p)
			}
		})
	}
}

func TestAuthenticationPublic(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, rpc.Config{Auth: tokens{}, Public: []string{k.procedure}})
			for _, token := range []string{"", "revoked"} {
				if _, err := k.call(e, token, valid); err != nil {
					t.Fatalf("a public call with token %q: %v", token, err)
				}
				if p, ran := e.ran(); !ran || p != (syncengine.Principal{}) {
					t.Errorf("a public call with token %q ran (%v) as %+v, want anonymously", token, ran, p)
				}
			}
			if _, err := k.call(e, "user-1", valid); err != nil {
				t.Fatal(err)
			}
			if p, _ := e.ran(); p.UserID != "user-1" {
				t.Errorf("a public call with credentials ran as %+v, want user-1", p)
			}
		})
	}
	t.Run("no authenticator", func(t *testing.T) {
		e := newEnv(t, rpc.Config{})
		for _, k := range kinds {
			if _, err := k.call(e, "", valid); err != nil {
				t.Fatalf("%s: %v", k.name, err)
			}
			if p, ran := e.ran(); !ran || p != (syncengine.Principal{}) {
				t.Errorf("%s ran (%v) as %+v, want anonymously", k.name, ran, p)
			}
		}
	})
}

func TestValidation(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, rpc.Config{Auth: tokens{}})
			_, err := k.call(e, "user-1", invalid)
			ce := connectError(t, err, connect.CodeInvalidArgument)
			detail, _ := errorDetails(t, ce)
			if v := detail.GetViolations(); detail.GetCode() != syncengine.EINVALID || len(v) != 1 || v[0].GetField() != "client_id" || v[0].GetDescription() == "" {
				t.Errorf("detail %v, want one violation of client_id", detail)
			}
			if _, ran := e.ran(); ran {
				t.Error("the handler ran for an invalid request")
			}
		})
	}
}

func TestRequestLimit(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, rpc.Config{Auth: tokens{}})
			_, err := k.call(e, "user-1", oversized)
			connectError(t, err, connect.CodeResourceExhausted)
			if _, ran := e.ran(); ran {
				t.Error("the handler ran for an oversized request")
			}
			if _, err := k.call(e, "user-1", valid); err != nil {
				t.Errorf("a request within the limit: %v", err)
			}
		})
	}
}

func TestRecovery(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, rpc.Config{Auth: tokens{}})
			e.svc.do(func(context.Context) error { panic("the handler's own bug") })
			_, err := k.call(e, "user-1", valid)
			if ce := connectError(t, err, connect.CodeInternal); ce.Message() != "internal error" {
				t.Errorf("a panic reached the client as %q", ce.Message())
			}
			if e.logLine("level=ERROR", "handler panicked", k.procedure, "the handler's own bug") == "" {
				t.Errorf("the panic was not logged with the procedure and its value:\n%s", e.logs)
			}
			e.svc.do(nil)
			if _, err := k.call(e, "user-1", valid); err != nil {
				t.Errorf("the next call after a panic: %v", err)
			}
		})
	}
}

// TestObserver checks what every call leaves behind: the domain's error as
// the client sees it, a log line and the metrics, for unary calls and
// streams.
func TestObserver(t *testing.T) {
	const secret = "dial tcp 10.1.2.3:5432: password authentication failed"
	cases := []struct {
		name    string
		do      func(context.Context) error
		code    connect.Code
		message string
		level   string
	}{
		{"ok", nil, 0, "", "level=DEBUG"},
		{"domain error", func(context.Context) error { return syncengine.Errorf(syncengine.ENOTFOUND, "no such doctor") },
			connect.CodeNotFound, "no such doctor", "level=INFO"},
		{"conflict", func(context.Context) error {
			return syncengine.Errorf(syncengine.ECONFLICT, "the doctor changed meanwhile")
		}, connect.CodeAborted, "the doctor changed meanwhile", "level=INFO"},
		{"internal error", func(context.Context) error { return errors.New(secret) },
			connect.CodeInternal, "internal error", "level=INFO"},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, rpc.Config{Auth: tokens{}})
			for i, c := range cases {
				e.svc.do(c.do)
				received, err := k.call(e, "user-1", valid)
				codeName := "ok"
				if c.code == 0 {
					if err != nil {
						t.Fatalf("%s: %v", c.name, err)
					}
				} else {
					ce := connectError(t, err, c.code)
					codeName = c.code.String()
					if ce.Message() != c.message || strings.Contains(ce.Error(), "password") {
						t.Errorf("%s reached the client as %q, want %q", c.name, ce.Message(), c.message)
					}
					if detail, _ := errorDetails(t, ce); detail.GetMessage() != c.message || strings.Contains(detail.String(), "password") {
						t.Errorf("%s: detail %v, want the message %q alone", c.name, detail, c.message)
					}
				}
				if k.name == "stream" && received != 1 {
					t.Errorf("%s: the stream delivered %d messages before it ended, want 1", c.name, received)
				}
				if e.logLine(c.level, "msg=rpc", "procedure="+k.procedure, "code="+codeName, "duration=") == "" {
					t.Errorf("%s: no rpc log line at %s with the procedure and code %s:\n%s", c.name, c.level, codeName, e.logs)
				}
				if got := e.metric(t, "ordinator_rpc_requests_total", label("procedure", k.procedure), label("code", codeName)); got != 1 {
					t.Errorf("%s: ordinator_rpc_requests_total{code=%q} = %v, want 1", c.name, codeName, got)
				}
				if got := e.metric(t, "ordinator_rpc_duration_seconds_count", label("procedure", k.procedure)); got != float64(i+1) {
					t.Errorf("%s: %v durations observed, want %d", c.name, got, i+1)
				}
			}
			if e.logLine(secret, "level=ERROR", "procedure="+k.procedure) == "" {
				t.Errorf("the internal error's cause was not logged at ERROR with the procedure:\n%s", e.logs)
			}
		})
	}
}

// TestOpenStreams checks the gauge of open server streams while a stream
// is open and after it ends.
func TestOpenStreams(t *testing.T) {
	e := newEnv(t, rpc.Config{Auth: tokens{}})
	release := make(chan struct{})
	e.svc.do(func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	req := connect.NewRequest(&syncv1.SubscribeRequest{ClientId: "client-1"})
	bearer(req.Header(), "user-1")
	st, err := e.client.Subscribe(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if !st.Receive() {
		t.Fatalf("no first message: %v", st.Err())
	}
	open := label("procedure", syncv1connect.SyncServiceSubscribeProcedure)
	if got := e.metric(t, "ordinator_rpc_open_streams", open); got != 1 {
		t.Errorf("%v streams open while one is, want 1", got)
	}
	close(release)
	for st.Receive() {
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	if got := e.metric(t, "ordinator_rpc_open_streams", open); got != 0 {
		t.Errorf("%v streams open after the stream ended, want 0", got)
	}
}
