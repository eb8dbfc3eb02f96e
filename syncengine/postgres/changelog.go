package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// commit appends the buffered record writes to the change log, deletes
// the changes they supersede (see syncengine/internal/sqlstore) and
// commits, in two round trips, the first carrying whatever is still
// queued: one locks the touched records and reads their state, the other
// writes the plan made from it, taking the changed buckets' locks before
// the seqs (see the package doc for why that orders commits), and COMMIT.
// A transaction with no record writes sends its queued writes with
// COMMIT; one that never sent a statement has nothing to commit.
//
// An error of the batch that carried COMMIT leaves the outcome unknown
// unless the server itself answered it: then it is a *commitUnknown.
func (t *tx) commit(ctx context.Context) error {
	if t.set.Empty() && t.unstarted() {
		return nil
	}
	var plan *pgx.Batch
	if !t.set.Empty() {
		current, err := t.lockRecords(ctx, t.set.Keys())
		if err != nil {
			return err
		}
		p := t.set.Plan(0, current)
		t.set.Reset()
		if len(p.Changes) > 0 {
			plan = planBatch(p, t.now.UnixMilli())
		}
	}
	b := t.batch()
	if b == nil {
		b = &pgx.Batch{}
	}
	queued := b.Len()
	if plan != nil {
		for _, q := range plan.QueuedQueries {
			b.Queue(q.SQL, q.Arguments...)
		}
	}
	b.Queue("COMMIT")
	br := t.tx.SendBatch(ctx, b)
	tag, err := t.consumeAll(br, b.Len()-queued)
	switch {
	case err == nil && tag.String() != "COMMIT":
		// An aborted transaction answers COMMIT with ROLLBACK.
		return fmt.Errorf("the transaction was rolled back at commit (%s)", tag)
	case err == nil:
		return nil
	}
	// Only the server's own answer says the commit did not happen; a
	// connection that broke after the batch went out may have committed
	// it (pgx may even call that "conn closed", safe to retry).
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return &commitUnknown{err}
	}
	return err
}

