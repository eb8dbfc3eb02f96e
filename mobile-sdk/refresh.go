package sdk

import (
	"database/sql"
	"fmt"
)

// refreshFresh copies the rows of fresh buckets into the collection tables
// (a key also held elsewhere gets the same state: at a checkpoint every
// bucket agrees on a record), in bounded chunks, in key order. A table that
// is empty when the copy starts (an initial download) gets its column
// indexes dropped and built again once it is filled: one sort instead of an
// index insert per row.
func (r *Replica) refreshFresh(tx *wtx, w *viewWriter) error {
	var fresh bool
	if err := tx.queryRow(`SELECT EXISTS (SELECT 1 FROM sdk_buckets WHERE fresh = 1)`).Scan(&fresh); err != nil || !fresh {
		return err
	}
	const chunk = 4096
	query := `SELECT collection, id, payload FROM sdk_rows WHERE (collection, id) > (?, ?)
		AND bucket IN (SELECT bucket FROM sdk_buckets WHERE fresh = 1)
		AND collection NOT LIKE '\_%' ESCAPE '\' ORDER BY collection, id LIMIT ` + fmt.Sprint(chunk)
	type rec struct {
		key     recordKey
		payload []byte
	}
	recs := make([]rec, 0, chunk)
	bulk := map[*table]bool{}
	var after recordKey // collections are never empty, so this is before every key
	var t *table
	for {
		rows, err := tx.query(query, after.collection, after.id)
		if err != nil {
			return err
		}
		recs = recs[:0]
		for rows.Next() {
			var x rec
			if err := rows.Scan(&x.key.collection, &x.key.id, &x.payload); err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, x := range recs {
			if i > 0 && recs[i-1].key == x.key {
				continue // the same record in two fresh buckets
			}
			if t == nil || t.coll.Name != x.key.collection {
				if t, err = r.tables.get(tx, x.key.collection); err != nil {
					return err
				}
				if _, seen := bulk[t]; !seen {
					if bulk[t], err = dropIndexesIfEmpty(tx, t); err != nil {
						return err
					}
				}
			}
			if err := w.put(t, x.key.id, x.payload, false); err != nil {
				return err
			}
		}
		if len(recs) < chunk {
			break
		}
		after = recs[len(recs)-1].key
	}
	for t, dropped := range bulk {
		if !dropped {
			continue
		}
		if err := w.flushTable(t); err != nil {
			return err
		}
		if err := createIndexes(tx, t.coll, t.name); err != nil {
			return err
		}
	}
	_, err := tx.exec(`UPDATE sdk_buckets SET fresh = 0 WHERE fresh = 1`)
	return err
}

// dropIndexesIfEmpty drops the column indexes of a table that holds no
// rows, reporting whether it did: they are built again after a bulk copy.
func dropIndexesIfEmpty(tx *wtx, t *table) (bool, error) {
	if len(t.coll.Columns) == 0 {
		return false, nil
	}
	var empty bool
	if err := tx.tx.QueryRowContext(tx.ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+quote(t.name)+`)`).Scan(&empty); err != nil || !empty {
		return false, err
	}
	for _, col := range t.coll.Columns {
		if _, err := tx.tx.ExecContext(tx.ctx, `DROP INDEX IF EXISTS `+quote(indexName(t.name, col.Name))); err != nil {
			return false, err
		}
	}
	return true, nil
}

// refreshDirty writes the server's state of every dirty record into its
// collection table, in key order and bounded chunks, then forgets them.
func (r *Replica) refreshDirty(tx *wtx, w *viewWriter) error {
	const chunk = 4096
	query := `SELECT d.collection, d.id, r.bucket, r.payload FROM sdk_dirty d
		LEFT JOIN sdk_rows r ON r.collection = d.collection AND r.id = d.id
			AND r.bucket = (SELECT bucket FROM sdk_rows WHERE collection = d.collection AND id = d.id LIMIT 1)
		WHERE (d.collection, d.id) > (?, ?) ORDER BY d.collection, d.id LIMIT ` + fmt.Sprint(chunk)
	var after recordKey // collections are never empty, so this is before every key
	for {
		rows, err := tx.query(query, after.collection, after.id)
		if err != nil {
			return err
		}
		type rec struct {
			key     recordKey
			live    bool
			payload []byte
		}
		recs := make([]rec, 0, chunk)
		for rows.Next() {
			var x rec
			var bucket sql.NullString
			if err := rows.Scan(&x.key.collection, &x.key.id, &bucket, &x.payload); err != nil {
				rows.Close()
				return err
			}
			x.live = bucket.Valid
			recs = append(recs, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, x := range recs {
			t, err := r.tables.get(tx, x.key.collection)
			if err != nil {
				return err
			}
			if x.live {
				err = w.put(t, x.key.id, x.payload, false)
			} else {
				err = w.remove(t, x.key.id)
			}
			if err != nil {
				return err
			}
		}
		if len(recs) < chunk {
			break
		}
		after = recs[len(recs)-1].key
	}
	_, err := tx.exec(`DELETE FROM sdk_dirty`)
	return err
}
