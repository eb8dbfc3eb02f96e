package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
)

// TestServeWithReadReplica: two servers whose pulls read a hot standby of
// their PostgreSQL (--database-read-url) carry the congress load —
// sign-ins, pulls, live streams, quiz and order pushes — with no error.
func TestServeWithReadReplica(t *testing.T) {
	primary := testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	standby := testenv.NewStandby(t, primary)
	dir := t.TempDir()
	db := []string{"--database-url", primary, "--blob-dir", filepath.Join(dir, "blobs")}
	serve := append([]string{"--database-read-url", standby.URL}, db...)
	a, b := start(t, dir, serve...), start(t, dir, serve...)
	report := filepath.Join(dir, "report.json")
	args := append(append([]string{}, smokeLoad...), "--url", a.url(), "--url", b.url(), "--metrics-url", a.metrics, "--json-out", report)
	code, out := runCLI(t, dir, append(args, db...)...)
	checkLoad(t, code, out, report)
}

func TestReadReplicaFlag(t *testing.T) {
	code, out := runCLI(t, t.TempDir(), "serve", "--database-read-url", "postgres://replica")
	if want := "--database-read-url needs --database-url"; code != 1 || !strings.Contains(out, want) {
		t.Errorf("exit %d, %q; want %q", code, out, want)
	}
}
