package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
)

// TestServeThroughPgBouncer: two servers on PostgreSQL through PgBouncer
// in transaction mode (LISTEN on the direct URL) carry the congress load —
// sign-ins, pulls, live streams, quiz and order pushes — with no error.
func TestServeThroughPgBouncer(t *testing.T) {
	direct := testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	pooled := testenv.PgBouncer(t, direct)
	dir := t.TempDir()
	db := []string{"--database-url", pooled, "--database-pooler", "transaction", "--database-direct-url", direct, "--blob-dir", filepath.Join(dir, "blobs")}
	a, b := start(t, dir, db...), start(t, dir, db...)
	report := filepath.Join(dir, "report.json")
	args := append(append([]string{}, smokeLoad...), "--url", a.url(), "--url", b.url(), "--metrics-url", a.metrics, "--json-out", report)
	code, out := runCLI(t, dir, append(args, db...)...)
	checkLoad(t, code, out, report)
}

func TestPoolerFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--database-pooler", "session", "--database-url", "postgres://x", "--database-direct-url", "postgres://y"}, `--database-pooler "session": use transaction`},
		{[]string{"serve", "--database-pooler", "transaction", "--database-url", "postgres://x"}, "--database-pooler needs --database-url (through the pooler) and --database-direct-url"},
		{[]string{"serve", "--database-direct-url", "postgres://y"}, "--database-direct-url is only for --database-pooler transaction"},
	} {
		code, out := runCLI(t, t.TempDir(), tc.args...)
		if code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, out, tc.want)
		}
	}
}
