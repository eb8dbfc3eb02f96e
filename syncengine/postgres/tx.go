package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// conn is what a transaction's statements go through: a pooled
// connection, with BEGIN sent as the first of its statements.
type conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// querier adapts a pgx connection to syncengine.Querier.
type querier struct{ tx conn }

func (q querier) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.tx.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (q querier) Query(ctx context.Context, sql string, args ...any) (syncengine.Rows, error) {
	return q.tx.Query(ctx, sql, args...)
}

func (q querier) QueryRow(ctx context.Context, sql string, args ...any) syncengine.Row {
	return q.tx.QueryRow(ctx, sql, args...)
}

// BEGIN for the two kinds of transaction. Neither costs a round trip of
// its own: it is queued, and travels with the transaction's first
// statement.
const (
	beginWrite    = "BEGIN"
	beginSnapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
)

// begin acquires a connection of pool for a transaction that starts with
// the given BEGIN, queued. The caller ends it with commit or end.
func begin(ctx context.Context, pool *pgxpool.Pool, sql string, now time.Time, strict bool) (*tx, error) {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &tx{c: c, tx: c, now: now, strict: strict, pending: []queued{{sql: sql, scope: control}}}, nil
}

// end rolls back what the transaction started, if it started anything,
// and returns the connection to the pool. A connection left inside a
// transaction (the ROLLBACK failed) is closed by the pool, never reused.
func (t *tx) end(ctx context.Context) {
	pg := t.c.Conn().PgConn()
	if !pg.IsClosed() && !pg.IsBusy() && pg.TxStatus() != 'I' {
		t.c.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	t.c.Release()
}

// unstarted reports whether nothing has been sent yet: BEGIN is still
// queued, alone.
func (t *tx) unstarted() bool {
	return len(t.pending) == 1 && t.pending[0].scope == control && strings.HasPrefix(t.pending[0].sql, "BEGIN")
}

// tx is a transaction. BEGIN is sent with its first statement and, for a
// write, COMMIT with its last (see commit). Savepoints are lazy: SAVEPOINT and RELEASE
// are queued and sent in the same round trip as the next statement, and a
// savepoint no statement ran under costs nothing. Writes queued with Queue
// travel the same way. A mutation in a push therefore costs only the round
// trips of the statements whose results it reads.
type tx struct {
	c       *pgxpool.Conn
	tx      conn
	now     time.Time
	set     sqlstore.ChangeSet
	after   []func()
	depth   int
	pending []queued
	// scope numbers the mutation now running (each savepoint opens a new
	// one; zero outside any); a queued write belongs to the scope it was
	// queued in.
	scope, scopes int
	// strict sends a mutation's queued writes when it ends (Settle), so
	// their errors always reach it; misplaced is the error of a queued
	// write that failed after its mutation had ended, which makes the push
	// run again strictly.
	strict    bool
	misplaced error
}

func (t *tx) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	b := t.batch()
	if b == nil {
		return querier{t.tx}.Exec(ctx, sql, args...)
	}
	b.Queue(sql, args...)
	br := t.tx.SendBatch(ctx, b)
	if err := t.consume(br); err != nil {
		return 0, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag.RowsAffected(), err
}

func (t *tx) Query(ctx context.Context, sql string, args ...any) (syncengine.Rows, error) {
	b := t.batch()
	if b == nil {
		return t.tx.Query(ctx, sql, args...)
	}
	b.Queue(sql, args...)
	br := t.tx.SendBatch(ctx, b)
	if err := t.consume(br); err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (t *tx) QueryRow(ctx context.Context, sql string, args ...any) syncengine.Row {
	b := t.batch()
	if b == nil {
		return t.tx.QueryRow(ctx, sql, args...)
	}
	b.Queue(sql, args...)
	br := t.tx.SendBatch(ctx, b)
	if err := t.consume(br); err != nil {
		return errRow{err}
	}
	return &batchRow{row: br.QueryRow(), br: br}
}

// batchRows closes the batch with the rows.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *batchRows) Close() {
	r.Rows.Close()
	r.br.Close()
}

type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r *batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (t *tx) Put(collection, id string, payload []byte, buckets ...syncengine.Bucket) {
	t.set.Put(collection, id, payload, buckets...)
}
func (t *tx) Delete(collection, id string) { t.set.Delete(collection, id) }
func (t *tx) Now() time.Time               { return t.now }
func (t *tx) Dialect() syncengine.Dialect  { return syncengine.Postgres }
func (t *tx) AfterCommit(fn func())        { t.after = append(t.after, fn) }

// Savepoint implements sqlstore.Tx. The savepoint opens a new scope for
// queued writes, which ends with it.
func (t *tx) Savepoint(ctx context.Context) (undo, done func() error, err error) {
	name := "sp" + strconv.Itoa(t.depth)
	t.depth++
	open := queued{sql: "SAVEPOINT " + name, scope: control}
	t.pending = append(t.pending, open)
	outer := t.scope
	t.scopes++
	t.scope = t.scopes
	scope := t.scope
	mark, afterMark := t.set.Mark(), len(t.after)
	// unsent reports whether the SAVEPOINT is still queued, i.e. no
	// statement ran under it; then it is simply dropped.
	unsent := func() bool {
		if n := len(t.pending); n > 0 && t.pending[n-1].sql == open.sql && t.pending[n-1].scope == control {
			t.pending = t.pending[:n-1]
			return true
		}
		return false
	}
	undo = func() error {
		t.depth--
		t.set.Rollback(mark)
		t.after = t.after[:afterMark]
		// The scope's unsent writes are undone by not sending them.
		t.discard(scope)
		t.scope = outer
		if unsent() {
			return nil
		}
		_, err := t.Exec(ctx, "ROLLBACK TO SAVEPOINT "+name)
		if err == nil {
			t.pending = append(t.pending, queued{sql: "RELEASE SAVEPOINT " + name, scope: control})
		}
		return err
	}
	done = func() error {
		t.depth--
		t.scope = outer
		if !unsent() {
			t.pending = append(t.pending, queued{sql: "RELEASE SAVEPOINT " + name, scope: control})
		}
		return nil
	}
	return undo, done, nil
}
