// Package postgres implements syncengine.Store on PostgreSQL through pgx v5
// natively: a pgxpool for work, unnest-based bulk appends to the change log,
// REPEATABLE READ snapshots for pulls, and LISTEN/NOTIFY so every server
// process sharing the database hears every commit.
//
// Commit order. Commits from different devices overlap: nothing global is
// locked through a commit's WAL flush, so PostgreSQL's group commit flushes
// them together. What a puller needs is weaker than a global commit order,
// and the store keeps exactly that: within each bucket, seqs are in commit
// order. A commit
//
//  1. locks the records it writes (advisory locks on their hashes, in key
//     order) and then reads their state in every bucket, so two commits of
//     the same record take turns and each plans from the other's result;
//  2. upserts the checksums of the buckets it changes, in bucket order,
//     which locks those sync_buckets rows until it commits;
//  3. only then takes its seqs from the sync_seq sequence, in the statement
//     that inserts its changes.
//
// Why no change can be skipped: let A and B both change bucket b, A's seq
// for b lower than B's. Each took its seqs while holding b's row lock and
// holds it until it commits, so the lock was A's first: A took it, took
// its seqs, committed and only then let B have it. So A was visible before
// B: any snapshot that shows a change of b shows every change of b with a
// lower seq. A pull reads one snapshot and moves each bucket's cursor to
// that bucket's newest change it covers (never to a seq of the log at
// large, which a commit in flight in another bucket may still fill below),
// so a later change of the bucket always has a higher seq than the cursor.
// The checksums the pull reports are of the same snapshot, so they match
// the changes it sent. An aborted commit leaves a gap in the seqs and
// nothing else. Commits into the same bucket still take turns through
// their WAL flush; commits into disjoint buckets (every device's own user
// bucket, for one) do not.
//
// Pulls on a read replica. With Options.ReadURL, pulls read from a hot
// standby fed by streaming replication; writes, Watch and everything else
// stay on the primary. A pull there is one REPEATABLE READ snapshot of the
// standby, and it is as consistent as one on the primary:
//
//   - A standby makes commits visible in the order of their commit records
//     in the WAL, so its snapshot shows a prefix of the primary's commits.
//     The commit-order argument above holds in that order too: B waited
//     for A's bucket lock, which A let go only after writing its commit
//     record, so A's record precedes B's and a standby snapshot that shows
//     B shows A. No change of a bucket below a cursor can appear later.
//   - The checksums, the bucket tops the cursors move to and the client's
//     LastMutationSeq (sync_clients, written in the push's transaction)
//     are all read from that snapshot, so a checkpoint describes exactly
//     what the standby has: a device never settles a mutation whose
//     effect the page does not carry, and never hears of a seq the standby
//     has not reached.
//   - The log's head cannot be read there: a standby's sequence shows the
//     value the primary logged ahead of use (up to 32 past the last one
//     handed out), not a committed seq. A pull on the standby needs none:
//     its ranges are bounded by the snapshot itself, and each cursor is
//     checked against its own bucket's newest change in the snapshot
//     instead. A bucket's newest change only moves up (see sqlstore.Pages
//     for why), and a cursor never passes it, so a cursor past it means
//     the device has seen a commit the standby has not replayed (it pulled from the primary, or from another
//     standby); answering would hand it older checksums than its data. The
//     pull then waits, up to Options.ReplicaWait, for the standby to replay
//     the primary's WAL as far as it is flushed now (pg_current_wal_flush_lsn
//     against pg_last_wal_replay_lsn: a commit that has returned is flushed,
//     under synchronous_commit on, and the standby gets only flushed WAL)
//     and reads again, or reads from the primary, which validates the
//     cursors as it always does.
//   - A commit's notification reaches Watch only once the standby has
//     replayed the WAL the primary had flushed when it arrived, so a device
//     told of a change pulls a snapshot that has it; otherwise it could
//     pull too early and hear of the change no more. A pull right after a
//     push may still miss the push; the mutation stays pending on the
//     device and the notification that follows brings it.
//   - A standby that does not answer, or lags by more than the wait, rests
//     for a few seconds, during which pulls read from the primary; any
//     other error there (a query cancelled by a conflict with recovery,
//     say) is asked of the primary again.
//
// BEGIN and COMMIT. Neither is a round trip of its own: BEGIN is queued
// and travels with the transaction's first statement, and COMMIT with the
// change log's append (or with whatever is still queued, in a transaction
// that writes no records); a transaction that never sends a statement
// sends nothing. So the buckets' row locks are taken, the seqs drawn and
// the locks let go at COMMIT within one round trip: commits into the same
// bucket take turns through a section with no network wait in it, only
// the WAL flush, and the argument above is unchanged (the lock is still
// held until the commit). A batch that carries COMMIT and fails without
// the server's answer may have committed: Update reports that as unknown,
// Push, safe to repeat, runs again. A pull's snapshot is begun the same
// way, with its first statement, and rolled back after its last.
//
// Queued writes. A write queued with Tx.Queue is sent in one pgx batch
// with the next statement, or with the commit's first round trip, and so
// are the engine's own (outcomes, the client's seq) and the lazy SAVEPOINT
// and RELEASE of each mutation. Its error must be the error of the
// mutation that queued it, and a push runs each mutation in a savepoint:
// mutation k's write usually travels after k's RELEASE, with the first
// statement of k+1. If it fails there, k+1 sees an error that is not its
// own, and the batch stopped at the failure, so k's RELEASE and k+1's
// SAVEPOINT never ran: rolling k+1 back would undo k, recorded as applied.
// So such a failure, seen anywhere but in the mutation that queued it
// (each queued write carries its savepoint's scope), is never answered: it
// is a transient error, the transaction rolls back, and Push runs the
// batch again strictly, sending each mutation's queued writes when its
// mutator returns (tx.Settle, called by the engine before it decides the
// outcome), inside its savepoint. There each failure reaches the mutation
// that queued it, before its savepoint is released, exactly as a failed
// Exec would: the outcome is decided as without queueing, transient
// failures rerun the batch, others reject the mutation and its savepoint
// undoes it. The rollback loses nothing (nothing committed, and a push is
// safe to repeat); the strict run costs a round trip per mutation that
// queued something, and only pushes that hit a failing write pay it.
//
// Queued reads. Tx.QueueScan puts a one-row statement in the same queue,
// with where its row goes; its wait sends the queue (if the read has not
// gone with some other statement already) and reads the answers in order,
// each read's row into its destinations. No row, or a row that does not
// fit them, is the read's own answer; a server error is the statement's
// failure as for a queued write (the reads after it in the batch answer
// with it). So a mutator's independent statements share a round trip
// while running exactly in the order issued, and its savepoint undoes
// them when it refuses on what they answered.
package postgres

