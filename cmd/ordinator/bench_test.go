package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/probase/v1/probasev1connect"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// rssMiB reads a process's resident set size.
func rssMiB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkSubscriptions holds live Subscribe streams open on one
// `ordinator serve` process on PostgreSQL (10,000; ORDINATOR_BENCH_STREAMS
// sets another count, e.g. 50000), reports its resident memory per stream,
// and times how long one change takes to reach each stream: p50, p99 and
// the last one.
func BenchmarkSubscriptions(b *testing.B) {
	streams := 10_000
	if n, err := strconv.Atoi(os.Getenv("ORDINATOR_BENCH_STREAMS")); err == nil && n > 0 {
		streams = n
	}
	const perConn = 200 // below the server's 250 concurrent streams per connection
	conns := (streams + perConn - 1) / perConn
	url := testenv.PostgresURL(b, testenv.Template{Name: "empty", Version: "1"})
	p := start(b, b.TempDir(), "--demo", "--demo-on-production", "--database-url", url, "--blob-dir", b.TempDir())
	defer p.stop(b)
	ctx := context.Background()
	login := func(who string) string {
		res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, p.url()).Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: who, Password: demoPassword}))
		if err != nil {
			b.Fatal(err)
		}
		return res.Msg.Tokens.AccessToken
	}
	rep, admin := login("rep.north@demo.ordinator"), login("admin@demo.ordinator")
	before := rssMiB(p.cmd.Process.Pid)

	changed := make(chan time.Time, streams)
	var ready sync.WaitGroup
	ready.Add(streams)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for c := 0; c < conns; c++ {
		client := syncv1connect.NewSyncServiceClient(h2c(), p.url(), connect.WithGRPC(), servertest.WithToken(&rep))
		for i := c * perConn; i < min(streams, (c+1)*perConn); i++ {
			go func() {
				stream, err := client.Subscribe(sctx, connect.NewRequest(&syncv1.SubscribeRequest{ClientSchemaVersion: currentClientSchema}))
				if err != nil || !stream.Receive() {
					b.Errorf("subscribe: %v %v", err, stream.Err())
					ready.Done()
					return
				}
				ready.Done()
				for stream.Receive() {
					if stream.Msg().GetChanged() != nil {
						changed <- time.Now()
						return
					}
				}
			}()
		}
	}
	ready.Wait()
	held := rssMiB(p.cmd.Process.Pid)
	b.ResetTimer()
	start := time.Now()
	if _, err := probasev1connect.NewDirectoryServiceClient(http.DefaultClient, p.url(), servertest.WithToken(&admin)).CreateClinic(ctx,
		connect.NewRequest(&probasev1.CreateClinicRequest{Id: "bench-clinic", Name: "Bench", TerritoryId: "demo-north"})); err != nil {
		b.Fatal(err)
	}
	delays := make([]time.Duration, 0, streams)
	for len(delays) < streams {
		select {
		case at := <-changed:
			delays = append(delays, at.Sub(start))
		case <-time.After(60 * time.Second):
			b.Fatalf("only %d of %d streams heard the change", len(delays), streams)
		}
	}
	b.StopTimer()
	slices.Sort(delays)
	p50, p99, last := delays[len(delays)/2], delays[len(delays)*99/100], delays[len(delays)-1]
	perStream := (held - before) * 1024 / float64(streams)
	b.ReportMetric(float64(streams), "streams")
	b.ReportMetric(held, "server-RSS-MiB")
	b.ReportMetric(perStream, "KiB/stream")
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(last.Milliseconds()), "fanout-ms")
	b.Logf("%d live subscriptions on one process: RSS %.0f MiB (%.0f MiB before, %.1f KiB per stream); one change reached them in p50 %v, p99 %v, all %v",
		streams, held, before, perStream, p50, p99, last)
}
