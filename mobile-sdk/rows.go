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
	err := tx.queryRow(`DELETE FROM sdk_rows WHERE bucket = ? AND collection = ? AND id = ? RETURNING hash`,
		c.GetBucket(), c.GetCollection(), c.GetRecordId()).Scan(&old)
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
	tx   *wtx
	rows []pendingRow
	keys map[rowKey]bool
}

type rowKey struct{ bucket, collection, id string }

type pendingRow struct {
	key     rowKey
	payload []byte
	hash    uint64
	sum     *bucketSum
}

const rowBatch = 32

func newRowWriter(tx *wtx) *rowWriter { return &rowWriter{tx: tx, keys: map[rowKey]bool{}} }

func (w *rowWriter) add(c *syncv1.Change, s *bucketSum) error {
	k := rowKey{c.GetBucket(), c.GetCollection(), c.GetRecordId()}
	if w.keys[k] { // a later state of a row in the batch: keep the order
		if err := w.flush(); err != nil {
			return err
		}
	}
	payload := c.GetPayload()
	if payload == nil {
		payload = []byte{}
	}
	w.keys[k] = true
	w.rows = append(w.rows, pendingRow{k, payload, syncengine.RecordHash(k.collection, k.id, payload), s})
	if len(w.rows) >= rowBatch {
		return w.flush()
	}
	return nil
}

// rowInsert[n] inserts n rows, leaving those that exist alone.
var rowInsert = func() []string {
	out := make([]string, rowBatch+1)
	for n := 1; n <= rowBatch; n++ {
		out[n] = `INSERT INTO sdk_rows (bucket, collection, id, payload, hash) VALUES (?, ?, ?, ?, ?)` +
			strings.Repeat(", (?, ?, ?, ?, ?)", n-1) + ` ON CONFLICT DO NOTHING`
	}
	return out
}()

func (w *rowWriter) flush() error {
	if len(w.rows) == 0 {
		return nil
	}
	args := make([]any, 0, 5*len(w.rows))
	for _, r := range w.rows {
		args = append(args, r.key.bucket, r.key.collection, r.key.id, r.payload, int64(r.hash))
	}
	// New rows get rowids above the current largest: if not all of the
	// batch went in, those tell which did.
	var last int64
	if err := w.tx.queryRow(`SELECT COALESCE(max(rowid), 0) FROM sdk_rows`).Scan(&last); err != nil {
		return err
	}
	n, err := w.tx.exec(rowInsert[len(w.rows)], args...)
	if err != nil {
		return err
	}
	var inserted map[rowKey]bool
	if int(n) != len(w.rows) {
		if inserted, err = w.insertedSince(last); err != nil {
			return err
		}
	}
	for _, r := range w.rows {
		if inserted == nil || inserted[r.key] {
			r.sum.sum ^= r.hash
			r.sum.count++
			continue
		}
		var old int64
		err := w.tx.queryRow(`SELECT hash FROM sdk_rows WHERE bucket = ? AND collection = ? AND id = ?`,
			r.key.bucket, r.key.collection, r.key.id).Scan(&old)
		if err != nil {
			return err
		}
		if _, err := w.tx.exec(`UPDATE sdk_rows SET payload = ?, hash = ? WHERE bucket = ? AND collection = ? AND id = ?`,
			r.payload, int64(r.hash), r.key.bucket, r.key.collection, r.key.id); err != nil {
			return err
		}
		r.sum.sum ^= uint64(old) ^ r.hash
	}
	w.rows = w.rows[:0]
	clear(w.keys)
	return nil
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

// insertedSince returns the keys of the rows inserted after rowid last.
func (w *rowWriter) insertedSince(last int64) (map[rowKey]bool, error) {
	rows, err := w.tx.query(`SELECT bucket, collection, id FROM sdk_rows WHERE rowid > ?`, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	inserted := make(map[rowKey]bool, len(w.rows))
	for rows.Next() {
		var k rowKey
		if err := rows.Scan(&k.bucket, &k.collection, &k.id); err != nil {
			return nil, err
		}
		inserted[k] = true
	}
	return inserted, rows.Err()
}
