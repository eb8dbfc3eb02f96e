package sdk

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// db is the replica's SQLite database: one writer connection, on which
// write transactions (BEGIN IMMEDIATE) take turns and prepared statements
// live for the life of the replica, and a pool of read-only connections on
// WAL snapshots, so the app's queries never wait for a sync.
type db struct {
	w    *sql.DB
	conn *sql.Conn // the writer connection, held
	wmu  sync.Mutex
	r    *sql.DB

	mu    sync.Mutex
	stmts map[string]*sql.Stmt

	ck     *sql.DB       // the checkpointer's connection
	ckWake chan struct{} // a transaction committed
	ckStop chan struct{}
	ckDone chan struct{}
}

// dsn is the modernc.org/sqlite data source name of the replica file.
// synchronous(NORMAL) in WAL mode keeps every commit across a process kill;
// only a power loss can take back the last commits, never corrupt the file.
func dsn(file string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "cache_size(-16000)")
	// Statement journals (every multi-row statement that may fail halfway
	// keeps one) and sorts of index builds stay in memory instead of temp
	// files: a bulk download otherwise spends a fifth of its time in pwrite.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Checkpoints run in the background (checkpointer), not inside the
	// commit that happens to cross the WAL threshold: that commit would
	// take milliseconds instead of a tenth of one.
	q.Add("_pragma", "wal_autocheckpoint(0)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + file + "?" + q.Encode()
}

func openDB(ctx context.Context, file string) (*db, error) {
	w, err := sql.Open("sqlite", dsn(file, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening the replica database %s: %w", file, err)
	}
	conn, err := w.Conn(ctx)
	if err != nil {
		w.Close()
		return nil, err
	}
	d := &db{w: w, conn: conn, stmts: map[string]*sql.Stmt{}}
	if err := d.migrate(ctx); err != nil {
		conn.Close()
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(file, true))
	if err != nil {
		conn.Close()
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	d.r = r
	ck, err := sql.Open("sqlite", dsn(file, false))
	if err != nil {
		r.Close()
		conn.Close()
		w.Close()
		return nil, err
	}
	ck.SetMaxOpenConns(1)
	d.ck, d.ckWake, d.ckStop, d.ckDone = ck, make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go d.checkpointer()
	return d, nil
}

func (d *db) close() error { return d.closeAfter(nil) }

// closeAfter closes the database once last has run on the writer
// connection, after every write in progress and before any other: what last
// reads is the database's final state.
func (d *db) closeAfter(last func(*sql.Conn)) error {
	close(d.ckStop)
	<-d.ckDone
	d.ck.Close()
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if last != nil {
		last(d.conn)
	}
	// Leave a compact file behind: everything in the database, an empty WAL.
	d.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`)
	d.mu.Lock()
	for _, s := range d.stmts {
		s.Close()
	}
	d.stmts = map[string]*sql.Stmt{}
	d.mu.Unlock()
	d.conn.Close()
	err := d.r.Close()
	if werr := d.w.Close(); err == nil {
		err = werr
	}
	return err
}

// schemaVersion is the number of the last local migration.
func schemaVersion() int {
	n := 0
	entries, _ := fs.ReadDir(migrationFiles, "migrations")
	for _, e := range entries {
		if v, ok := migrationNumber(e.Name()); ok && v > n {
			n = v
		}
	}
	return n
}

func migrationNumber(name string) (int, bool) {
	num, _, ok := strings.Cut(name, "_")
	if !ok || !strings.HasSuffix(name, ".sql") {
		return 0, false
	}
	v, err := strconv.Atoi(num)
	return v, err == nil && v > 0
}

// migrate applies the embedded migrations newer than the database's
// user_version, each in its own transaction with the version bump, so a
// crash never leaves half a migration. A replica written by a newer SDK is
// refused rather than guessed at.
func (d *db) migrate(ctx context.Context) error {
	var current int
	if err := d.conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&current); err != nil {
		return fmt.Errorf("reading the replica's schema version: %w", err)
	}
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	type migration struct {
		version int
		name    string
	}
	var newer []migration
	for _, e := range entries {
		v, ok := migrationNumber(e.Name())
		if !ok {
			return fmt.Errorf("migration %s is not named NNNN_name.sql", e.Name())
		}
		if v > current {
			newer = append(newer, migration{v, e.Name()})
		}
	}
	if latest := schemaVersion(); current > latest {
		return fmt.Errorf("the replica was written by a newer SDK (schema %d, this one knows %d): update the app or delete the replica", current, latest)
	}
	slices.SortFunc(newer, func(a, b migration) int { return a.version - b.version })
	for _, m := range newer {
		body, err := migrationFiles.ReadFile(path.Join("migrations", m.name))
		if err != nil {
			return err
		}
		err = d.update(ctx, func(tx *wtx) error {
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(ctx, `PRAGMA user_version = `+strconv.Itoa(m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("local migration %s: %w", m.name, err)
		}
	}
	return nil
}

// prepare returns a statement on the writer connection, prepared once.
func (d *db) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.stmts[query]; ok {
		return s, nil
	}
	s, err := d.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	d.stmts[query] = s
	return s, nil
}

// wtx is a write transaction on the writer connection.
type wtx struct {
	ctx   context.Context
	d     *db
	tx    *sql.Conn
	after []func()
	// tables created by this transaction, known to others once it commits
	tables map[string]*table
}

// update runs fn in a write transaction and commits if it returns nil.
// Functions registered with afterCommit run once it has committed.
func (d *db) update(ctx context.Context, fn func(*wtx) error) error {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := d.conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return err
	}
	t := &wtx{ctx: ctx, d: d, tx: d.conn}
	// COMMIT and ROLLBACK must run even when ctx has just ended.
	end := context.WithoutCancel(ctx)
	if err := fn(t); err != nil {
		d.conn.ExecContext(end, `ROLLBACK`)
		return err
	}
	if _, err := d.conn.ExecContext(end, `COMMIT`); err != nil {
		d.conn.ExecContext(end, `ROLLBACK`)
		return err
	}
	select {
	case d.ckWake <- struct{}{}:
	default:
	}
	for _, f := range t.after {
		f()
	}
	return nil
}

func (t *wtx) afterCommit(f func()) { t.after = append(t.after, f) }

func (t *wtx) stmt(query string) (*sql.Stmt, error) {
	return t.d.prepare(t.ctx, query)
}

// exec runs a statement, prepared once per database.
func (t *wtx) exec(query string, args ...any) (int64, error) {
	s, err := t.stmt(query)
	if err != nil {
		return 0, err
	}
	res, err := s.ExecContext(t.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// insert runs an INSERT and returns the new rowid.
func (t *wtx) insert(query string, args ...any) (int64, error) {
	s, err := t.stmt(query)
	if err != nil {
		return 0, err
	}
	res, err := s.ExecContext(t.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (t *wtx) query(query string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(t.ctx, args...)
}

func (t *wtx) queryRow(query string, args ...any) *sql.Row {
	s, err := t.stmt(query)
	if err != nil {
		return t.tx.QueryRowContext(t.ctx, query, args...)
	}
	return s.QueryRowContext(t.ctx, args...)
}

// meta reads a setting; missing ones read as the zero value.
func (t *wtx) metaInt(key string) (int64, error) {
	var v sql.NullInt64
	err := t.queryRow(`SELECT value FROM sdk_meta WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return v.Int64, err
}

func (t *wtx) setMeta(key string, value any) error {
	_, err := t.exec(`INSERT INTO sdk_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// quote quotes an SQL identifier.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

var errNoRows = sql.ErrNoRows
