package postgres

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// queued is a statement waiting for the next round trip: a savepoint
// command (scope -1), or a queued write or read of a scope. A read has
// somewhere to put its row.
type queued struct {
	sql   string
	args  []any
	scope int
	read  *queuedRead
}

// queuedRead is the answer of a statement queued with QueueScan.
type queuedRead struct {
	ctx  context.Context
	dest []any
	err  error
	done bool
}

const control = -1

// errDiscarded answers a queued read of a mutation that was rolled back
// before the read was sent.
var errDiscarded = errors.New("a queued read was discarded with its mutation")

// misplacedError is a queued write's failure seen where it cannot be
// attributed to the mutation that queued it. It is transient: the push
// runs again, strictly, and then it is.
type misplacedError struct{ err error }

func (e *misplacedError) Error() string {
	return "a write queued by an earlier mutation failed: " + e.err.Error()
}
func (e *misplacedError) Unwrap() error { return e.err }

// batch returns a batch starting with the queued commands, or nil.
func (t *tx) batch() *pgx.Batch {
	if len(t.pending) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, p := range t.pending {
		b.Queue(p.sql, p.args...)
	}
	return b
}

// consume reads the results of the queued commands at the head of br;
// a queued read's row goes to its destinations. A queued statement's
// failure is returned as is to the scope that queued it, and as a
// misplacedError anywhere else; the queued reads it kept from running
// answer with it too.
func (t *tx) consume(br pgx.BatchResults) error {
	pending := t.pending
	t.pending = t.pending[:0]
	for i, p := range pending {
		var err error
		if p.read != nil {
			err = p.read.scan(br.QueryRow())
		} else {
			_, err = br.Exec()
		}
		if err == nil {
			continue
		}
		br.Close()
		for _, rest := range pending[i+1:] {
			if rest.read != nil {
				rest.read.err, rest.read.done = err, true
			}
		}
		if p.scope != control && p.scope != t.scope {
			t.misplaced = err
			return &misplacedError{err}
		}
		return err
	}
	return nil
}

// scan takes the read's row. No row, or a row that does not fit the
// destinations, is the read's own answer, not a failed statement; a
// server error is both.
func (r *queuedRead) scan(row pgx.Row) error {
	r.err, r.done = row.Scan(r.dest...), true
	var pgErr *pgconn.PgError
	if errors.As(r.err, &pgErr) {
		return r.err
	}
	return nil
}

// Queue implements syncengine.Tx; the write is sent under the context of
// the statement it travels with.
func (t *tx) Queue(_ context.Context, sql string, args ...any) {
	t.pending = append(t.pending, queued{sql: sql, args: args, scope: t.scope})
}

// QueueScan implements syncengine.Tx: the read waits among the queued
// writes, and asking for its answer sends them all.
func (t *tx) QueueScan(ctx context.Context, dest []any, sql string, args ...any) func() error {
	r := &queuedRead{ctx: ctx, dest: dest}
	t.pending = append(t.pending, queued{sql: sql, args: args, scope: t.scope, read: r})
	return func() error {
		if !r.done {
			// Every queued statement is answered once this returns.
			if err := t.sendPending(r.ctx); err != nil && !r.done {
				return err
			}
		}
		return r.err
	}
}

// sendPending sends the queued commands, if any, in one round trip.
func (t *tx) sendPending(ctx context.Context) error {
	b := t.batch()
	if b == nil {
		return nil
	}
	br := t.tx.SendBatch(ctx, b)
	if err := t.consume(br); err != nil {
		return err
	}
	return br.Close()
}

// discard drops the queued statements of scope unsent.
func (t *tx) discard(scope int) {
	t.pending = slices.DeleteFunc(t.pending, func(p queued) bool {
		if p.scope == scope && p.read != nil {
			p.read.err, p.read.done = errDiscarded, true
		}
		return p.scope == scope
	})
}

// Settle is called by the engine when a mutator returns (see
// syncengine.Tx.Queue). Normally it costs nothing: the mutation's queued
// writes go with the next mutation's first statement, and if one fails
// there the push runs again strictly; then Settle sends them at once, so
// their error is the mutation's.
func (t *tx) Settle(ctx context.Context) error {
	if t.misplaced != nil {
		return &misplacedError{t.misplaced}
	}
	if !t.strict || !slices.ContainsFunc(t.pending, func(p queued) bool { return p.scope != control }) {
		return nil
	}
	return t.sendPending(ctx)
}
