package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// querier adapts database/sql to syncengine.Querier.
type querier struct {
	q interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (syncengine.Rows, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) syncengine.Row {
	return q.q.QueryRowContext(ctx, query, args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// tx is a write transaction on the single writer connection.
type tx struct {
	querier
	store *Store
	tx    *sql.Tx
	now   time.Time
	set   sqlstore.ChangeSet
	after []func()
	depth int
	// queueErr is the error of a queued write, returned by the next
	// statement, by Settle or by the commit.
	queueErr error
}

// Queue implements syncengine.Tx: the write runs at once, in process, and
// its error waits for the next statement, as on PostgreSQL.
func (t *tx) Queue(ctx context.Context, query string, args ...any) {
	if t.queueErr != nil {
		return
	}
	if _, err := t.tx.ExecContext(ctx, query, args...); err != nil {
		t.queueErr = err
	}
}

// QueueScan implements syncengine.Tx: the read runs at once. A failure
// other than no row is kept like a queued write's, so the mutation's
// next statement fails with it, as on PostgreSQL.
func (t *tx) QueueScan(ctx context.Context, dest []any, query string, args ...any) func() error {
	err := t.queueErr
	if err == nil {
		err = t.tx.QueryRowContext(ctx, query, args...).Scan(dest...)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.queueErr = err
		}
	}
	return func() error { return err }
}

func (t *tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if t.queueErr != nil {
		return 0, t.queueErr
	}
	return t.querier.Exec(ctx, query, args...)
}

func (t *tx) Query(ctx context.Context, query string, args ...any) (syncengine.Rows, error) {
	if t.queueErr != nil {
		return nil, t.queueErr
	}
	return t.querier.Query(ctx, query, args...)
}

func (t *tx) QueryRow(ctx context.Context, query string, args ...any) syncengine.Row {
	if t.queueErr != nil {
		return errRow{t.queueErr}
	}
	return t.querier.QueryRow(ctx, query, args...)
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// Settle is called by the engine when a mutator returns: a queued write's
// error is the mutation's. Queued writes run at once here, so every error
// is already attributed to the mutation that queued it.
func (t *tx) Settle(context.Context) error {
	err := t.queueErr
	t.queueErr = nil
	return err
}

func (t *tx) Put(collection, id string, payload []byte, buckets ...syncengine.Bucket) {
	t.set.Put(collection, id, payload, buckets...)
}
func (t *tx) Delete(collection, id string) { t.set.Delete(collection, id) }
func (t *tx) Now() time.Time               { return t.now }
func (t *tx) Dialect() syncengine.Dialect  { return syncengine.SQLite }
func (t *tx) AfterCommit(fn func())        { t.after = append(t.after, fn) }

func (t *tx) Savepoint(ctx context.Context) (undo, done func() error, err error) {
	name := "sp" + strconv.Itoa(t.depth)
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return nil, nil, err
	}
	t.depth++
	mark, afterMark := t.set.Mark(), len(t.after)
	undo = func() error {
		t.depth--
		t.queueErr = nil // the failed write is undone with the rest
		t.set.Rollback(mark)
		t.after = t.after[:afterMark]
		if _, err := t.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		return err
	}
	done = func() error {
		t.depth--
		_, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		return err
	}
	return undo, done, nil
}
