package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
)

// smokeLoad is a short, low-rate congress: every step runs a few times.
var smokeLoad = []string{"load", "--rate", "6/s", "--duration", "4s", "--session", "2s", "--think", "50ms",
	"--prepare", "16", "--items", "5", "--login-share", "0.3", "--quiz-share", "0.6", "--order-share", "0.6", "--flash-at", "1s",
	"--progress", "1s", "--p99", "1m"}

// checkLoad reads a load's JSON report and fails unless every step ran
// and none failed. Latencies are reported, never asserted.
func checkLoad(t *testing.T, code int, out, path string) loadReport {
	t.Helper()
	if code != 0 {
		t.Fatalf("load exit %d:\n%s", code, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep loadReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.OK || !strings.Contains(out, rep.Verdict) {
		t.Fatalf("verdict %q:\n%s", rep.Verdict, out)
	}
	ran := map[string]int{}
	for _, s := range rep.Steps {
		ran[s.Step] = s.Count
		if len(s.Errors) > 0 {
			t.Errorf("%s errors: %v", s.Step, s.Errors)
		}
	}
	for _, step := range loadSteps {
		if ran[step] == 0 {
			t.Errorf("step %s never ran:\n%s", step, out)
		}
	}
	if rep.SessionsStarted == 0 || rep.SessionsEnded != rep.SessionsStarted || rep.SessionsDropped != 0 || rep.PeakStreams == 0 {
		t.Errorf("sessions: %+v", rep)
	}
	if len(rep.Server) == 0 || rep.Server[0].RSSMiB <= 0 || rep.Server[0].CPUSeconds <= 0 {
		t.Errorf("server metrics: %+v", rep.Server)
	}
	// Every doctor pulls the same congress buckets: after the first pull
	// of each server they come from its page cache.
	var hits float64
	for _, s := range rep.Server {
		hits += s.PageCacheHits
	}
	if hits == 0 || !strings.Contains(out, "page cache") {
		t.Errorf("no page cache hit reported: %+v\n%s", rep.Server, out)
	}
	return rep
}

// TestLoadEmbedded: with no --url the generator starts an embedded server
// (SQLite) in its own process, prepares it and loads it.
func TestLoadEmbedded(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "report.json")
	code, out := runCLI(t, dir, append(smokeLoad, "--json-out", report)...)
	checkLoad(t, code, out, report)
}

// TestLoadTwoProcesses: two `ordinator serve` on one PostgreSQL, sessions
// round-robin over both, doctors and content prepared on the database.
func TestLoadTwoProcesses(t *testing.T) {
	url := testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	dir := t.TempDir()
	blobs := filepath.Join(dir, "blobs") // the one directory both replicas share
	a, b := start(t, dir, "--database-url", url, "--blob-dir", blobs), start(t, dir, "--database-url", url, "--blob-dir", blobs)
	report := filepath.Join(dir, "report.json")
	code, out := runCLI(t, dir, append(smokeLoad, "--url", a.url(), "--url", b.url(), "--metrics-url", a.metrics, "--metrics-url", b.metrics,
		"--database-url", url, "--blob-dir", blobs, "--json-out", report)...)
	rep := checkLoad(t, code, out, report)
	if len(rep.Server) != 2 || rep.Server[1].CPUSeconds <= 0 {
		t.Errorf("metrics of both servers: %+v", rep.Server)
	}
}

func TestLoadBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "--rate", "fast"}, `--rate "fast"`},
		{[]string{"load", "--rate", "10/h"}, "per second or minute"},
		{[]string{"load", "--quiz-share", "2"}, "--quiz-share 2: give a share between 0 and 1"},
		{[]string{"load", "--prepare", "0"}, "--prepare 0"},
		{[]string{"load", "--duration", "10s", "--flash-at", "1m"}, "--flash-at 1m0s is after the run ends"},
		{[]string{"load", "--url", "http://127.0.0.1:1"}, "needs their --database-url"},
	} {
		code, out := runCLI(t, t.TempDir(), tc.args...)
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, %q; want an error with %q", tc.args, code, out, tc.want)
		}
	}
}
