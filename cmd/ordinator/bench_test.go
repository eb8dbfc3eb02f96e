package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
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

// BenchmarkSubscriptions holds 10,000 live Subscribe streams open on one
// `ordinator serve` process on PostgreSQL, reports its resident memory, and
// times how long one change takes to reach every stream.
func BenchmarkSubscriptions(b *testing.B) {
	const streams, conns = 10_000, 50
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
		for i := 0; i < streams/conns; i++ {
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
	var last time.Time
	for i := 0; i < streams; i++ {
		select {
		case last = <-changed:
		case <-time.After(60 * time.Second):
			b.Fatalf("only %d of %d streams heard the change", i, streams)
		}
	}
	fanout := last.Sub(start)
	b.StopTimer()
	b.ReportMetric(streams, "streams")
	b.ReportMetric(held, "server-RSS-MiB")
	b.ReportMetric(float64(fanout.Milliseconds()), "fanout-ms")
	b.Logf("%d live subscriptions on one process: RSS %.0f MiB (%.0f MiB before); one change reached all of them in %v", streams, held, before, fanout)
}
