package sdk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// offline opens a replica pointed at a server that is never contacted.
func offline(t testing.TB, dir string, schema *sdk.Schema) *sdk.Replica {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	if schema == nil {
		schema = sdktest.Schema()
	}
	r, err := sdk.Open(context.Background(), sdk.Options{Dir: dir, ServerURL: "http://127.0.0.1:1", Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ids(recs []sdk.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func TestLocalWritesAndQueries(t *testing.T) {
	r := offline(t, "", nil)
	ctx := context.Background()
	for _, n := range []struct{ id, text string }{{"a", "Ivanov"}, {"b", "Ivanova"}, {"c", "Petrov"}, {"d", "Iva"}, {"e", "Sidorov"}} {
		_, err := r.Mutate(ctx, "note.put", sdktest.Args(n.id, n.text, "room:a"))
		must(t, err)
	}
	_, err := r.Mutate(ctx, "note.put", sdktest.Args("c", "Petrova", "room:a"))
	must(t, err)
	_, err = r.Mutate(ctx, "note.delete", sdktest.Args("e", "", "room:a"))
	must(t, err)

	rec, ok, err := r.Get(ctx, "note", "c")
	must(t, err)
	if !ok || string(rec.Payload) != "c|Petrova|2" || !rec.Pending {
		t.Fatalf("c = %+v", rec)
	}
	if _, ok, _ := r.Get(ctx, "note", "e"); ok {
		t.Fatal("a deleted note is still there")
	}
	tests := []struct {
		q    sdk.Query
		want []string
	}{
		{sdk.Query{Collection: "note"}, []string{"a", "b", "c", "d"}},
		{sdk.Query{Collection: "note", Where: []sdk.Filter{{Column: "text", Op: sdk.Prefix, Value: "Iva"}}, OrderBy: "text"}, []string{"d", "a", "b"}},
		{sdk.Query{Collection: "note", Where: []sdk.Filter{{Column: "text", Op: sdk.Prefix, Value: "Ivan"}}, OrderBy: "text", Desc: true}, []string{"b", "a"}},
		{sdk.Query{Collection: "note", Where: []sdk.Filter{{Column: "text", Op: sdk.Gt, Value: "J"}, {Column: "text", Op: sdk.Ne, Value: "Sidorov"}}}, []string{"c"}},
		{sdk.Query{Collection: "note", OrderBy: "text", Limit: 2, Offset: 1}, []string{"a", "b"}},
		{sdk.Query{Collection: "nothing-yet"}, nil},
	}
	for _, tc := range tests {
		got, err := r.Query(ctx, tc.q)
		must(t, err)
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.q, ids(got), tc.want)
		}
	}
	if n, err := r.Count(ctx, sdk.Query{Collection: "note", Where: []sdk.Filter{{Column: "pending", Op: sdk.Eq, Value: true}}}); err != nil || n != 4 {
		t.Fatalf("pending count %d, %v", n, err)
	}
	if _, err := r.Query(ctx, sdk.Query{Collection: "note", Where: []sdk.Filter{{Column: "payload", Op: sdk.Eq, Value: "x"}}}); err == nil {
		t.Fatal("filtering on the payload was accepted")
	}
	if _, err := r.Query(ctx, sdk.Query{Collection: "note", OrderBy: "text; DROP TABLE c_note"}); err == nil {
		t.Fatal("an unknown order column was accepted")
	}
	if st := r.Status(); st.Pending != 7 || !st.InitialSync {
		t.Fatalf("status %+v", st)
	}
}

func TestMutateRefused(t *testing.T) {
	r := offline(t, "", nil)
	ctx := context.Background()
	if _, err := r.Mutate(ctx, "note.put", []byte(`{"text":"no id"}`)); err == nil {
		t.Fatal("a mutation its optimistic apply refuses was queued")
	}
	if _, err := r.Mutate(ctx, "", nil); err == nil {
		t.Fatal("a nameless mutation was queued")
	}
	if _, err := r.Mutate(ctx, "x", make([]byte, sdk.MaxMutationArgs+1)); err == nil {
		t.Fatal("oversized arguments were queued")
	}
	if st := r.Status(); st.Pending != 0 {
		t.Fatalf("refused writes left %d in the outbox", st.Pending)
	}
	// A mutation with no optimistic apply is queued without local effect.
	_, err := r.Mutate(ctx, "case.submit", []byte("{}"))
	must(t, err)
	if st := r.Status(); st.Pending != 1 {
		t.Fatalf("status %+v", st)
	}
	s := sdk.NewSchema().AddMutation("bad.write", func(tx *sdk.LocalTx, _ []byte) error {
		return tx.Put("_outcome", "x", nil)
	})
	r2 := offline(t, "", s)
	if _, err := r2.Mutate(ctx, "bad.write", nil); !errors.Is(err, sdk.ErrInternalCollection) {
		t.Fatalf("writing a protocol collection: %v", err)
	}
}

func TestObserve(t *testing.T) {
	r := offline(t, "", nil)
	ctx := context.Background()
	var mu sync.Mutex
	var got []string
	stop := r.Observe("note", func(c string) { mu.Lock(); got = append(got, c); mu.Unlock() })
	statuses := make(chan sdk.Status, 10)
	r.ObserveStatus(func(s sdk.Status) { statuses <- s })
	_, err := r.Mutate(ctx, "note.put", sdktest.Args("a", "x", "room:a"))
	must(t, err)
	stop()
	_, err = r.Mutate(ctx, "note.put", sdktest.Args("b", "x", "room:a"))
	must(t, err)
	r.SetConnectivity(sdk.Offline)
	must(t, r.Close())
	if len(got) != 1 || got[0] != "note" {
		t.Fatalf("observed %v", got)
	}
	var last sdk.Status
	for len(statuses) > 0 {
		last = <-statuses
	}
	if last.Pending != 2 || last.Connectivity != sdk.Offline {
		t.Fatalf("last status %+v", last)
	}
}

// TestSchemaChange: reopening with new columns rebuilds the collection's
// table from the stored rows and replays the pending writes on top.
func TestSchemaChange(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	bare := sdk.NewSchema().AddMutation("note.put", sdktest.PutNote)
	r := offline(t, dir, bare)
	_, err := r.Mutate(ctx, "note.put", sdktest.Args("a", "Zed", "room:a"))
	must(t, err)
	if _, err := r.Query(ctx, sdk.Query{Collection: "note", Where: []sdk.Filter{{Column: "text", Op: sdk.Eq, Value: "Zed"}}}); err == nil {
		t.Fatal("queried a column the schema does not have")
	}
	must(t, r.Close())
	r = offline(t, dir, sdktest.Schema())
	got, err := r.Query(ctx, sdk.Query{Collection: "note", Where: []sdk.Filter{{Column: "text", Op: sdk.Eq, Value: "Zed"}}})
	must(t, err)
	if len(got) != 1 || !got[0].Pending {
		t.Fatalf("after the rebuild: %+v", got)
	}
}

func TestOneProcessPerReplica(t *testing.T) {
	dir := t.TempDir()
	offline(t, dir, nil)
	_, err := sdk.Open(context.Background(), sdk.Options{Dir: dir, ServerURL: "http://127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), "open in another process") {
		t.Fatalf("second open: %v", err)
	}
}

func TestClosed(t *testing.T) {
	r := offline(t, "", nil)
	must(t, r.Close())
	if _, err := r.Mutate(context.Background(), "note.put", sdktest.Args("a", "x")); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	if err := r.Sync(context.Background()); !errors.Is(err, sdk.ErrClosed) {
		t.Fatalf("sync after close: %v", err)
	}
}

// TestOfflineLoop: the loop does not busy-wait or call out while offline,
// and a server that does not answer shows in the status without wedging.
func TestOfflineLoop(t *testing.T) {
	r, err := sdk.Open(context.Background(), sdk.Options{
		Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: sdktest.Schema(),
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
	})
	must(t, err)
	defer r.Close()
	r.SetConnectivity(sdk.Offline)
	must(t, r.Start())
	servertest.Eventually(t, "the loop to wait for the network", func() bool { return r.Loop().Waiting == sdk.WaitNetwork })
	if st := r.Status(); st.LastError != "" || st.Syncing {
		t.Fatalf("offline loop tried the network: %+v", st)
	}
	if l := r.Loop(); l.Rounds != 1 || l.Waiting != sdk.WaitNetwork {
		t.Fatalf("the offline loop went round: %+v", l)
	}
	r.SetConnectivity(sdk.Online)
	servertest.Eventually(t, "an error from an unreachable server", func() bool { return r.Status().LastError != "" })
	if st := r.Status(); st.Online {
		t.Fatalf("status %+v", st)
	}
	r.Stop()
}
