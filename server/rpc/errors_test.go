package rpc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// logBuffer collects a logger's lines; the server writes them from its own
// goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// errorDetails decodes the details of a Connect error: the ErrorDetail
// every mapped error carries, and the others by type name.
func errorDetails(t *testing.T, err *connect.Error) (*commonv1.ErrorDetail, []proto.Message) {
	t.Helper()
	var detail *commonv1.ErrorDetail
	var others []proto.Message
	for _, d := range err.Details() {
		v, derr := d.Value()
		if derr != nil {
			t.Fatalf("undecodable error detail %s: %v", d.Type(), derr)
		}
		if ed, ok := v.(*commonv1.ErrorDetail); ok {
			if detail != nil {
				t.Fatalf("two ErrorDetails: %v and %v", detail, ed)
			}
			detail = ed
			continue
		}
		others = append(others, v)
	}
	return detail, others
}

func TestToConnectCodes(t *testing.T) {
	cases := []struct {
		code string
		want connect.Code
	}{
		{syncengine.EINVALID, connect.CodeInvalidArgument},
		{syncengine.ENOTFOUND, connect.CodeNotFound},
		{syncengine.ECONFLICT, connect.CodeAborted},
		{syncengine.EPERMISSION, connect.CodePermissionDenied},
		{syncengine.EUNAUTHENTICATED, connect.CodeUnauthenticated},
		{syncengine.EPRECONDITION, connect.CodeFailedPrecondition},
		{syncengine.ERATELIMIT, connect.CodeResourceExhausted},
		{syncengine.EUNAVAILABLE, connect.CodeUnavailable},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			log, logs := newLogger()
			msg := "the " + c.code + " message"
			// Wrapped, as the domain's errors usually are on their way up.
			err := fmt.Errorf("loading the doctor: %w", syncengine.Errorf(c.code, "%s", msg))
			var ce *connect.Error
			if !errors.As(rpc.ToConnect(context.Background(), log, "/p/Q", err), &ce) {
				t.Fatalf("ToConnect returned no *connect.Error")
			}
			if ce.Code() != c.want || ce.Message() != msg {
				t.Errorf("got %v %q, want %v %q", ce.Code(), ce.Message(), c.want, msg)
			}
			detail, others := errorDetails(t, ce)
			if detail.GetCode() != c.code || detail.GetMessage() != msg || len(others) != 0 {
				t.Errorf("details %v %v, want one ErrorDetail{%s, %q}", detail, others, c.code, msg)
			}
			// Unavailable (a race retried out, a store down) is worth a
			// warning for operators; the other codes are the caller's.
			l := logs.String()
			if c.code == syncengine.EUNAVAILABLE {
				if !strings.Contains(l, "level=WARN") || !strings.Contains(l, "procedure=/p/Q") {
					t.Errorf("an unavailable error was not logged as a warning with its procedure: %q", l)
				}
			} else if l != "" {
				t.Errorf("a %s error was logged: %s", c.code, l)
			}
		})
	}
}

func TestToConnectViolations(t *testing.T) {
	log, _ := newLogger()
	err := syncengine.Invalid("the doctor cannot be saved",
		syncengine.Violation{Field: "phones[0]", Description: "must be a phone number"},
		syncengine.Violation{Field: "specialty", Description: "must be one of dermatology, cosmetology"})
	var ce *connect.Error
	if !errors.As(rpc.ToConnect(context.Background(), log, "/p/Q", err), &ce) {
		t.Fatal("ToConnect returned no *connect.Error")
	}
	if ce.Code() != connect.CodeInvalidArgument || ce.Message() != "the doctor cannot be saved" {
		t.Errorf("got %v %q", ce.Code(), ce.Message())
	}
	detail, _ := errorDetails(t, ce)
	back := rpc.FromDetail(detail)
	if back.Code != syncengine.EINVALID || back.Message != err.Message || len(back.Violations) != 2 ||
		back.Violations[0] != err.Violations[0] || back.Violations[1] != err.Violations[1] {
		t.Errorf("the detail decodes to %+v, want %+v", back, err)
	}
}

