package testenv

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// RoundTrips is a pgx tracer (postgres.Options.Tracer) that counts the
// round trips to PostgreSQL made under contexts marked by Context: a
// statement sent alone is one, a batch is one however many statements it
// carries. What the store does for itself (listening, other goroutines)
// is not counted.
type RoundTrips struct{ n atomic.Int64 }

type roundTripsKey struct{}

// Context marks ctx so that the round trips made under it are counted.
func (r *RoundTrips) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, roundTripsKey{}, r)
}

// Count returns the round trips counted so far.
func (r *RoundTrips) Count() int64 { return r.n.Load() }

func (r *RoundTrips) count(ctx context.Context) {
	if ctx.Value(roundTripsKey{}) == r {
		r.n.Add(1)
	}
}

// TraceQueryStart implements pgx.QueryTracer; pgx does not call it for
// the statements of a batch.
func (r *RoundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.count(ctx)
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (r *RoundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart implements pgx.BatchTracer.
func (r *RoundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.count(ctx)
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer.
func (r *RoundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd implements pgx.BatchTracer.
func (r *RoundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
