package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// TestPushTrace: one push on PostgreSQL makes one trace, from the RPC's
// span through the engine's push down to its SQL statements, and no span
// carries the pusher's identity or the mutation's arguments.
func TestPushTrace(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := newTracerProvider(sdktrace.WithSyncer(spans), "local")
	p := startPlatform(t, platformOptions{Postgres: true, Tracing: tp})
	p.User(auth.RoleDoctor, "traced@ordinator.test")
	ctx := context.Background()
	token := p.Login("traced@ordinator.test").GetTokens().GetAccessToken()
	secret := "Secret Recipient Name"
	args, _ := proto.Marshal(&giftsv1.CancelOrderArgs{OrderId: "6f1c1d4e-8a8f-4c39-9d7e-3d2c5f3b9a10"})
	args = append(args, []byte(secret)...)
	spans.Reset()
	if _, err := syncv1connect.NewSyncServiceClient(http.DefaultClient, p.URL, servertest.WithToken(&token)).Push(ctx, connect.NewRequest(&syncv1.PushRequest{
		ClientId: "traced-phone", ClientSchemaVersion: currentClientSchema,
		Mutations: []*syncv1.Mutation{{Seq: 1, Name: giftsv1.CancelOrderMutation, Args: args}}})); err != nil {
		t.Fatal(err)
	}
	if err := tp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	all := spans.GetSpans()
	byID := map[string]string{}
	traces := map[string]bool{}
	for _, s := range all {
		byID[s.SpanContext.SpanID().String()] = s.Name
		traces[s.SpanContext.TraceID().String()] = true
		for _, a := range s.Attributes {
			if v := a.Value.String(); strings.Contains(v, "traced@ordinator.test") || strings.Contains(v, secret) || strings.Contains(v, token) {
				t.Errorf("span %s carries %s = %q", s.Name, a.Key, v)
			}
		}
	}
	// below says whether a span descends from one named name.
	parents := map[string]string{}
	for _, s := range all {
		parents[s.SpanContext.SpanID().String()] = s.Parent.SpanID().String()
	}
	below := func(id, name string) bool {
		for id = parents[id]; id != "" && byID[id] != ""; id = parents[id] {
			if byID[id] == name {
				return true
			}
		}
		return false
	}
	rpcName := strings.TrimPrefix(syncv1connect.SyncServicePushProcedure, "/")
	var rpcSpans, pushSpans, sqlUnderPush int
	for _, s := range all {
		id := s.SpanContext.SpanID().String()
		switch {
		case s.Name == rpcName:
			rpcSpans++
		case s.Name == "syncengine.Push":
			pushSpans++
			if !below(id, rpcName) {
				t.Errorf("the engine's push span is not under the RPC's")
			}
		case below(id, "syncengine.Push"):
			sqlUnderPush++
		}
	}
	t.Logf("%d spans: %v", len(all), byID)
	if len(traces) != 1 || rpcSpans != 1 || pushSpans != 1 || sqlUnderPush == 0 {
		t.Fatalf("%d traces, %d RPC spans, %d push spans, %d spans under the push; want 1, 1, 1 and SQL: %v", len(traces), rpcSpans, pushSpans, sqlUnderPush, byID)
	}
}
