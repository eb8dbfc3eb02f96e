package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// flush appends the buffered record writes to the change log and deletes
// the changes they supersede (see syncengine/internal/sqlstore), in two
// round trips: one takes the log lock and reads the touched records'
// state, the other writes the plan made from it.
func (t *tx) flush(ctx context.Context) error {
	if t.set.Empty() {
		return nil
	}
	base, current, err := t.lockLog(ctx, t.set.Keys())
	if err != nil {
		return err
	}
	plan := t.set.Plan(base, current)
	t.set.Reset()
	if len(plan.Changes) == 0 {
		return nil
	}
	return t.tx.SendBatch(ctx, planBatch(plan, t.now.UnixMilli())).Close()
}

// lockLog takes the log lock and returns the last seq handed out and the
// latest state of the records in every bucket they were ever in. Updating
// the sync_state row takes the lock, held to commit; the read that follows
// in the same round trip (after any statements still queued) therefore
// sees every earlier commit, and the seqs handed out after base are in
// commit order.
func (t *tx) lockLog(ctx context.Context, keys []sqlstore.RecordKey) (base int64, current []sqlstore.RecordState, err error) {
	colls := make([]string, len(keys))
	ids := make([]string, len(keys))
	for i, k := range keys {
		colls[i], ids[i] = k.Collection, k.ID
	}
	b := t.batch()
	if b == nil {
		b = &pgx.Batch{}
	}
	b.Queue(`UPDATE sync_state SET last_seq = last_seq WHERE id = 1 RETURNING last_seq`)
	b.Queue(`SELECT r.bucket, r.collection, r.record_id, r.seq, r.hash, r.deleted
		FROM unnest($1::text[], $2::text[]) AS k(collection, record_id)
		JOIN sync_records r ON r.collection = k.collection AND r.record_id = k.record_id`, colls, ids)
	br := t.tx.SendBatch(ctx, b)
	if err := t.consume(br); err != nil {
		return 0, nil, err
	}
	if err := br.QueryRow().Scan(&base); err != nil {
		br.Close()
		return 0, nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return 0, nil, err
	}
	current, err = scanRecordStates(rows)
	if err != nil {
		br.Close()
		return 0, nil, err
	}
	return base, current, br.Close()
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
// round trip: the new last seq, the superseded changes deleted, the new
// changes, the records' new state, the buckets' checksums, and a NOTIFY
// of the changed buckets (delivered at commit). Each statement takes its
// rows as arrays through unnest, so its size does not depend on the plan's.
func planBatch(p sqlstore.Plan, now int64) *pgx.Batch {
	b := &pgx.Batch{}
	b.Queue(`UPDATE sync_state SET last_seq = $1 WHERE id = 1`, p.LastSeq)
	if len(p.Superseded) > 0 {
		queueSuperseded(b, p.Superseded)
	}
	queueChanges(b, p.Changes, now)
	queueRecordStates(b, p.Records)
	queueBucketDeltas(b, p.Buckets)
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

func queueChanges(b *pgx.Batch, changes []syncengine.Change, now int64) {
	n := len(changes)
	var (
		seqs     = make([]int64, n)
		buckets  = make([]string, n)
		colls    = make([]string, n)
		ids      = make([]string, n)
		ops      = make([]int64, n)
		payloads = make([][]byte, n)
	)
	for i, c := range changes {
		seqs[i], buckets[i], colls[i], ids[i], ops[i], payloads[i] = c.Seq, string(c.Bucket), c.Collection, c.RecordID, int64(c.Op), c.Payload
	}
	b.Queue(`INSERT INTO sync_changes (seq, bucket, collection, record_id, op, payload, created_at)
		SELECT seq, bucket, collection, record_id, op, payload, $7
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bytea[])
			AS u(seq, bucket, collection, record_id, op, payload)`,
		seqs, buckets, colls, ids, ops, payloads, now)
}

func queueRecordStates(b *pgx.Batch, records []sqlstore.RecordState) {
	n := len(records)
	var (
		buckets = make([]string, n)
		colls   = make([]string, n)
		ids     = make([]string, n)
		seqs    = make([]int64, n)
		hashes  = make([]int64, n)
		deleted = make([]bool, n)
	)
	for i, r := range records {
		buckets[i], colls[i], ids[i], seqs[i], hashes[i], deleted[i] = string(r.Bucket), r.Key.Collection, r.Key.ID, r.Seq, int64(r.Hash), r.Deleted
	}
	b.Queue(`INSERT INTO sync_records (bucket, collection, record_id, seq, hash, deleted)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::boolean[])
		ON CONFLICT (bucket, collection, record_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, deleted = excluded.deleted`,
		buckets, colls, ids, seqs, hashes, deleted)
}

func queueBucketDeltas(b *pgx.Batch, deltas []sqlstore.BucketDelta) {
	buckets := make([]string, len(deltas))
	xors := make([]int64, len(deltas))
	counts := make([]int64, len(deltas))
	for i, d := range deltas {
		buckets[i], xors[i], counts[i] = string(d.Bucket), int64(d.Xor), d.Count
	}
	b.Queue(`INSERT INTO sync_buckets (bucket, checksum, count)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
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
