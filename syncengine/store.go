package syncengine

import (
	"context"
	"io/fs"
	"time"
)

// Dialect names the SQL dialect of a store. Domain SQL is written once in
// the subset both accept ($1 placeholders, BIGINT millisecond times, TEXT
// ids, ON CONFLICT, RETURNING); DDL differs per dialect in migrations.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// LockRows is appended to a SELECT in a write transaction to lock the rows
// it reads until commit, so that a read-then-write is not interleaved with
// another writer's: FOR UPDATE on PostgreSQL; nothing on SQLite, where
// write transactions take turns (BEGIN IMMEDIATE on one writer connection).
func (d Dialect) LockRows() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// SkipLocked is LockRows for a worker that claims rows to process: on
// PostgreSQL (FOR UPDATE SKIP LOCKED) rows another transaction holds are
// skipped instead of waited for, so the workers of several server
// processes take disjoint rows; on SQLite nothing, its single writer
// running one claim at a time.
func (d Dialect) SkipLocked() string {
	if d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// Querier runs SQL. Rows scan into the usual Go types on both stores:
// int64, string, []byte, bool, float64 and pointers or sql.Null* of them.
// A QueryRow with no result returns an error that errors.Is sql.ErrNoRows.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (rowsAffected int64, err error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// Rows is the result of Query.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is the result of QueryRow.
type Row interface {
	Scan(dest ...any) error
}

// Tx is a write transaction. Besides SQL, it records the new state of
// synced records; the change log is appended at commit.
type Tx interface {
	Querier
	// Put says record (collection, id) now has payload and belongs to
	// exactly these buckets: it is upserted in each, and deleted from any
	// bucket it was in before and is not in now.
	Put(collection, recordID string, payload []byte, buckets ...Bucket)
	// Delete removes the record from every bucket it is in.
	Delete(collection, recordID string)
	// Now is the transaction's clock.
	Now() time.Time
	// Dialect is the store's SQL dialect, for the few statements that differ.
	Dialect() Dialect
	// AfterCommit runs fn once the transaction has committed.
	AfterCommit(fn func())
	// Queue runs a write whose result the caller does not need (no rows,
	// no count) as late as the store likes: on PostgreSQL it travels in
	// the same round trip as the transaction's next statement or its
	// commit, on SQLite it runs at once. Statements run in the order they
	// were issued, queued or not, so a later read sees a queued write.
	//
	// Its error is not lost: the next statement returns it (without
	// running) or the commit does, and it is the error of the mutation
	// that queued it, as if that mutation's mutator had returned it
	// (Store.Push re-runs a batch where it surfaced after its mutation
	// ended; see syncengine/postgres). A mutator that wants to answer a
	// write's failure itself (a unique violation told as ECONFLICT, say)
	// uses Exec for that write.
	Queue(ctx context.Context, sql string, args ...any)
	// QueueScan is a one-row read that waits like a queued write: it is
	// sent with the next statement that must go, or when wait asks for
	// its answer, so a mutator's independent reads and the writes whose
	// answers it needs (an UPDATE ... RETURNING) share one round trip.
	// The row is scanned into dest when it arrives; wait sends whatever
	// is queued if the read has not gone yet and returns its error
	// (sql.ErrNoRows for no row). dest is not to be read before wait
	// returns. Statements still run in the order they were issued; on
	// SQLite the read runs at once.
	//
	// A statement that fails aborts the mutation's later ones, so a read
	// queued after a failed write answers with the write's error.
	QueueScan(ctx context.Context, dest []any, sql string, args ...any) (wait func() error)
}

// settler is implemented by a store's Tx that queues writes: the engine
// calls Settle once a mutator has returned, before it decides the
// mutation's outcome, and treats the error as the mutator's own. The store
// uses it to send the mutation's queued writes before its savepoint is
// released where it must (see syncengine/postgres), or to have the batch
// run again.
type settler interface {
	Settle(ctx context.Context) error
}

// Store keeps the change log and the application's tables in one database.
// Every method is safe for concurrent use.
type Store interface {
	Dialect() Dialect
	// Migrate applies a set of embedded SQL migrations (goose format), each
	// set versioned on its own, idempotently.
	Migrate(ctx context.Context, set string, migrations fs.FS) error
	// Update runs fn in a write transaction and commits if it returns nil.
	// A transaction that fails because of a concurrent writer or a passing
	// fault (see Transient) is rolled back and fn runs again in a new one,
	// a bounded number of times, after which Update answers EUNAVAILABLE.
	// So fn may run more than once: each run starts from nothing (the Puts
	// and AfterCommit hooks of a failed run are discarded), and fn must
	// keep nothing of its own from one run to the next (assign its results,
	// never accumulate them). A coded error from fn is its answer and is
	// never retried.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn against a consistent read snapshot.
	View(ctx context.Context, fn func(Querier) error) error

	// Push applies a client's batch of mutations in order, exactly once,
	// retrying the whole batch as Update does when a mutation or the
	// commit fails because of a concurrent writer.
	Push(ctx context.Context, b PushBatch) ([]Outcome, error)
	// Read returns changes after the cursors, in seq order, as of one
	// snapshot: only the current change of each record in each bucket (a
	// commit deletes the change it supersedes), and no tombstones for a
	// cursor at zero, which holds nothing they could remove.
	Read(ctx context.Context, r ReadRequest) (*ReadResult, error)
	// BucketStates returns the record count and checksum of each bucket's
	// live state now, in the order asked, exactly as a pull's checkpoint
	// would report them (zero for a bucket never written): what support
	// compares a device's replica against.
	BucketStates(ctx context.Context, buckets []Bucket) ([]BucketChecksum, error)
	// Compact removes expired tombstones and outcomes.
	Compact(ctx context.Context, o CompactOptions) (CompactStats, error)
	// Watch calls fn with the buckets of every committed change set, from
	// any process sharing the database, until ctx ends. It calls fn(nil)
	// once it is listening, and again after any interruption: a nil slice
	// means notifications may have been missed and every bucket should be
	// rechecked.
	Watch(ctx context.Context, fn func(buckets []Bucket)) error
	// Transient reports whether a transaction that failed with err may
	// succeed if it runs again: a serialization failure or deadlock, a
	// unique violation where writers overlap (another transaction inserted
	// the row after this one looked for it), a busy database, a lost
	// connection.
	Transient(err error) bool
	Close()
}

// PushBatch is one client's batch for Store.Push.
type PushBatch struct {
	ClientID  string
	UserID    string
	Mutations []Mutation // consecutive seqs, ascending
	// Apply runs one new mutation inside tx. A non-nil error aborts the
	// whole batch (nothing is written); a rejection is an Outcome. Apply
	// runs again for every mutation when the batch is retried.
	Apply func(ctx context.Context, tx Tx, m Mutation) (Outcome, error)
	// Encode encodes an outcome as the payload of its record in the user
	// bucket.
	Encode func(Outcome) []byte
}

// Cursor is a client's position in one bucket.
type Cursor struct {
	Bucket Bucket
	After  int64 // the last seq the client has for this bucket; 0 for none
	// FromZero says the client's copy of this bucket holds only what it
	// downloaded since it last started the bucket from zero and it has not
	// reached a checkpoint since: such a cursor never needs a reset.
	FromZero bool
}

// ReadRequest asks for the changes after each cursor.
type ReadRequest struct {
	UserID   string
	ClientID string
	Cursors  []Cursor
	MaxRows  int
	MaxBytes int
	// Estimate asks for the number of changes left to download.
	Estimate bool
}

// ReadResult is one page of changes.
type ReadResult struct {
	Changes []Change
	// Cursors holds the next cursor of every requested bucket.
	Cursors []Cursor
	HasMore bool
	// Reset lists buckets whose cursor was older than compaction allows;
	// their changes in this page start from zero and the client must first
	// forget what it had.
	Reset []Bucket
	// Checkpoint is set when the page reaches the end of the log.
	Checkpoint *Checkpoint
	// Remaining estimates the changes left after the cursors, if asked.
	Remaining int64
}

// Checkpoint is a point a client can verify its replica against: the
// checksums of the live state of its buckets at log position Seq, and the
// last of its mutations the server has applied.
type Checkpoint struct {
	Seq             int64
	Buckets         []BucketChecksum
	LastMutationSeq int64
}

// CompactOptions says what compaction may remove.
type CompactOptions struct {
	// Tombstones older than this are removed; clients behind them reset.
	TombstoneRetention time.Duration
	// Outcomes older than this leave the user bucket and the outcome table.
	OutcomeRetention time.Duration
	// BatchSize bounds the rows one compaction transaction touches.
	BatchSize int
}

// CompactStats reports what a compaction run removed.
type CompactStats struct {
	Tombstones int64
	Outcomes   int64
}

// DialectMigrations returns a module's migrations for a dialect from the
// tree fsys holds them in: migrations/postgres and migrations/sqlite where
// the two dialects need different DDL, or migrations/ itself for a module
// whose DDL is written once for both (BIGINT, TEXT, CHECK and UNIQUE
// constraints, plain indexes: what PostgreSQL and SQLite read alike).
func DialectMigrations(fsys fs.FS) func(Dialect) fs.FS {
	return func(d Dialect) fs.FS {
		dir := "migrations/" + string(d)
		if _, err := fs.Stat(fsys, dir); err != nil {
			dir = "migrations"
		}
		sub, err := fs.Sub(fsys, dir)
		if err != nil {
			panic(err) // fs.Sub fails only for a malformed path
		}
		return sub
	}
}
