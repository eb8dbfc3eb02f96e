package sdk

import (
	"errors"
	"strings"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// deleteRow removes a record from a bucket, keeping its running checksum.
func deleteRow(tx *wtx, c *syncv1.Change, s *bucketSum) error {
	var old int64
	err := tx.queryRow(`DELETE FROM sdk_rows WHERE collection = ? AND id = ? AND bucket = ? RETURNING hash`,
		c.GetCollection(), c.GetRecordId(), c.GetBucket()).Scan(&old)
	if errors.Is(err, errNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	s.sum ^= uint64(old)
	s.count--
	return nil
}

// rowWriter upserts changes into sdk_rows in multi-row statements, keeping
// the running checksums: new rows (the whole of an initial download) go in
// batches; the few that replace an existing row take the slow path.
type rowWriter struct {
	tx     *wtx
	rows   []pendingRow
	keys   map[rowKey]bool
	hashes map[uint64]bool
	args   []any
}

type rowKey struct{ bucket, collection, id string }

type pendingRow struct {
	key     rowKey
	payload []byte
	hash    uint64
	sum     *bucketSum
}

// rowBatch rows go in one statement (5 variables each, far below SQLite's
// limit of 32,766).
const rowBatch = 256

func newRowWriter(tx *wtx) *rowWriter {
	return &rowWriter{tx: tx, keys: make(map[rowKey]bool, rowBatch), hashes: make(map[uint64]bool, rowBatch), args: make([]any, 0, 5*rowBatch)}
}

func (w *rowWriter) add(c *syncv1.Change, s *bucketSum) error {
	k := rowKey{c.GetBucket(), c.GetCollection(), c.GetRecordId()}
	payload := c.GetPayload()
	if payload == nil {
		payload = []byte{}
	}
	h := syncengine.RecordHash(k.collection, k.id, payload)
	// A later state of a row in the batch must follow the earlier one; two
	// rows of one hash could not be told apart in what the insert returns.
	if w.keys[k] || w.hashes[h] {
		if err := w.flush(); err != nil {
			return err
		}
	}
	w.keys[k] = true
	w.hashes[h] = true
	w.rows = append(w.rows, pendingRow{k, payload, h, s})
	if len(w.rows) >= rowBatch {
		return w.flush()
	}
	return nil
}

// rowInsert[n] inserts n rows (a power of two), leaving those that exist
// alone.
var rowInsert = func() []string {
	out := make([]string, rowBatch+1)
	for n := 1; n <= rowBatch; n *= 2 {
		out[n] = `INSERT INTO sdk_rows (collection, id, bucket, payload, hash) VALUES (?, ?, ?, ?, ?)` +
			strings.Repeat(", (?, ?, ?, ?, ?)", n-1) + ` ON CONFLICT DO NOTHING`
	}
	return out
}()

func (w *rowWriter) flush() error {
	for rest := w.rows; len(rest) > 0; {
		n := batchOf(len(rest), rowBatch)
		if err := w.write(rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	w.rows = w.rows[:0]
	clear(w.keys)
	clear(w.hashes)
	return nil
}

// batchOf is how many of n rows the next statement writes: the largest
// power of two at most n and max, so a table needs few prepared statements.
func batchOf(n, max int) int {
	b := 1
	for b*2 <= n && b*2 <= max {
		b *= 2
	}
	return b
}

// write inserts a batch of rows with one statement; the rows that exist
// already take the slow path.
func (w *rowWriter) write(batch []pendingRow) error {
	args := w.args[:0]
	for _, r := range batch {
		args = append(args, r.key.collection, r.key.id, r.key.bucket, r.payload, int64(r.hash))
	}
	inserted, err := w.insert(args, len(batch))
	clear(args)
	if err != nil {
		return err
	}
	for _, r := range batch {
		if inserted == nil || inserted[r.hash] {
			r.sum.sum ^= r.hash
			r.sum.count++
			continue
		}
		var old int64
		err := w.tx.queryRow(`SELECT hash FROM sdk_rows WHERE collection = ? AND id = ? AND bucket = ?`,
			r.key.collection, r.key.id, r.key.bucket).Scan(&old)
		if err != nil {
			return err
		}
		if _, err := w.tx.exec(`UPDATE sdk_rows SET payload = ?, hash = ? WHERE collection = ? AND id = ? AND bucket = ?`,
			r.payload, int64(r.hash), r.key.collection, r.key.id, r.key.bucket); err != nil {
			return err
		}
		r.sum.sum ^= uint64(old) ^ r.hash
	}
	return nil
}

// insert runs the insert of n rows and returns nil if they all went in,
// else the hashes of those that did (the others exist already). Hashes are
// unique within a batch (add sees to it). The common case (every row new)
// is one plain statement; when some rows existed it is undone and run
// again returning what it inserted.
func (w *rowWriter) insert(args []any, n int) (map[uint64]bool, error) {
	if _, err := w.tx.exec(`SAVEPOINT sdk_rows`); err != nil {
		return nil, err
	}
	added, err := w.tx.exec(rowInsert[n], args...)
	if err != nil {
		return nil, err
	}
	if int(added) != n {
		if _, err := w.tx.exec(`ROLLBACK TO sdk_rows`); err != nil {
			return nil, err
		}
	}
	if _, err := w.tx.exec(`RELEASE sdk_rows`); err != nil || int(added) == n {
		return nil, err
	}
	rows, err := w.tx.query(rowInsert[n]+` RETURNING hash`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	inserted := make(map[uint64]bool, n)
	for rows.Next() {
		var h int64
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		inserted[uint64(h)] = true
	}
	return inserted, rows.Err()
}

// dirtyWriter marks records dirty in multi-row statements.
type dirtyWriter struct {
	tx   *wtx
	keys []any
}

const dirtyBatch = 128

func newDirtyWriter(tx *wtx) *dirtyWriter { return &dirtyWriter{tx: tx} }

func (d *dirtyWriter) add(collection, id string) error {
	d.keys = append(d.keys, collection, id)
	if len(d.keys) >= 2*dirtyBatch {
		return d.write(d.keys)
	}
	return nil
}

func (d *dirtyWriter) flush() error {
	for len(d.keys) >= 2*dirtyBatch {
		if err := d.write(d.keys[:2*dirtyBatch]); err != nil {
			return err
		}
	}
	for len(d.keys) > 0 {
		if err := d.write(d.keys[:2]); err != nil {
			return err
		}
	}
	return nil
}

var dirtyInsertMany = `INSERT OR IGNORE INTO sdk_dirty (collection, id) VALUES (?, ?)` + strings.Repeat(", (?, ?)", dirtyBatch-1)

func (d *dirtyWriter) write(keys []any) error {
	query := `INSERT OR IGNORE INTO sdk_dirty (collection, id) VALUES (?, ?)`
	if len(keys) == 2*dirtyBatch {
		query = dirtyInsertMany
	}
	if _, err := d.tx.exec(query, keys...); err != nil {
		return err
	}
	d.keys = d.keys[len(keys):]
	return nil
}