// TestToConnectInternal checks that an internal error reaches the client as
// "internal error" and nothing else, and the log with its cause.
func TestToConnectInternal(t *testing.T) {
	const secret = "password authentication failed for user ordinator_prod"
	for name, err := range map[string]error{
		"uncoded":        fmt.Errorf("loading users: %w", errors.New(secret)),
		"coded internal": syncengine.Errorf(syncengine.EINTERNAL, "%s", secret),
	} {
		t.Run(name, func(t *testing.T) {
			log, logs := newLogger()
			var ce *connect.Error
			if !errors.As(rpc.ToConnect(context.Background(), log, "/ordinator.x.v1.X/Y", err), &ce) {
				t.Fatal("ToConnect returned no *connect.Error")
			}
			if ce.Code() != connect.CodeInternal || ce.Message() != "internal error" {
				t.Errorf("got %v %q, want internal \"internal error\"", ce.Code(), ce.Message())
			}
			detail, others := errorDetails(t, ce)
			if detail.GetCode() != syncengine.EINTERNAL || detail.GetMessage() != "internal error" || len(detail.GetViolations()) != 0 || len(others) != 0 {
				t.Errorf("details %v %v, want only ErrorDetail{internal, \"internal error\"}", detail, others)
			}
			if strings.Contains(ce.Error(), "password") {
				t.Errorf("the client's error shows the cause: %v", ce)
			}
			if l := logs.String(); !strings.Contains(l, secret) || !strings.Contains(l, "/ordinator.x.v1.X/Y") || !strings.Contains(l, "level=ERROR") {
				t.Errorf("the log does not show the cause and the procedure at level ERROR: %s", l)
			}
		})
	}
}

func TestToConnectPassThrough(t *testing.T) {
	log, logs := newLogger()
	ctx := context.Background()
	if err := rpc.ToConnect(ctx, log, "/p/Q", nil); err != nil {
		t.Errorf("ToConnect(nil) = %v", err)
	}
	own := connect.NewError(connect.CodeResourceExhausted, errors.New("message too large"))
	if got := rpc.ToConnect(ctx, log, "/p/Q", fmt.Errorf("read: %w", own)); got != own {
		t.Errorf("a Connect error became %v", got)
	}
	for err, want := range map[error]connect.Code{
		fmt.Errorf("pulling: %w", context.Canceled):         connect.CodeCanceled,
		fmt.Errorf("pulling: %w", context.DeadlineExceeded): connect.CodeDeadlineExceeded,
	} {
		if got := connect.CodeOf(rpc.ToConnect(ctx, log, "/p/Q", err)); got != want {
			t.Errorf("%v became %v, want %v", err, got, want)
		}
	}
	if l := logs.String(); l != "" {
		t.Errorf("logged: %s", l)
	}
}

func TestToConnectExtraDetails(t *testing.T) {
	log, _ := newLogger()
	var ce *connect.Error
	if !errors.As(rpc.ToConnect(context.Background(), log, "/p/Q", fmt.Errorf("refreshing: %w", &auth.RevokedError{DeviceID: "d-1"})), &ce) {
		t.Fatal("ToConnect returned no *connect.Error")
	}
	if ce.Code() != connect.CodeUnauthenticated || ce.Message() != (&auth.RevokedError{}).Error() {
		t.Errorf("got %v %q", ce.Code(), ce.Message())
	}
	detail, others := errorDetails(t, ce)
	if detail.GetCode() != syncengine.EUNAUTHENTICATED || len(others) != 1 {
		t.Fatalf("details %v %v, want the ErrorDetail and a DeviceRevoked", detail, others)
	}
	if dr, ok := others[0].(*syncv1.DeviceRevoked); !ok || dr.GetDeviceId() != "d-1" {
		t.Errorf("extra detail %v, want DeviceRevoked{d-1}", others[0])
	}
}