import (
	"context"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Channel is the LISTEN/NOTIFY channel commits announce their buckets on.
const Channel = "ordinator_sync"

// compactionLock is the advisory lock one compacting process holds.
const compactionLock = 7_241_001

// Store is a syncengine.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	// direct reaches the database without the pooler, for what needs a
	// session of its own (LISTEN, the migrations' lock); it is pool when
	// there is no pooler.
	direct *pgxpool.Pool
	// replica, if set, is the hot standby pulls read from.
	replica *replica
	now     func() time.Time
	log     *slog.Logger
	pages   *sqlstore.Pages
}

var _ syncengine.Store = (*Store)(nil)

// Options tune a store. The zero value is fine.
type Options struct {
	Now func() time.Time
	// MaxConns sizes the pool (default: pgxpool's, max(4, NumCPU)).
	MaxConns int32
	// Logger is told what goes wrong in the background, where no caller
	// gets an error: a lost LISTEN connection, while Watch waits to listen
	// again. Nil means slog.Default(), as for the Engine.
	Logger *slog.Logger
	// TransactionPooler says url reaches the database through a pooler in
	// transaction mode (PgBouncer): statements go without named prepared
	// statements, and what needs a session of its own uses DirectURL.
	TransactionPooler bool
	DirectURL         string
	// Tracer, if set, traces every statement of the pool (OpenTelemetry
	// through otelpgx, say), never its arguments.
	Tracer pgx.QueryTracer
	// PageCacheBytes bounds the cache of shared buckets' pull ranges
	// (sqlstore.Pages; default DefaultPageCacheBytes, negative for none).
	PageCacheBytes int
	// ReadURL, if set, reaches a hot standby of the database (streaming
	// replication, a CloudNativePG cluster's -ro service) that pulls read
	// from; everything else goes to url. See the package doc for why a
	// pull there is as consistent as one on the primary.
	ReadURL string
	// ReplicaWait bounds how long a pull, or a commit's notification,
	// waits for the replica to replay what the primary has before the
	// pull reads from the primary instead (default DefaultReplicaWait).
	ReplicaWait time.Duration
}

