package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// querier adapts a pgx transaction to syncengine.Querier.
type querier struct{ tx pgx.Tx }

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

// tx is a write transaction. Savepoints are lazy: SAVEPOINT and RELEASE
// are queued and sent in the same round trip as the next statement, and a
// savepoint no statement ran under costs nothing. A mutation in a push
// therefore costs only its own statements' round trips.
type tx struct {
	tx      pgx.Tx
	now     time.Time
	set     sqlstore.ChangeSet
	after   []func()
	depth   int
	pending []string
}

// batch returns a batch starting with the queued commands, or nil.
func (t *tx) batch() *pgx.Batch {
	if len(t.pending) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, p := range t.pending {
		b.Queue(p)
	}
	return b
}

// consume reads the results of the queued commands at the head of br.
func (t *tx) consume(br pgx.BatchResults) error {
	n := len(t.pending)
	t.pending = t.pending[:0]
	for i := 0; i < n; i++ {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	return nil
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

func (t *tx) Savepoint(ctx context.Context) (undo, done func() error, err error) {
	name := "sp" + strconv.Itoa(t.depth)
	t.depth++
	open := "SAVEPOINT " + name
	t.pending = append(t.pending, open)
	mark, afterMark := t.set.Mark(), len(t.after)
	// unsent reports whether the SAVEPOINT is still queued, i.e. no
	// statement ran under it; then it is simply dropped.
	unsent := func() bool {
		if n := len(t.pending); n > 0 && t.pending[n-1] == open {
			t.pending = t.pending[:n-1]
			return true
		}
		return false
	}
	undo = func() error {
		t.depth--
		t.set.Rollback(mark)
		t.after = t.after[:afterMark]
		if unsent() {
			return nil
		}
		_, err := t.Exec(ctx, "ROLLBACK TO SAVEPOINT "+name)
		if err == nil {
			t.pending = append(t.pending, "RELEASE SAVEPOINT "+name)
		}
		return err
	}
	done = func() error {
		t.depth--
		if !unsent() {
			t.pending = append(t.pending, "RELEASE SAVEPOINT "+name)
		}
		return nil
	}
	return undo, done, nil
}
