package syncrpc_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

var pgTemplate = testenv.Template{
	Name:    "syncengine",
	Version: storetest.SchemaVersion(postgres.Migrations()),
	Migrate: func(ctx context.Context, url string) error {
		s, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Migrate(ctx, "storetest", storetest.Migrations())
	},
}

// pgServer serves the sync service over an engine on a fresh PostgreSQL
// database.
func pgServer(b *testing.B, o postgres.Options) (*postgres.Store, *storetest.Harness, string) {
	b.Helper()
	o.MaxConns = 8
	store, err := postgres.Open(context.Background(), testenv.PostgresURL(b, pgTemplate), o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(store.Close)
	h := storetest.NewHarness(b, store, storetest.NewClock(), syncengine.Config{EncodeOutcome: syncrpc.EncodeOutcome, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv, err := rpc.New(rpc.Config{Auth: tokens{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ShutdownGrace: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	srv.Handle(syncv1connect.NewSyncServiceHandler(syncrpc.New(h.Engine, srv.Stopping()), srv.Options()...))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
	return store, h, "http://" + ln.Addr().String()
}

// BenchmarkPullInitial measures an initial download of a 100,000-row
// bucket from PostgreSQL through the Connect API into decoded pages, and in
// the same run a plain pgx read of the same rows. The shared-bucket page
// cache is off, so every iteration reads the database, as the plain read
// does.
func BenchmarkPullInitial(b *testing.B) {
	const rows = 100_000
	store, h, url := pgServer(b, postgres.Options{PageCacheBytes: -1})
	h.Grant("u1", "room:big")
	ctx := context.Background()
	payload := make([]byte, 120)
	for start := 0; start < rows; start += 10_000 {
		err := store.Update(ctx, func(tx syncengine.Tx) error {
			for i := start; i < start+10_000; i++ {
				tx.Put("note", fmt.Sprintf("n%06d", i), payload, "room:big")
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// As autovacuum would by now on a server: without statistics the
	// planner takes the 100,000 fresh rows for a handful and sorts the
	// rest of the bucket for every page, and whichever read came first
	// would set the rows' hint bits for the other.
	if _, err := store.Pool().Exec(ctx, `VACUUM ANALYZE sync_changes, sync_buckets, sync_records`); err != nil {
		b.Fatal(err)
	}
	c := syncv1connect.NewSyncServiceClient(http.DefaultClient, url, connect.WithInterceptors(bearer("u1")), connect.WithReadMaxBytes(64<<20))
	viaAPI := func() {
		var cursors []*syncv1.BucketCursor
		got := 0
		for {
			res, err := c.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientId: "bench", ClientSchemaVersion: 1, Cursors: cursors, MaxRows: 10_000}))
			if err != nil {
				b.Fatal(err)
			}
			got += len(res.Msg.Changes)
			cursors = res.Msg.Cursors
			if res.Msg.Checkpoint != nil {
				break
			}
		}
		if got < rows {
			b.Fatalf("pulled %d rows, want %d", got, rows)
		}
	}
	// The server's part alone, without HTTP or the client's decoding:
	// the engine's pull and the page's encoding into protobuf bytes.
	viaEngine := func() {
		var cursors []syncengine.Cursor
		for {
			r, err := h.Engine.Pull(ctx, syncengine.Principal{UserID: "u1"}, syncengine.PullRequest{ClientID: "bench", SchemaVersion: 1, Cursors: cursors, MaxRows: 10_000})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := proto.Marshal(syncrpc.PullProto(r, time.Now())); err != nil {
				b.Fatal(err)
			}
			cursors = r.Cursors
			if r.Checkpoint != nil {
				break
			}
		}
	}
	plain := func() {
		r, err := store.Pool().Query(ctx, `SELECT seq, collection, record_id, op, payload FROM sync_changes WHERE bucket = $1 ORDER BY seq`, "room:big")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for r.Next() {
			var seq, op int64
			var coll, id string
			var p []byte
			r.Scan(&seq, &coll, &id, &op, &p)
			n++
		}
		r.Close()
		if n != rows {
			b.Fatalf("raw read %d rows", n)
		}
	}
	// The three take turns in every iteration, so that on a shared
	// machine each meets the same passing load.
	var api, engine, raw time.Duration
	var apiAllocs, engineAllocs uint64
	measure := func(f func(), d *time.Duration, allocs *uint64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		f()
		*d += time.Since(start)
		runtime.ReadMemStats(&after)
		if allocs != nil {
			*allocs += after.Mallocs - before.Mallocs
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		measure(viaAPI, &api, &apiAllocs)
		b.StopTimer()
		measure(viaEngine, &engine, &engineAllocs)
		measure(plain, &raw, nil)
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N * rows)
	perSec, rawPerSec := n/api.Seconds(), n/raw.Seconds()
	b.ReportMetric(perSec, "rows/s")
	b.ReportMetric(rawPerSec, "raw-rows/s")
	b.ReportMetric(perSec/rawPerSec, "ratio-to-raw")
	b.ReportMetric(n/engine.Seconds(), "server-rows/s")
	b.ReportMetric(float64(apiAllocs)/n, "allocs/row")
	b.ReportMetric(float64(engineAllocs)/n, "server-allocs/row")
	b.Logf("initial pull: %.0f rows/s through Connect; plain pgx select %.0f rows/s; ratio %.2f; the engine's pull and encoding alone %.0f rows/s; %.2f allocations a row in all (server and client), %.3f in the engine's pull and encoding",
		perSec, rawPerSec, perSec/rawPerSec, n/engine.Seconds(), float64(apiAllocs)/n, float64(engineAllocs)/n)
}

// BenchmarkLiveLatency measures the time from the start of a committing
// write to its Subscribe notification arriving at a Connect client.
func BenchmarkLiveLatency(b *testing.B) {
	store, h, url := pgServer(b, postgres.Options{})
	h.Grant("u1", "room:a")
	c := syncv1connect.NewSyncServiceClient(h2cClient(), url, connect.WithInterceptors(bearer("u1")), connect.WithGRPC())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := c.Subscribe(ctx, connect.NewRequest(&syncv1.SubscribeRequest{ClientSchemaVersion: 1}))
	if err != nil {
		b.Fatal(err)
	}
	if !stream.Receive() {
		b.Fatal(stream.Err())
	}
	events := make(chan time.Time, 16)
	go func() {
		for stream.Receive() {
			if stream.Msg().GetChanged() != nil {
				events <- time.Now()
			}
		}
	}()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		err := store.Update(ctx, func(tx syncengine.Tx) error {
			tx.Put("note", "live", []byte(fmt.Sprint(i)), "room:a")
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		select {
		case t1 := <-events:
			lat = append(lat, t1.Sub(t0))
		case <-time.After(5 * time.Second):
			b.Fatal("no notification within 5s")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.Logf("commit to Subscribe delivery over %d writes: p50 %v, p99 %v", len(lat), p50, p99)
}

func h2cClient() *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p}}
}

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
