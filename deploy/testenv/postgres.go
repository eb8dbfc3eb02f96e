package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Template describes a migrated database that test databases are cloned from.
// Version must change whenever Migrate would produce a different schema (a
// hash of the migration files is the usual choice); templates of other
// versions are dropped when a new one is built.
type Template struct {
	Name    string
	Version string
	Migrate func(ctx context.Context, databaseURL string) error
}

var pg struct {
	once     sync.Once
	adminURL string
	cluster  *pgCluster
	err      error
}

// PostgresURL returns the URL of a new, empty-but-migrated database that
// belongs to this test alone and is dropped when it ends. The server is, in
// order: $DATABASE_URL, a server answering on 127.0.0.1:5432, or a throwaway
// cluster started from the system's initdb and pg_ctl.
func PostgresURL(t testing.TB, tmpl Template) string {
	t.Helper()
	admin := postgresAdmin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmplName, err := ensureTemplate(ctx, admin, tmpl)
	if err != nil {
		t.Fatalf("testenv: preparing template database %q: %v", tmpl.Name, err)
	}
	name := "t_" + strings.ToLower(tmpl.Name) + "_" + randomHex(6)
	if err := adminExec(ctx, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmplName)); err != nil {
		t.Fatalf("testenv: creating test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("testenv: dropping %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

func postgresAdmin(t testing.TB) string {
	t.Helper()
	pg.once.Do(func() { pg.adminURL, pg.cluster, pg.err = findPostgres() })
	if pg.err != nil {
		t.Fatalf("testenv: no PostgreSQL for tests: %v", pg.err)
	}
	return pg.adminURL
}

func findPostgres() (string, *pgCluster, error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		if err := ping(u); err != nil {
			return "", nil, fmt.Errorf("DATABASE_URL does not answer: %w", err)
		}
		return u, nil, nil
	}
	local := "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	if err := ping(local); err == nil {
		return local, nil, nil
	}
	c, err := startCluster()
	if err != nil {
		return "", nil, fmt.Errorf("nothing on 127.0.0.1:5432 and no throwaway cluster: %w", err)
	}
	return c.url, c, nil
}

func ping(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.Ping(ctx)
}

func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// ensureTemplate builds the template once per version, across every test
// process sharing the server: an advisory lock makes the others wait.
func ensureTemplate(ctx context.Context, admin string, tmpl Template) (string, error) {
	base := "tmpl_" + strings.ToLower(tmpl.Name)
	name := base + "_" + shortHash(tmpl.Version)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext('ordinator-testenv-template'))"); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtext('ordinator-testenv-template'))")

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, touchTemplate(ctx, conn, name)
	}
	// Drop templates of other versions unused for a day (other branches
	// may still use theirs), and any half-built one.
	rows, err := conn.Query(ctx, `SELECT d.datname FROM pg_database d
		LEFT JOIN pg_shdescription c ON c.objoid = d.oid AND c.classoid = 'pg_database'::regclass
		WHERE d.datname LIKE $1 AND (d.datname = $2 OR COALESCE(c.description, '0')::bigint < $3)`,
		base+"\\_%", base+"_building", time.Now().Add(-24*time.Hour).Unix())
	if err != nil {
		return "", err
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	for _, s := range stale {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+s+" WITH (FORCE)"); err != nil {
			return "", err
		}
	}
	building := base + "_building"
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	if tmpl.Migrate != nil {
		if err := tmpl.Migrate(ctx, withDatabase(admin, building)); err != nil {
			return "", fmt.Errorf("migrating: %w", err)
		}
	}
	// Only a finished template gets its final name, so a crash mid-way
	// never leaves a broken one behind to clone.
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, touchTemplate(ctx, conn, name)
}

// touchTemplate records when a template was last used, in its comment.
func touchTemplate(ctx context.Context, conn *pgx.Conn, name string) error {
	_, err := conn.Exec(ctx, fmt.Sprintf("COMMENT ON DATABASE %s IS '%d'", name, time.Now().Unix()))
	return err
}

func withDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func shortHash(s string) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return strconv.FormatUint(h, 36)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// pgCluster is a throwaway PostgreSQL started for this test process.
type pgCluster struct {
	dir    string
	pgCtl  string
	asUser string
	url    string
}

func startCluster() (*pgCluster, error) {
	initdb, err := findPGBinary("initdb")
	if err != nil {
		return nil, err
	}
	pgCtl, err := findPGBinary("pg_ctl")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ordinator-pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{dir: dir, pgCtl: pgCtl}
	// PostgreSQL refuses to run as root: hand the directory to the postgres user.
	if os.Geteuid() == 0 {
		if err := chownToPostgres(dir); err != nil {
			return nil, err
		}
		c.asUser = "postgres"
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run(initdb, "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", port, dir)
	if out, err := c.run(pgCtl, "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := ping(c.url); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *pgCluster) run(bin string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.asUser, "--", bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd.CombinedOutput()
}

func (c *pgCluster) stop() {
	c.run(c.pgCtl, "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

func findPGBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("%s not found on PATH or under /usr/lib/postgresql (install PostgreSQL, e.g. apt-get install postgresql)", name)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// chownToPostgres hands paths to the postgres user, which PostgreSQL and
// PgBouncer run as when the tests run as root (both refuse root).
func chownToPostgres(paths ...string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return errors.New("running as root and there is no postgres user to run PostgreSQL and PgBouncer as")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, p := range paths {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	return nil
}