// DefaultPageCacheBytes is the default size of a store's cache of shared
// buckets' pull ranges.
const DefaultPageCacheBytes = 32 << 20

// Open connects to the database at url and applies the engine's migrations.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	cfg.ConnConfig.Tracer = o.Tracer
	if o.TransactionPooler {
		if o.DirectURL == "" {
			return nil, errors.New("a transaction pooler needs a direct URL to the database as well, for LISTEN and migrations")
		}
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	pool, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	direct := pool
	if o.TransactionPooler {
		dcfg, err := pgxpool.ParseConfig(o.DirectURL)
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("direct database url: %w", err)
		}
		dcfg.MaxConns = 2
		if direct, err = connect(ctx, dcfg); err != nil {
			pool.Close()
			return nil, err
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Store{pool: pool, direct: direct, now: o.Now, log: o.Logger, pages: sqlstore.NewPages(pageCacheBytes(o.PageCacheBytes))}
	if err := s.Migrate(ctx, "syncengine", Migrations()); err != nil {
		s.Close()
		return nil, err
	}
	if o.ReadURL != "" {
		// Not pinged: a replica that is down is no reason not to start,
		// pulls go to the primary until it answers.
		if s.replica, err = openReplica(ctx, o.ReadURL, o); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// connect opens a pool and checks it reaches the database.
func connect(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database %s@%s:%d/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

func pageCacheBytes(n int) int {
	if n == 0 {
		return DefaultPageCacheBytes
	}
	return n
}

// PageCacheStats counts the pull ranges of shared buckets served from the
// cache and read from the database.
func (s *Store) PageCacheStats() (hits, misses uint64) {
	st := s.pages.Stats()
	return st.Hits, st.Misses
}

// Pool returns the connection pool, for benchmarks and tools.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Dialect implements syncengine.Store.
func (s *Store) Dialect() syncengine.Dialect { return syncengine.Postgres }

// Migrate implements syncengine.Store. A session advisory lock keeps two
// processes starting at once from migrating together.
func (s *Store) Migrate(ctx context.Context, set string, fsys fs.FS) error {
	db := stdlib.OpenDBFromPool(s.direct)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName("goose_"+set), goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
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
	if s.replica != nil {
		s.replica.pool.Close()
	}
	if s.direct != s.pool {
		s.direct.Close()
	}
	s.pool.Close()
}

// Transient implements syncengine.Store: serialization failures and
// deadlocks; unique violations, since writers overlap here and a row another
// transaction inserted after this one looked for it collides (run again,
// the look finds it and the domain answers as it should); a lock that could
// not be had; lost connections and an overloaded or restarting server.
func (s *Store) Transient(err error) bool {
	var misplaced *misplacedError
	if errors.As(err, &misplaced) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "40", "08", "53", "57":
			return true
		}
		return pgErr.Code == "23505" || pgErr.Code == "55P03" // unique_violation, lock_not_available
	}
	var netErr net.Error
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

// commitUnknown is a COMMIT that failed without the server's answer:
// the transaction may have committed, so only one that is safe to repeat
// (a push, exactly once by its client's seqs) runs again after it.
type commitUnknown struct{ err error }

func (e *commitUnknown) Error() string { return "commit outcome unknown: " + e.err.Error() }
func (e *commitUnknown) Unwrap() error { return e.err }

// errCommitUnknown answers an Update whose commit outcome is unknown.
var errCommitUnknown = syncengine.Errorf(syncengine.EUNAVAILABLE,
	"the connection to the database broke while saving, so the change may or may not have been made; check before trying again")

// Update implements syncengine.Store: a transaction that fails because of
// another writer or a passing fault runs again, from scratch, up to
// sqlstore.Attempts times.
func (s *Store) Update(ctx context.Context, fn func(syncengine.Tx) error) error {
	err := sqlstore.Retry(ctx, s.repeatable, func() error {
		return s.update(ctx, func(t sqlstore.Tx) error { return fn(t) })
	})
	var unknown *commitUnknown
	if errors.As(err, &unknown) {
		return fmt.Errorf("%w: %w", errCommitUnknown, err)
	}
	return err
}

// repeatable reports whether an Update may run again after err.
func (s *Store) repeatable(err error) bool {
	var unknown *commitUnknown
	return !errors.As(err, &unknown) && s.Transient(err)
}

// pushRepeatable reports whether a push may run again after err: a push
// is safe to repeat even when its commit's outcome is unknown.
func (s *Store) pushRepeatable(err error) bool {
	var unknown *commitUnknown
	return errors.As(err, &unknown) || s.Transient(err)
}

func (s *Store) update(ctx context.Context, fn func(sqlstore.Tx) error) error {
	return s.run(ctx, false, func(t *tx) error { return fn(t) })
}

// run runs fn in a transaction and commits it; strict says how queued
// writes are sent (tx.Settle).
func (s *Store) run(ctx context.Context, strict bool, fn func(*tx) error) error {
	t, err := begin(ctx, s.pool, beginWrite, s.now(), strict)
	if err != nil {
		return err
	}
	defer t.end(ctx)
	if err := fn(t); err != nil {
		return err
	}
	if err := t.commit(ctx); err != nil {
		return err
	}
	for _, f := range t.after {
		f()
	}
	return nil
}

// View implements syncengine.Store with a REPEATABLE READ snapshot.
func (s *Store) View(ctx context.Context, fn func(syncengine.Querier) error) error {
	t, err := begin(ctx, s.pool, beginSnapshot, s.now(), false)
	if err != nil {
		return err
	}
	defer t.end(ctx)
	return fn(t)
}

// Push implements syncengine.Store. A batch is safe to run again whatever
// became of the last attempt: mutations it applied return their stored
// outcome. A queued write that failed where its error could not be
// attributed makes the batch run again strictly (see the package doc).
func (s *Store) Push(ctx context.Context, b syncengine.PushBatch) ([]syncengine.Outcome, error) {
	var outs []syncengine.Outcome
	strict := false
	err := sqlstore.Retry(ctx, s.pushRepeatable, func() error {
		var last *tx
		err := s.run(ctx, strict, func(t *tx) error {
			last = t
			var err error
			outs, err = sqlstore.Push(ctx, t, b)
			if t.misplaced != nil {
				return &misplacedError{t.misplaced}
			}
			return err
		})
		if last != nil && last.misplaced != nil {
			strict = true
		}
		return err
	})
	return outs, err
}

// Read implements syncengine.Store, on the read replica when there is one
// and it can answer (see the package doc), else on the primary.
func (s *Store) Read(ctx context.Context, r syncengine.ReadRequest) (*syncengine.ReadResult, error) {
	if s.replica != nil {
		if res, ok, err := s.readReplica(ctx, r); ok || err != nil {
			return res, err
		}
	}
	return s.readOn(ctx, s.pool, r, `SELECT last_value FROM sync_seq`)
}

// fetch reads every bucket in one statement: a lateral, index-ordered range
// scan per bucket, each bounded by the page size; tombstones are filtered
// in the scan for a cursor at zero. Rows are decoded from their raw binary
// columns into a PageBuilder, so a page costs a few allocations, not a
// few per row.
func fetch(ctx context.Context, q syncengine.Querier, cursors []syncengine.Cursor, horizon int64, limit int) ([]syncengine.Change, error) {
	buckets := make([]string, len(cursors))
	afters := make([]int64, len(cursors))
	byName := make(map[string]syncengine.Bucket, len(cursors))
	for i, c := range cursors {
		buckets[i], afters[i] = string(c.Bucket), c.After
		byName[string(c.Bucket)] = c.Bucket
	}
	rows, err := q.Query(ctx, `SELECT c.seq, c.bucket, c.collection, c.record_id, c.op, c.payload
		FROM unnest($1::text[], $2::bigint[]) AS q(bucket, after)
		CROSS JOIN LATERAL (
			SELECT seq, bucket, collection, record_id, op, payload FROM sync_changes
			WHERE bucket = q.bucket AND seq > q.after AND seq <= $3 AND `+sqlstore.Sendable("q.after")+`
			ORDER BY seq LIMIT $4
		) c`, buckets, afters, horizon, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := sqlstore.NewPageBuilder()
	raw, ok := rows.(pgx.Rows)
	if !ok || !rawDecodable(raw.FieldDescriptions()) {
		// A transaction pooler's statements come back as text.
		for rows.Next() {
			var seq, op int64
			var bucket, coll, id string
			var payload []byte
			if err := rows.Scan(&seq, &bucket, &coll, &id, &op, &payload); err != nil {
				return nil, err
			}
			page.Add(seq, syncengine.Bucket(bucket), []byte(coll), []byte(id), syncengine.Op(op), payload)
		}
		return page.Changes(), rows.Err()
	}
	var bucket syncengine.Bucket // the previous row's: rows come bucket by bucket
	for raw.Next() {
		v := raw.RawValues()
		if len(v) != 6 || len(v[0]) != 8 || len(v[4]) != 8 {
			return nil, fmt.Errorf("change row: unexpected columns")
		}
		if string(v[1]) != string(bucket) {
			var ok bool
			if bucket, ok = byName[string(v[1])]; !ok {
				return nil, fmt.Errorf("change row of bucket %q, which no cursor asked for", v[1])
			}
		}
		page.Add(int64(binary.BigEndian.Uint64(v[0])), bucket, v[2], v[3], syncengine.Op(int64(binary.BigEndian.Uint64(v[4]))), v[5])
	}
	return page.Changes(), raw.Err()
}

// rawDecodable reports whether fetch can decode a result's raw columns:
// the numbers and the payload in binary format, as pgx asks for them on a
// direct connection with cached statements (text is the same bytes in
// either format).
func rawDecodable(fields []pgconn.FieldDescription) bool {
	if len(fields) != 6 {
		return false
	}
	for _, i := range []int{0, 4, 5} {
		if fields[i].Format != pgx.BinaryFormatCode {
			return false
		}
	}
	return true
}

// Compact implements syncengine.Store; one process compacts at a time.
func (s *Store) Compact(ctx context.Context, o syncengine.CompactOptions) (syncengine.CompactStats, error) {
	return sqlstore.Compact(ctx, s.update, fmt.Sprintf("SELECT pg_try_advisory_xact_lock(%d)", compactionLock), o)
}

// Migrations returns the engine's PostgreSQL migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}
