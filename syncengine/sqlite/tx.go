package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// querier adapts database/sql to syncengine.Querier.
type querier struct {
	q interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (syncengine.Rows, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) syncengine.Row {
	return q.q.QueryRowContext(ctx, query, args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// tx is a write transaction on the single writer connection.
type tx struct {
	querier
	store *Store
	tx    *sql.Tx
	now   time.Time
	set   syncengine.ChangeSet
	after []func()
	depth int
}

func (t *tx) Put(collection, id string, payload []byte, buckets ...syncengine.Bucket) {
	t.set.Put(collection, id, payload, buckets...)
}
func (t *tx) Delete(collection, id string) { t.set.Delete(collection, id) }
func (t *tx) Now() time.Time               { return t.now }
func (t *tx) Dialect() syncengine.Dialect  { return syncengine.SQLite }
func (t *tx) AfterCommit(fn func())        { t.after = append(t.after, fn) }

func (t *tx) Savepoint(ctx context.Context) (undo, done func() error, err error) {
	name := "sp" + strconv.Itoa(t.depth)
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return nil, nil, err
	}
	t.depth++
	mark, afterMark := t.set.Mark(), len(t.after)
	undo = func() error {
		t.depth--
		t.set.Rollback(mark)
		t.after = t.after[:afterMark]
		if _, err := t.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		return err
	}
	done = func() error {
		t.depth--
		_, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		return err
	}
	return undo, done, nil
}

// flush appends the buffered record writes to the change log and deletes
// the changes they supersede (see syncengine/internal/sqlstore). The single
// writer connection already serialises commits, so seqs are in commit order.
func (t *tx) flush(ctx context.Context) ([]syncengine.Bucket, error) {
	if t.set.Empty() {
		return nil, nil
	}
	var current []syncengine.Membership
	for _, k := range t.set.Keys() {
		rows, err := t.tx.QueryContext(ctx, `SELECT bucket, seq, hash, deleted FROM sync_records WHERE collection = $1 AND record_id = $2`, k.Collection, k.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			m := syncengine.Membership{Key: k}
			var hash int64
			if err := rows.Scan(&m.Bucket, &m.Seq, &hash, &m.Deleted); err != nil {
				rows.Close()
				return nil, err
			}
			m.Hash = uint64(hash)
			current = append(current, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
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
	if _, err := t.tx.ExecContext(ctx, `UPDATE sync_state SET last_seq = $1 WHERE id = 1`, plan.LastSeq); err != nil {
		return nil, err
	}
	if err := deleteChanges(ctx, t.tx, plan.Superseded); err != nil {
		return nil, err
	}
	now := t.now.UnixMilli()
	err := insertRows(ctx, t.tx, `INSERT INTO sync_changes (seq, bucket, collection, record_id, op, payload, created_at) VALUES `, 7, len(plan.Changes),
		func(i int, args []any) []any {
			c := plan.Changes[i]
			return append(args, c.Seq, string(c.Bucket), c.Collection, c.RecordID, int64(c.Op), c.Payload, now)
		}, "")
	if err != nil {
		return nil, err
	}
	err = insertRows(ctx, t.tx, `INSERT INTO sync_records (bucket, collection, record_id, seq, hash, deleted) VALUES `, 6, len(plan.Records),
		func(i int, args []any) []any {
			r := plan.Records[i]
			return append(args, string(r.Bucket), r.Key.Collection, r.Key.ID, r.Seq, int64(r.Hash), r.Deleted)
		}, ` ON CONFLICT (bucket, collection, record_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, deleted = excluded.deleted`)
	if err != nil {
		return nil, err
	}
	// SQLite has no XOR operator; (a|b)-(a&b) is a^b and cannot overflow.
	err = insertRows(ctx, t.tx, `INSERT INTO sync_buckets (bucket, checksum, count) VALUES `, 3, len(plan.Buckets),
		func(i int, args []any) []any {
			d := plan.Buckets[i]
			return append(args, string(d.Bucket), int64(d.Xor), d.Count)
		}, ` ON CONFLICT (bucket) DO UPDATE SET checksum = (checksum | excluded.checksum) - (checksum & excluded.checksum), count = count + excluded.count`)
	if err != nil {
		return nil, err
	}
	return plan.ChangedBuckets(), nil
}

// deleteChanges deletes changes by seq (the log's key here), in chunks
// that stay under SQLite's limit on bound parameters.
func deleteChanges(ctx context.Context, tx *sql.Tx, refs []syncengine.ChangeRef) error {
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
