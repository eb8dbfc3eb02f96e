package syncrpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
	"google.golang.org/protobuf/proto"
)

// tokens authenticates "Bearer <user>" for the test.
type tokens struct{}

func (tokens) Authenticate(_ context.Context, _ string, h http.Header) (syncengine.Principal, error) {
	user, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
	if !ok || user == "" {
		return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "no token")
	}
	return syncengine.Principal{UserID: user}, nil
}

type server struct {
	h      *storetest.Harness
	url    string
	cancel context.CancelFunc
	done   chan error
}

func startServer(t testing.TB) *server {
	t.Helper()
	clock := storetest.NewClock()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	h := storetest.NewHarness(t, store, clock, syncengine.Config{MinClientSchema: 2, Heartbeat: time.Hour, EncodeOutcome: syncrpc.EncodeOutcome})
	srv, err := rpc.New(rpc.Config{Auth: tokens{}, ShutdownGrace: 5 * time.Second, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(syncv1connect.NewSyncServiceHandler(syncrpc.New(h.Engine, srv.Stopping()), srv.Options()...))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{h: h, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-s.done })
	return s
}

func client(s *server, user string) syncv1connect.SyncServiceClient {
	return syncv1connect.NewSyncServiceClient(http.DefaultClient, s.url, connect.WithInterceptors(bearer(user)))
}

type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if b != "" {
			req.Header().Set("Authorization", "Bearer "+string(b))
		}
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if b != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		}
		return conn
	}
}

func (bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

func note(id string, buckets ...string) []byte {
	b, _ := json.Marshal(storetest.NoteArgs{ID: id, Text: "t", Buckets: buckets})
	return b
}

func detail(t *testing.T, err error) *commonv1.ErrorDetail {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a connect error: %v", err)
	}
	for _, d := range ce.Details() {
		v, err := d.Value()
		if err != nil {
			t.Fatal(err)
		}
		if ed, ok := v.(*commonv1.ErrorDetail); ok {
			return ed
		}
	}
	t.Fatalf("no ErrorDetail on %v", err)
	return nil
}

func TestPushPullSubscribe(t *testing.T) {
	s := startServer(t)
	s.h.Grant("u1", "room:a")
	c := client(s, "u1")
	ctx := context.Background()

	stream, err := c.Subscribe(ctx, connect.NewRequest(&syncv1.SubscribeRequest{ClientSchemaVersion: 2}))
	if err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() || stream.Msg().GetHeartbeat() == nil {
		t.Fatalf("first message %v, %v: want a heartbeat", stream.Msg(), stream.Err())
	}

	push, err := c.Push(ctx, connect.NewRequest(&syncv1.PushRequest{ClientId: "c1", ClientSchemaVersion: 2, Mutations: []*syncv1.Mutation{
		{Seq: 1, Name: "note.put", Args: note("n1", "room:a")},
		{Seq: 2, Name: "note.reject", Args: note("n2", "room:a")},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	outs := push.Msg.Outcomes
	if outs[0].Status != syncv1.OutcomeStatus_OUTCOME_STATUS_APPLIED || string(outs[0].Result) != "1" {
		t.Fatalf("outcome 1: %v", outs[0])
	}
	if outs[1].Status != syncv1.OutcomeStatus_OUTCOME_STATUS_REJECTED || outs[1].Rejection.Code != "invalid" || outs[1].Rejection.Violations[0].Field != "text" {
		t.Fatalf("outcome 2: %v", outs[1])
	}

	if !stream.Receive() {
		t.Fatal(stream.Err())
	}
	if got := stream.Msg().GetChanged().GetBuckets(); len(got) == 0 {
		t.Fatalf("want a change event, got %v", stream.Msg())
	}

	pull, err := c.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientId: "c1", ClientSchemaVersion: 2}))
	if err != nil {
		t.Fatal(err)
	}
	cp := pull.Msg.Checkpoint
	if cp == nil || cp.LastMutationSeq != 2 || pull.Msg.HasMore {
		t.Fatalf("pull: %v", pull.Msg)
	}
	var outcomes int
	for _, ch := range pull.Msg.Changes {
		if ch.Collection == syncengine.OutcomeCollection {
			var o syncv1.Outcome
			if err := proto.Unmarshal(ch.Payload, &o); err != nil {
				t.Fatal(err)
			}
			outcomes++
		}
	}
	if outcomes != 2 {
		t.Fatalf("%d outcome records synced, want 2", outcomes)
	}
}

func TestErrors(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := client(s, "u1")

	_, err := client(s, "").Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 2}))
	if connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("no token: %v", err)
	}
	_, err = c.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 1}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition || !strings.Contains(err.Error(), "update") {
		t.Fatalf("old schema: %v", err)
	}
	// protovalidate rejects the message before the engine sees it.
	_, err = c.Push(ctx, connect.NewRequest(&syncv1.PushRequest{ClientId: strings.Repeat("x", 65), ClientSchemaVersion: 2}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("invalid push: %v", err)
	}
	fields := map[string]bool{}
	for _, v := range detail(t, err).Violations {
		fields[v.Field] = true
	}
	if !fields["client_id"] || !fields["mutations"] {
		t.Fatalf("violations name %v, want client_id and mutations", fields)
	}
	// The engine's own checks map to codes with details too.
	_, err = c.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 2, Cursors: []*syncv1.BucketCursor{{Bucket: "room:a", After: -5}}}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || detail(t, err).Violations[0].Field != "cursors[0].after" {
		t.Fatalf("negative cursor: %v", err)
	}
	_, err = c.Push(ctx, connect.NewRequest(&syncv1.PushRequest{ClientId: "c", ClientSchemaVersion: 2, Mutations: []*syncv1.Mutation{{Seq: 3, Name: "note.put", Args: note("n")}}}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition || !strings.Contains(err.Error(), "gap") {
		t.Fatalf("gap: %v", err)
	}
	// A malformed body is a Connect error, never a crash.
	resp, err := http.Post(s.url+syncv1connect.SyncServicePushProcedure, "application/proto", strings.NewReader("\xff\xff\xff"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode >= 500 {
		t.Fatalf("malformed body: %s", resp.Status)
	}
}

// TestShutdownEndsStreams: a server shutting down ends live subscriptions
// cleanly (the client sees the end of the stream, not an error).
func TestShutdownEndsStreams(t *testing.T) {
	s := startServer(t)
	stream, err := client(s, "u1").Subscribe(context.Background(), connect.NewRequest(&syncv1.SubscribeRequest{ClientSchemaVersion: 2}))
	if err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() {
		t.Fatal(stream.Err())
	}
	s.cancel()
	for stream.Receive() {
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream ended with %v, want a clean end", err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
		s.done <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
}
