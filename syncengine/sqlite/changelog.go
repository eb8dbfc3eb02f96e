package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// flush appends the buffered record writes to the change log and deletes
// the changes they supersede (see syncengine/internal/sqlstore), and
// returns the buckets that changed. The single writer connection already
// serialises commits, so the state read here is current and the seqs
// handed out are in commit order.
func (t *tx) flush(ctx context.Context) ([]syncengine.Bucket, error) {
	if t.set.Empty() {
		return nil, nil
	}
	current, err := recordStates(ctx, t.tx, t.set.Keys())
	if err != nil {
		return nil, err
	}
	var base int64
	if err := t.tx.QueryRowContext(ctx, `SELECT last_seq FROM sync_state WHERE id = 1`).Scan(&base); err != nil {
		return nil, err
	}
	plan := t.set.Plan(base, current)
	t.set.Reset()
	if len(plan.Changes) == 0 {
		return nil, nil
	}
	if err := writePlan(ctx, t.tx, plan, t.now.UnixMilli()); err != nil {
		return nil, err
	}
	return plan.ChangedBuckets(), nil
}

// recordStates returns the latest state of the records in every bucket
// they were ever in, one indexed lookup per record.
func recordStates(ctx context.Context, tx *sql.Tx, keys []sqlstore.RecordKey) ([]sqlstore.RecordState, error) {
	var out []sqlstore.RecordState
	for _, k := range keys {
		rows, err := tx.QueryContext(ctx, `SELECT bucket, seq, hash, deleted FROM sync_records WHERE collection = $1 AND record_id = $2`, k.Collection, k.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			r := sqlstore.RecordState{Key: k}
			var hash int64
			if err := rows.Scan(&r.Bucket, &r.Seq, &hash, &r.Deleted); err != nil {
				rows.Close()
				return nil, err
			}
			r.Hash = uint64(hash)
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// writePlan writes a plan: the new last seq, the superseded changes
// deleted, the new changes, the records' new state and the buckets'
// checksums.
func writePlan(ctx context.Context, tx *sql.Tx, plan sqlstore.Plan, now int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET last_seq = $1 WHERE id = 1`, plan.LastSeq); err != nil {
		return err
	}
	if err := deleteChanges(ctx, tx, plan.Superseded); err != nil {
		return err
	}
	err := insertRows(ctx, tx, `INSERT INTO sync_changes (seq, bucket, collection, record_id, op, payload, created_at) VALUES `, 7, len(plan.Changes),
		func(i int, args []any) []any {
			c := plan.Changes[i]
			return append(args, c.Seq, string(c.Bucket), c.Collection, c.RecordID, int64(c.Op), c.Payload, now)
		}, "")
	if err != nil {
		return err
	}
	err = insertRows(ctx, tx, `INSERT INTO sync_records (bucket, collection, record_id, seq, hash, deleted) VALUES `, 6, len(plan.Records),
		func(i int, args []any) []any {
			r := plan.Records[i]
			return append(args, string(r.Bucket), r.Key.Collection, r.Key.ID, r.Seq, int64(r.Hash), r.Deleted)
		}, ` ON CONFLICT (bucket, collection, record_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, deleted = excluded.deleted`)
	if err != nil {
		return err
	}
	// SQLite has no XOR operator; (a|b)-(a&b) is a^b and cannot overflow.
	return insertRows(ctx, tx, `INSERT INTO sync_buckets (bucket, checksum, count) VALUES `, 3, len(plan.Buckets),
		func(i int, args []any) []any {
			d := plan.Buckets[i]
			return append(args, string(d.Bucket), int64(d.Xor), d.Count)
		}, ` ON CONFLICT (bucket) DO UPDATE SET checksum = (checksum | excluded.checksum) - (checksum & excluded.checksum), count = count + excluded.count`)
}

// deleteChanges deletes changes by seq (the log's key here), in chunks
// that stay under SQLite's limit on bound parameters.
func deleteChanges(ctx context.Context, tx *sql.Tx, refs []sqlstore.ChangeRef) error {
	for chunk := range slices.Chunk(refs, maxParams) {
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r.Seq
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_changes WHERE seq IN (`+sqlq.Placeholders(1, len(chunk))+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

// maxParams stays under SQLite's limit on bound parameters (32766).
const maxParams = 32000

// insertRows runs a multi-row INSERT in chunks that stay under SQLite's
// limit on bound parameters.
func insertRows(ctx context.Context, tx *sql.Tx, head string, cols, n int, row func(int, []any) []any, tail string) error {
	per := maxParams / cols
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + sqlq.Placeholders(len(args)+1, cols) + ")")
			args = row(i, args)
		}
		sb.WriteString(tail)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
