package main

import (
	"bufio"
	"net/http"
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
	serve := append([]string{"--database-read-url", standby.URL, "--database-read-wait", "2s"}, db...)
	a, b := start(t, dir, serve...), start(t, dir, serve...)
	report := filepath.Join(dir, "report.json")
	args := append(append([]string{}, smokeLoad...), "--url", a.url(), "--url", b.url(), "--metrics-url", a.metrics, "--json-out", report)
	code, out := runCLI(t, dir, append(args, db...)...)
	checkLoad(t, code, out, report)
	// The pulls went to the standby: its own counter says so, the
	// primary's is there beside it.
	var byReplica float64
	for _, m := range []string{a.metrics, b.metrics} {
		r, p := replicaPulls(t, m)
		if r < 0 || p < 0 {
			t.Errorf("%s serves no ordinator_replica_pulls_total for the replica or the primary", m)
		}
		byReplica += r
	}
	if byReplica == 0 {
		t.Error("ordinator_replica_pulls_total: no pull answered by the replica")
	}
}

// replicaPulls reads a server's ordinator_replica_pulls_total counters (-1
// for one it does not serve).
func replicaPulls(t *testing.T, url string) (replica, primary float64) {
	t.Helper()
	replica, primary = -1, -1
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, v, ok := metricSample(sc.Text())
		switch {
		case !ok || name != "ordinator_replica_pulls_total":
		case strings.Contains(sc.Text(), `answered_by="replica"`):
			replica = v
		case strings.Contains(sc.Text(), `answered_by="primary"`):
			primary = v
		}
	}
	return replica, primary
}

func TestReadReplicaFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--database-read-url", "postgres://replica"}, "--database-read-url needs --database-url"},
		{[]string{"--database-read-wait", "-1s"}, "--database-read-wait -1s: give a duration up to 1m (0 for the default, 500ms)"},
		{[]string{"--database-read-wait", "2m"}, "--database-read-wait 2m0s"},
	} {
		code, out := runCLI(t, t.TempDir(), append([]string{"serve"}, c.args...)...)
		if code != 1 || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, %q; want %q", c.args, code, out, c.want)
		}
	}
}
