package sdk

import (
	"fmt"
	"strings"
)

// viewBatch is how many rows one multi-row upsert writes at most: each
// takes 3 variables plus one per column, and SQLite allows 32,766.
const viewBatch = 256

// viewWriter writes records into collection tables inside a transaction,
// batching upserts, maintaining media references, and noting which
// collections changed for the observers.
type viewWriter struct {
	tx      *wtx
	args    []any
	buf     map[*table][]viewRow
	changed map[string]bool
	// hasRefs caches whether a collection has any media references yet:
	// until it does, there are none to delete.
	hasRefs map[string]bool
	// unref is set when a record referencing media went away: the files may
	// need collecting.
	unref bool
}

type viewRow struct {
	id      string
	payload []byte
	pending bool
}

func newViewWriter(tx *wtx) *viewWriter {
	return &viewWriter{tx: tx, buf: map[*table][]viewRow{}, changed: map[string]bool{}, hasRefs: map[string]bool{}}
}

// put writes a record's state; it reaches the table at the latest at flush.
func (w *viewWriter) put(t *table, id string, payload []byte, pending bool) error {
	if payload == nil {
		payload = []byte{}
	}
	w.changed[t.coll.Name] = true
	if err := w.refs(t, id, payload); err != nil {
		return err
	}
	w.buf[t] = append(w.buf[t], viewRow{id, payload, pending})
	if len(w.buf[t]) >= t.batch {
		return w.flushTable(t)
	}
	return nil
}

// remove deletes a record from its table.
func (w *viewWriter) remove(t *table, id string) error {
	if err := w.flushTable(t); err != nil {
		return err
	}
	n, err := w.tx.exec(t.del, id)
	if err != nil {
		return err
	}
	if n > 0 {
		w.changed[t.coll.Name] = true
	}
	if len(t.indexes) > 0 {
		if err := applyIndexes(w.tx, t, id, nil); err != nil {
			return err
		}
	}
	return w.refs(t, id, nil)
}

func (w *viewWriter) flush() error {
	for t := range w.buf {
		if err := w.flushTable(t); err != nil {
			return err
		}
	}
	return nil
}

func (w *viewWriter) flushTable(t *table) error {
	for rows := w.buf[t]; len(rows) > 0; {
		n := batchOf(len(rows), t.batch)
		if err := w.upsert(t, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	clear(w.buf[t])
	w.buf[t] = w.buf[t][:0]
	return nil
}

// upsert writes rows with one statement.
func (w *viewWriter) upsert(t *table, rows []viewRow) error {
	query := t.upsertOf(len(rows))
	args := w.args[:0]
	for _, r := range rows {
		args = append(args, r.id, r.payload, r.pending)
		args = append(args, t.extract(r.payload)...)
	}
	_, err := w.tx.exec(query, args...)
	clear(args)
	w.args = args[:0]
	if err != nil {
		return fmt.Errorf("writing %s records: %w", t.coll.Name, err)
	}
	if len(t.indexes) > 0 {
		for _, r := range rows {
			if err := applyIndexes(w.tx, t, r.id, r.payload); err != nil {
				return err
			}
		}
	}
	return nil
}

// extract returns the column values of a payload; a payload the collection
// cannot decode is kept with empty columns rather than lost.
func (t *table) extract(payload []byte) []any {
	n := len(t.coll.Columns)
	if n == 0 {
		return nil
	}
	vals, err := t.coll.Extract(payload)
	if err != nil || len(vals) != n {
		return make([]any, n)
	}
	return vals
}

// upsertOf is the upsert statement for n rows (a power of two), built once.
func (t *table) upsertOf(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	q, ok := t.upserts[n]
	if !ok {
		q = t.upsertMany(n)
		t.upserts[n] = q
	}
	return q
}

// upsertMany is the upsert statement for n rows.
func (t *table) upsertMany(n int) string {
	head, tail, _ := strings.Cut(t.upsert, " ON CONFLICT")
	values := head[strings.Index(head, "VALUES ")+len("VALUES "):]
	var sb strings.Builder
	sb.WriteString(head)
	for i := 1; i < n; i++ {
		sb.WriteString(", ")
		sb.WriteString(values)
	}
	sb.WriteString(" ON CONFLICT")
	sb.WriteString(tail)
	return sb.String()
}

// refs records which media a record references now (none when payload is
// nil: the record went away).
func (w *viewWriter) refs(t *table, id string, payload []byte) error {
	media := t.coll.Media
	if media == nil && t.coll.Name != mediaCollection {
		return nil
	}
	var ids []string
	if payload != nil && media != nil {
		var err error
		if ids, err = media(payload); err != nil {
			ids = nil
		}
	} else if payload != nil {
		ids = []string{id}
	}
	has, known := w.hasRefs[t.coll.Name]
	if !known {
		if err := w.tx.queryRow(`SELECT EXISTS (SELECT 1 FROM sdk_media_refs WHERE collection = ?)`, t.coll.Name).Scan(&has); err != nil {
			return err
		}
		w.hasRefs[t.coll.Name] = has
	}
	if has {
		n, err := w.tx.exec(`DELETE FROM sdk_media_refs WHERE collection = ? AND id = ?`, t.coll.Name, id)
		if err != nil {
			return err
		}
		w.unref = w.unref || n > 0
	}
	if len(ids) > 0 {
		w.hasRefs[t.coll.Name] = true
	}
	for _, m := range ids {
		if _, err := w.tx.exec(`INSERT OR IGNORE INTO sdk_media_refs (collection, id, media_id) VALUES (?, ?, ?)`, t.coll.Name, id, m); err != nil {
			return err
		}
		if _, err := w.tx.exec(`UPDATE sdk_media SET referenced = 1 WHERE media_id = ?`, m); err != nil {
			return err
		}
	}
	return nil
}
