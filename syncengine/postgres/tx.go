package postgres

import (
	"context"
	"strconv"
	"strings"
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

// sendPending returns a batch starting with the queued commands, or nil.
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

// flush appends the buffered record writes to the change log and deletes
// the changes they supersede (see syncengine/internal/sqlstore). Updating
// the sync_state row first takes the log lock, held to commit; the
// membership read that follows in the same round trip therefore sees every
// earlier commit, and the seqs handed out are in commit order.
func (t *tx) flush(ctx context.Context) error {
	if t.set.Empty() {
		return nil
	}
	keys := t.set.Keys()
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
		return err
	}
	var base int64
	if err := br.QueryRow().Scan(&base); err != nil {
		br.Close()
		return err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return err
	}
	var current []sqlstore.RecordState
	for rows.Next() {
		var m sqlstore.RecordState
		var bucket string
		var hash int64
		if err := rows.Scan(&bucket, &m.Key.Collection, &m.Key.ID, &m.Seq, &hash, &m.Deleted); err != nil {
			rows.Close()
			br.Close()
			return err
		}
		m.Bucket, m.Hash = syncengine.Bucket(bucket), uint64(hash)
		current = append(current, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		br.Close()
		return err
	}
	if err := br.Close(); err != nil {
		return err
	}

	plan := t.set.Plan(base, current)
	t.set.Reset()
	if len(plan.Changes) == 0 {
		return nil
	}
	now := t.now.UnixMilli()
	n := len(plan.Changes)
	var (
		seqs     = make([]int64, n)
		buckets  = make([]string, n)
		cColls   = make([]string, n)
		cIDs     = make([]string, n)
		ops      = make([]int64, n)
		payloads = make([][]byte, n)
	)
	for i, c := range plan.Changes {
		seqs[i], buckets[i], cColls[i], cIDs[i], ops[i], payloads[i] = c.Seq, string(c.Bucket), c.Collection, c.RecordID, int64(c.Op), c.Payload
	}
	m := len(plan.Records)
	var (
		rBuckets = make([]string, m)
		rColls   = make([]string, m)
		rIDs     = make([]string, m)
		rSeqs    = make([]int64, m)
		rHashes  = make([]int64, m)
		rDeleted = make([]bool, m)
	)
	for i, r := range plan.Records {
		rBuckets[i], rColls[i], rIDs[i], rSeqs[i], rHashes[i], rDeleted[i] = string(r.Bucket), r.Key.Collection, r.Key.ID, r.Seq, int64(r.Hash), r.Deleted
	}
	dBuckets := make([]string, len(plan.Buckets))
	dXors := make([]int64, len(plan.Buckets))
	dCounts := make([]int64, len(plan.Buckets))
	for i, d := range plan.Buckets {
		dBuckets[i], dXors[i], dCounts[i] = string(d.Bucket), int64(d.Xor), d.Count
	}

	b = &pgx.Batch{}
	b.Queue(`UPDATE sync_state SET last_seq = $1 WHERE id = 1`, plan.LastSeq)
	if len(plan.Superseded) > 0 {
		sBuckets := make([]string, len(plan.Superseded))
		sSeqs := make([]int64, len(plan.Superseded))
		for i, r := range plan.Superseded {
			sBuckets[i], sSeqs[i] = string(r.Bucket), r.Seq
		}
		b.Queue(`DELETE FROM sync_changes c USING unnest($1::text[], $2::bigint[]) AS s(bucket, seq)
			WHERE c.bucket = s.bucket AND c.seq = s.seq`, sBuckets, sSeqs)
	}
	b.Queue(`INSERT INTO sync_changes (seq, bucket, collection, record_id, op, payload, created_at)
		SELECT seq, bucket, collection, record_id, op, payload, $7
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bytea[])
			AS u(seq, bucket, collection, record_id, op, payload)`,
		seqs, buckets, cColls, cIDs, ops, payloads, now)
	b.Queue(`INSERT INTO sync_records (bucket, collection, record_id, seq, hash, deleted)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::boolean[])
		ON CONFLICT (bucket, collection, record_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, deleted = excluded.deleted`,
		rBuckets, rColls, rIDs, rSeqs, rHashes, rDeleted)
	b.Queue(`INSERT INTO sync_buckets (bucket, checksum, count)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
		ON CONFLICT (bucket) DO UPDATE SET checksum = sync_buckets.checksum # excluded.checksum, count = sync_buckets.count + excluded.count`,
		dBuckets, dXors, dCounts)
	for _, payload := range notifyPayloads(plan.ChangedBuckets()) {
		b.Queue(`SELECT pg_notify($1, $2)`, Channel, payload)
	}
	return t.tx.SendBatch(ctx, b).Close()
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
