// Package sqlite implements syncengine.Store on SQLite (modernc.org/sqlite),
// the embedded default: one file, one writer connection (so commits, and
// therefore seqs, are serial), a pool of readers on WAL snapshots, and
// in-process notifications.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a syncengine.Store on one SQLite file.
type Store struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	now    func() time.Time
	pages  *sqlstore.Pages

	mu       sync.Mutex
	watchers map[int]func([]syncengine.Bucket)
	nextID   int
}

var _ syncengine.Store = (*Store)(nil)

// Options tune a store. The zero value is fine.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Readers is the size of the read pool (default 4).
	Readers int
	// PageCacheBytes bounds the cache of shared buckets' pull ranges
	// (sqlstore.Pages; default DefaultPageCacheBytes, negative for none).
	PageCacheBytes int
}

// DefaultPageCacheBytes is the default size of a store's cache of shared
// buckets' pull ranges.
const DefaultPageCacheBytes = 32 << 20

// PageCacheStats counts the pull ranges of shared buckets served from the
// cache and read from the database.
func (s *Store) PageCacheStats() (hits, misses uint64) {
	st := s.pages.Stats()
	return st.Hits, st.Misses
}

// DSN returns the modernc.org/sqlite data source name Ordinator uses for the
// file at path: WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for
// every transaction so concurrent read-then-write transactions queue instead
// of failing with SQLITE_BUSY. synchronous(FULL) syncs the WAL at every
// commit: a push is acknowledged only once it survives a power loss, since
// the device drops its outbox entry on that acknowledgement.
func DSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies the
// engine's migrations.
func Open(ctx context.Context, path string, o Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating database directory: %w", err)
	}
	writer, err := sql.Open("sqlite", DSN(path, false))
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", DSN(path, true))
	if err != nil {
		writer.Close()
		return nil, err
	}
	if o.Readers <= 0 {
		o.Readers = 4
	}
	reader.SetMaxOpenConns(o.Readers)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PageCacheBytes == 0 {
		o.PageCacheBytes = DefaultPageCacheBytes
	}
	s := &Store{path: path, writer: writer, reader: reader, now: o.Now, pages: sqlstore.NewPages(o.PageCacheBytes), watchers: map[int]func([]syncengine.Bucket){}}
	if err := s.Migrate(ctx, "syncengine", Migrations()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Migrations returns the engine's SQLite migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Dialect implements syncengine.Store.
func (s *Store) Dialect() syncengine.Dialect { return syncengine.SQLite }

// DB returns the writer connection, for tools that need database/sql.
func (s *Store) DB() *sql.DB { return s.writer }

// Migrate implements syncengine.Store.
func (s *Store) Migrate(ctx context.Context, set string, fsys fs.FS) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.writer, fsys,
		goose.WithTableName("goose_"+set), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrations %s: %w", set, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations %s: %w", set, err)
	}
	return nil
}

// Close implements syncengine.Store.
func (s *Store) Close() {
	s.reader.Close()
	s.writer.Close()
}

// Transient implements syncengine.Store: a busy or locked database. A unique
// violation is never one here: writers take turns, so no other transaction
// can insert between a look and a write.
func (s *Store) Transient(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// Update implements syncengine.Store: a transaction that finds the database
// busy (another process writing it) runs again, from scratch, up to
// sqlstore.Attempts times.
func (s *Store) Update(ctx context.Context, fn func(syncengine.Tx) error) error {
	return sqlstore.Retry(ctx, s.Transient, func() error {
		return s.update(ctx, func(t sqlstore.Tx) error { return fn(t) })
	})
}

func (s *Store) update(ctx context.Context, fn func(sqlstore.Tx) error) error {
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &tx{querier: querier{sqlTx}, store: s, tx: sqlTx, now: s.now()}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := t.queueErr; err != nil {
		sqlTx.Rollback()
		return err
	}
	buckets, err := t.flush(ctx)
	if err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	if len(buckets) > 0 {
		s.publish(buckets)
	}
	for _, f := range t.after {
		f()
	}
	return nil
}

// View implements syncengine.Store.
func (s *Store) View(ctx context.Context, fn func(syncengine.Querier) error) error {
	sqlTx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	return fn(querier{sqlTx})
}

// Watch implements syncengine.Store with in-process notifications: a
// single writer means every commit happens in this process.
func (s *Store) Watch(ctx context.Context, fn func([]syncengine.Bucket)) error {
	s.mu.Lock()
	id := s.nextID
	s.nextID++
	s.watchers[id] = fn
	s.mu.Unlock()
	fn(nil)
	<-ctx.Done()
	s.mu.Lock()
	delete(s.watchers, id)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *Store) publish(buckets []syncengine.Bucket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, fn := range s.watchers {
		fn(buckets)
	}
}

// Push implements syncengine.Store, retrying as Update does.
func (s *Store) Push(ctx context.Context, b syncengine.PushBatch) ([]syncengine.Outcome, error) {
	var outs []syncengine.Outcome
	err := sqlstore.Retry(ctx, s.Transient, func() error {
		return s.update(ctx, func(t sqlstore.Tx) error {
			var err error
			outs, err = sqlstore.Push(ctx, t, b)
			return err
		})
	})
	return outs, err
}

// Read implements syncengine.Store.
func (s *Store) Read(ctx context.Context, r syncengine.ReadRequest) (*syncengine.ReadResult, error) {
	var res *syncengine.ReadResult
	err := s.View(ctx, func(q syncengine.Querier) error {
		var err error
		res, err = sqlstore.Read(ctx, q, r, `SELECT last_seq FROM sync_state WHERE id = 1`, fetch, s.pages)
		return err
	})
	return res, err
}

// fetch reads each bucket with its own indexed range scan; in-process
// queries are cheap, and the page is merged by seq afterwards. Columns
// are scanned as raw bytes into a PageBuilder, which keeps the page's
// strings and payloads in a few buffers.
func fetch(ctx context.Context, q syncengine.Querier, cursors []syncengine.Cursor, horizon int64, limit int) ([]syncengine.Change, error) {
	page := sqlstore.NewPageBuilder()
	for _, c := range cursors {
		rows, err := q.Query(ctx, `SELECT seq, collection, record_id, op, payload FROM sync_changes
			WHERE bucket = $1 AND seq > $2 AND seq <= $3 AND `+sqlstore.Sendable("$2")+` ORDER BY seq LIMIT $4`, string(c.Bucket), c.After, horizon, limit)
		if err != nil {
			return nil, err
		}
		var seq, op int64
		var coll, id, payload sql.RawBytes
		for rows.Next() {
			if err := rows.Scan(&seq, &coll, &id, &op, &payload); err != nil {
				rows.Close()
				return nil, err
			}
			page.Add(seq, c.Bucket, coll, id, syncengine.Op(op), payload)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return page.Changes(), nil
}

// Compact implements syncengine.Store.
func (s *Store) Compact(ctx context.Context, o syncengine.CompactOptions) (syncengine.CompactStats, error) {
	return sqlstore.Compact(ctx, s.update, "", o)
}
