package testenv

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Standby is a hot standby of the tests' PostgreSQL server, fed by
// streaming replication, that one test started.
type Standby struct {
	// URL reaches the database of the URL given to NewStandby on the
	// standby.
	URL string

	primary string
	cluster *pgCluster
	data    string
}

// NewStandby makes a streaming replica of the server of databaseURL (a URL
// from PostgresURL) with pg_basebackup -R into a temp dir, starts it with
// pg_ctl on a free port as a hot standby, and stops it when the test ends.
// The server must allow replication connections from the tests (deploy/dev/
// ensure-postgres.sh sees to it); a standby that cannot start fails the
// test.
func NewStandby(t testing.TB, databaseURL string) *Standby {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	basebackup, err := findPGBinary("pg_basebackup")
	if err != nil {
		t.Fatal(err)
	}
	pgCtl, err := findPGBinary("pg_ctl")
	if err != nil {
		t.Fatal(err)
	}
	// A standby must allow at least as much as its primary does.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	settings, err := standbySettings(ctx, databaseURL)
	if err != nil {
		t.Fatalf("testenv: reading the primary's settings: %v", err)
	}
	// Not t.TempDir: under root its parents are closed to the postgres
	// user PostgreSQL runs as.
	dir, err := os.MkdirTemp("", "ordinator-standby-")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCluster{dir: dir, pgCtl: pgCtl}
	if os.Geteuid() == 0 {
		if err := chownToPostgres(dir); err != nil {
			os.RemoveAll(dir)
			t.Fatal(err)
		}
		c.asUser = "postgres"
	}
	data := filepath.Join(dir, "data")
	s := &Standby{primary: databaseURL, cluster: c, data: data}
	t.Cleanup(c.stop)
	user := "postgres"
	if u.User != nil && u.User.Username() != "" {
		user = u.User.Username()
	}
	if out, err := c.run(basebackup, "-h", u.Hostname(), "-p", portOf(u), "-U", user,
		"-D", data, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"); err != nil {
		t.Fatalf("testenv: pg_basebackup of %s (does pg_hba.conf allow replication from here? run deploy/dev/ensure-postgres.sh): %v: %s", u.Host, err, out)
	}
	// The primary's own configuration may live outside its data
	// directory (Debian's /etc/postgresql): the standby gets its own.
	hba := "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
	if err := writeOwned(c, filepath.Join(data, "pg_hba.conf"), hba); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"postgresql.conf", "pg_ident.conf"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			if err := writeOwned(c, filepath.Join(data, f), ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=off -c ssl=off%s",
		port, dir, settings)
	if out, err := c.run(pgCtl, "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "120", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		t.Fatalf("testenv: starting the standby: %v: %s %s", err, out, log)
	}
	u.Host = "127.0.0.1:" + strconv.Itoa(port)
	s.URL = u.String()
	if err := ping(s.URL); err != nil {
		t.Fatalf("testenv: the standby does not answer: %v", err)
	}
	return s
}

// standbySettings reads the primary's settings a hot standby must match or
// exceed, as postgres -c options.
func standbySettings(ctx context.Context, primary string) (string, error) {
	conn, err := pgx.Connect(ctx, primary)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	var b strings.Builder
	for _, name := range []string{"max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions", "max_locks_per_transaction"} {
		var v string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, " -c %s=%s", name, v)
	}
	return b.String(), nil
}

func writeOwned(c *pgCluster, path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return err
	}
	if c.asUser != "" {
		return chownToPostgres(path)
	}
	return nil
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return "5432"
}

// Stop stops the standby at once, as a crash would.
func (s *Standby) Stop(t testing.TB) {
	t.Helper()
	if out, err := s.cluster.run(s.cluster.pgCtl, "-D", s.data, "-m", "immediate", "-w", "stop"); err != nil {
		t.Fatalf("testenv: stopping the standby: %v: %s", err, out)
	}
}

// PauseReplay stops the standby applying the WAL it receives, so its
// snapshots stay where they are until ResumeReplay.
func (s *Standby) PauseReplay(t testing.TB) {
	t.Helper()
	s.exec(t, "SELECT pg_wal_replay_pause()")
}

// ResumeReplay lets the standby apply the WAL again.
func (s *Standby) ResumeReplay(t testing.TB) {
	t.Helper()
	s.exec(t, "SELECT pg_wal_replay_resume()")
}

// CatchUp waits until the standby has replayed everything the primary had
// written when it was called.
func (s *Standby) CatchUp(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var lsn string
	if err := queryRow(ctx, s.primary, "SELECT pg_current_wal_flush_lsn()::text", &lsn); err != nil {
		t.Fatalf("testenv: reading the primary's WAL position: %v", err)
	}
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		t.Fatalf("testenv: connecting to the standby: %v", err)
	}
	defer conn.Close(context.Background())
	for {
		var done bool
		if err := conn.QueryRow(ctx, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", lsn).Scan(&done); err != nil {
			t.Fatalf("testenv: waiting for the standby to replay %s: %v", lsn, err)
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			var at string
			conn.QueryRow(context.Background(), "SELECT pg_last_wal_replay_lsn()::text || ' ' || pg_get_wal_replay_pause_state()").Scan(&at)
			log, _ := os.ReadFile(filepath.Join(s.cluster.dir, "log"))
			t.Fatalf("testenv: the standby did not replay %s within a minute (it is at %s): %s", lsn, at, log)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (s *Standby) exec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := adminExec(ctx, s.URL, sql); err != nil {
		t.Fatalf("testenv: %s on the standby: %v", sql, err)
	}
}

func queryRow(ctx context.Context, u, sql string, dest ...any) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.QueryRow(ctx, sql).Scan(dest...)
}