// consumeAll reads the queued commands at the head of br, then n more
// results, and closes it; it returns the last result's tag.
func (t *tx) consumeAll(br pgx.BatchResults, n int) (pgconn.CommandTag, error) {
	if err := t.consume(br); err != nil {
		return pgconn.CommandTag{}, err
	}
	var tag pgconn.CommandTag
	var err error
	for range n {
		if tag, err = br.Exec(); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Advisory lock keys (the two-int form, so they cannot collide with the
// one-bigint compaction lock): recordLock with a record's hash is held by
// the commit writing that record; allRecordsLock is held shared by every
// commit that locks its records one by one, and exclusively by one that
// touches more than manyRecords, instead of a lock per record.
const (
	recordLock     = 7_241_002
	allRecordsLock = 7_241_003
	manyRecords    = 256
)

// lockRecords locks the records a commit writes and returns their latest
// state in every bucket they were ever in. Two commits writing the same
// record take turns from here to commit, so each plans from the other's
// result; the read is a statement of its own, after the locks, so in READ
// COMMITTED it sees every commit that held them before. Locks are taken in
// key order, so commits that share records do not deadlock over them.
func (t *tx) lockRecords(ctx context.Context, keys []sqlstore.RecordKey) ([]sqlstore.RecordState, error) {
	colls := make([]string, len(keys))
	ids := make([]string, len(keys))
	for i, k := range keys {
		colls[i], ids[i] = k.Collection, k.ID
	}
	b := t.batch()
	if b == nil {
		b = &pgx.Batch{}
	}
	if len(keys) > manyRecords {
		b.Queue(`SELECT pg_advisory_xact_lock($1::int, 0)`, allRecordsLock)
	} else {
		b.Queue(`SELECT pg_advisory_xact_lock_shared($1::int, 0)`, allRecordsLock)
		b.Queue(`SELECT pg_advisory_xact_lock($1::int, k) FROM (
			SELECT DISTINCT hashtext(c || '/' || i) AS k FROM unnest($2::text[], $3::text[]) AS u(c, i) ORDER BY k) s`,
			recordLock, colls, ids)
	}
	b.Queue(`SELECT r.bucket, r.collection, r.record_id, r.seq, r.hash, r.deleted
		FROM unnest($1::text[], $2::text[]) AS k(collection, record_id)
		JOIN sync_records r ON r.collection = k.collection AND r.record_id = k.record_id`, colls, ids)
	br := t.tx.SendBatch(ctx, b)
	if err := t.consume(br); err != nil {
		return nil, err
	}
	locks := 2
	if len(keys) > manyRecords {
		locks = 1
	}
	for range locks {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, err
		}
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	current, err := scanRecordStates(rows)
	if err != nil {
		br.Close()
		return nil, err
	}
	return current, br.Close()
}

// scanRecordStates reads rows of (bucket, collection, record_id, seq,
// hash, deleted) and closes them.
func scanRecordStates(rows pgx.Rows) ([]sqlstore.RecordState, error) {
	defer rows.Close()
	var out []sqlstore.RecordState
	for rows.Next() {
		var r sqlstore.RecordState
		var bucket string
		var hash int64
		if err := rows.Scan(&bucket, &r.Key.Collection, &r.Key.ID, &r.Seq, &hash, &r.Deleted); err != nil {
			return nil, err
		}
		r.Bucket, r.Hash = syncengine.Bucket(bucket), uint64(hash)
		out = append(out, r)
	}
	return out, rows.Err()
}

// planBatch encodes a plan as the statements that write it, sent in one
// round trip: the buckets' checksums first, which locks the changed
// buckets' rows until commit, then the superseded changes deleted, the new
// changes with their seqs taken from sync_seq and the records' new state,
// and a NOTIFY of the changed buckets (delivered at commit). Each statement
// takes its rows as arrays through unnest, so its size does not depend on
// the plan's. The plan's own seqs are only its changes' order: the
// statement that inserts them takes real ones, after the bucket locks.
func planBatch(p sqlstore.Plan, now int64) *pgx.Batch {
	b := &pgx.Batch{}
	queueBucketDeltas(b, p.Buckets)
	if len(p.Superseded) > 0 {
		queueSuperseded(b, p.Superseded)
	}
	queueChanges(b, p.Changes, p.Records, now)
	for _, payload := range notifyPayloads(p.ChangedBuckets()) {
		b.Queue(`SELECT pg_notify($1, $2)`, Channel, payload)
	}
	return b
}

func queueSuperseded(b *pgx.Batch, refs []sqlstore.ChangeRef) {
	buckets := make([]string, len(refs))
	seqs := make([]int64, len(refs))
	for i, r := range refs {
		buckets[i], seqs[i] = string(r.Bucket), r.Seq
	}
	b.Queue(`DELETE FROM sync_changes c USING unnest($1::text[], $2::bigint[]) AS s(bucket, seq)
		WHERE c.bucket = s.bucket AND c.seq = s.seq`, buckets, seqs)
}

// queueChanges inserts the changes with new seqs and, from what the insert
// returns, the records' new state: the plan has one record state per
// change, in the same order.
func queueChanges(b *pgx.Batch, changes []syncengine.Change, records []sqlstore.RecordState, now int64) {
	n := len(changes)
	var (
		buckets  = make([]string, n)
		colls    = make([]string, n)
		ids      = make([]string, n)
		ops      = make([]int64, n)
		payloads = make([][]byte, n)
		hashes   = make([]int64, n)
	)
	for i, c := range changes {
		buckets[i], colls[i], ids[i], ops[i], payloads[i], hashes[i] = string(c.Bucket), c.Collection, c.RecordID, int64(c.Op), c.Payload, int64(records[i].Hash)
	}
	b.Queue(`WITH u AS MATERIALIZED (
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[], $6::bigint[])
				AS u(bucket, collection, record_id, op, payload, hash)
		), c AS (
			INSERT INTO sync_changes (seq, bucket, collection, record_id, op, payload, created_at)
			SELECT nextval('sync_seq'), bucket, collection, record_id, op, payload, $7 FROM u
			RETURNING seq, bucket, collection, record_id, op
		)
		INSERT INTO sync_records (bucket, collection, record_id, seq, hash, deleted)
		SELECT c.bucket, c.collection, c.record_id, c.seq, u.hash, c.op = $8
		FROM c JOIN u ON u.bucket = c.bucket AND u.collection = c.collection AND u.record_id = c.record_id
		ON CONFLICT (bucket, collection, record_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, deleted = excluded.deleted`,
		buckets, colls, ids, ops, payloads, hashes, now, int64(syncengine.OpDelete))
}

func queueBucketDeltas(b *pgx.Batch, deltas []sqlstore.BucketDelta) {
	buckets := make([]string, len(deltas))
	xors := make([]int64, len(deltas))
	counts := make([]int64, len(deltas))
	for i, d := range deltas {
		buckets[i], xors[i], counts[i] = string(d.Bucket), int64(d.Xor), d.Count
	}
	// The deltas are sorted by bucket and inserted in that order, so two
	// commits lock shared buckets in the same order.
	b.Queue(`INSERT INTO sync_buckets (bucket, checksum, count)
		SELECT bucket, checksum, count FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS u(bucket, checksum, count, n) ORDER BY n
		ON CONFLICT (bucket) DO UPDATE SET checksum = sync_buckets.checksum # excluded.checksum, count = sync_buckets.count + excluded.count`,
		buckets, xors, counts)
}

// notifyPayloads splits bucket names, one per line, into NOTIFY payloads
// under PostgreSQL's 8000-byte limit.
func notifyPayloads(buckets []syncengine.Bucket) []string {
	const limit = 7900
	var out []string
	var sb strings.Builder
	for _, b := range buckets {
		if sb.Len() > 0 && sb.Len()+len(b)+1 > limit {
			out = append(out, sb.String())
			sb.Reset()
		}
		if sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(string(b))
	}
	if sb.Len() > 0 {
		out = append(out, sb.String())
	}
	return out
}
