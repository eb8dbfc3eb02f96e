package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// DefaultReplicaWait is how long, by default, a pull or a commit's
// notification waits for the replica to replay what the primary has.
const DefaultReplicaWait = 500 * time.Millisecond

// replicaRest is how long pulls go to the primary after the replica failed
// or fell behind by more than the wait: long enough not to pay a failed
// connection or a full wait on every pull, short enough to come back soon.
const replicaRest = 5 * time.Second

// replica is the hot standby pulls read from (see the package doc).
type replica struct {
	pool *pgxpool.Pool
	wait time.Duration
	log  *slog.Logger

	// restUntil is when, in Unix nanoseconds, pulls may use the replica
	// again after a failure or a lag past the wait.
	restUntil atomic.Int64
	// replayed is the newest WAL position the replica was seen to have
	// replayed, shared by every waiter so one answer serves them all.
	mu       sync.Mutex
	replayed uint64

	reads, fallbacks atomic.Uint64
}

func openReplica(ctx context.Context, url string, o Options) (*replica, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("read replica url: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// A replica that does not answer must not hold pulls for the
		// system's TCP timeout before they go to the primary.
		cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	}
	cfg.ConnConfig.Tracer = o.Tracer
	if o.TransactionPooler {
		// The replica may sit behind the same kind of pooler.
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("read replica: %w", err)
	}
	wait := o.ReplicaWait
	if wait <= 0 {
		wait = DefaultReplicaWait
	}
	return &replica{pool: pool, wait: wait, log: o.Logger}, nil
}

// resting reports whether pulls should skip the replica for now.
func (r *replica) resting() bool { return time.Now().UnixNano() < r.restUntil.Load() }

func (r *replica) rest(why string, err error) {
	if !r.resting() {
		r.log.Warn("pulls read from the primary for a while: "+why, "for", replicaRest, "err", err)
	}
	r.restUntil.Store(time.Now().Add(replicaRest).UnixNano())
}

// read answers a pull from the replica, or reports false when the primary
// must: the replica is resting, failed, or has not reached the client's
// cursors even after waiting for it to replay what the primary has.
func (s *Store) readReplica(ctx context.Context, req syncengine.ReadRequest) (*syncengine.ReadResult, bool, error) {
	r := s.replica
	if r.resting() {
		r.fallbacks.Add(1)
		return nil, false, nil
	}
	res, err := s.readOn(ctx, r.pool, req, "")
	if errors.Is(err, sqlstore.ErrBehind) {
		switch caught, werr := s.awaitReplay(ctx); {
		case caught:
			res, err = s.readOn(ctx, r.pool, req, "")
		case werr == nil:
			r.rest("the replica lags the primary by more than the wait", nil)
		}
	}
	switch {
	case err == nil:
		r.reads.Add(1)
		return res, true, nil
	case ctx.Err() != nil:
		return nil, false, ctx.Err()
	case errors.Is(err, sqlstore.ErrBehind):
	case !answered(err):
		r.rest("the replica does not answer", err)
	}
	// Anything else the replica said (a domain error, a query cancelled
	// by a conflict with recovery) is asked of the primary again, whose
	// answer is authoritative.
	r.fallbacks.Add(1)
	return nil, false, nil
}

// answered reports whether err is the server's own answer, as opposed to
// a connection that failed.
func answered(err error) bool {
	var pgErr *pgconn.PgError
	var coded *syncengine.Error
	return errors.As(err, &pgErr) || errors.As(err, &coded)
}

// awaitReplay waits, up to the replica's wait, for the replica to replay
// the primary's WAL up to where it is now, and reports whether it did.
func (s *Store) awaitReplay(ctx context.Context) (bool, error) {
	var lsn uint64
	if err := s.pool.QueryRow(ctx, `SELECT (pg_current_wal_flush_lsn() - '0/0')::bigint`).Scan(&lsn); err != nil {
		return false, err
	}
	return s.replica.await(ctx, lsn)
}

// await waits, up to the replica's wait, for the replica to have replayed
// the primary's WAL up to lsn. A read URL that is not a standby (the
// primary itself) has everything.
func (r *replica) await(ctx context.Context, lsn uint64) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, r.wait)
	defer cancel()
	pause := time.Millisecond
	for {
		r.mu.Lock()
		seen := r.replayed
		r.mu.Unlock()
		if seen >= lsn {
			return true, nil
		}
		var replayed uint64
		var standby bool
		err := r.pool.QueryRow(ctx, `SELECT COALESCE((pg_last_wal_replay_lsn() - '0/0')::bigint, 0), pg_is_in_recovery()`).Scan(&replayed, &standby)
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, err
		}
		if !standby {
			return true, nil
		}
		r.mu.Lock()
		r.replayed = max(r.replayed, replayed)
		r.mu.Unlock()
		if replayed >= lsn {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, nil
		case <-time.After(pause):
		}
		pause = min(pause*2, 20*time.Millisecond)
	}
}

// readOn reads a pull in one REPEATABLE READ snapshot of pool; head is as
// for sqlstore.Read, empty on the replica.
func (s *Store) readOn(ctx context.Context, pool *pgxpool.Pool, req syncengine.ReadRequest, head string) (*syncengine.ReadResult, error) {
	t, err := begin(ctx, pool, beginSnapshot, s.now(), false)
	if err != nil {
		return nil, err
	}
	defer t.end(ctx)
	return sqlstore.Read(ctx, t, req, head, fetch, s.pages)
}

// HasReplica reports whether the store reads pulls from a replica
// (Options.ReadURL).
func (s *Store) HasReplica() bool { return s.replica != nil }

// ReplicaStats counts the pulls the read replica answered and those it
// handed to the primary (resting, failed or behind); both are zero without
// a replica.
func (s *Store) ReplicaStats() (reads, fallbacks uint64) {
	if s.replica == nil {
		return 0, 0
	}
	return s.replica.reads.Load(), s.replica.fallbacks.Load()
}

// replayedHere waits, up to the replica's wait, for the replica to replay
// the WAL that conn's server (the primary) has flushed so far, so that a
// commit's notification reaches live subscribers only once a pull on the
// replica can see the commit: otherwise a device told of a change could
// pull before the replica has it and hear of it no more. A replica that
// does not get there in time rests, and pulls go to the primary.
func (r *replica) replayedHere(ctx context.Context, conn *pgx.Conn) error {
	if r.resting() {
		return nil
	}
	var lsn uint64
	if err := conn.QueryRow(ctx, `SELECT (pg_current_wal_flush_lsn() - '0/0')::bigint`).Scan(&lsn); err != nil {
		return err
	}
	switch caught, err := r.await(ctx, lsn); {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		r.rest("the replica does not answer", err)
	case !caught:
		r.rest("the replica lags the primary by more than the wait", nil)
	}
	return nil
}
