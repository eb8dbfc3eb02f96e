package sdk

import (
	"database/sql"
	"fmt"
)

// refreshFresh copies the rows of fresh buckets into the collection tables
// (a key also held elsewhere gets the same state: at a checkpoint every
// bucket agrees on a record), in bounded chunks.
func (r *Replica) refreshFresh(tx *wtx, w *viewWriter) error {
	rows, err := tx.query(`SELECT bucket FROM sdk_buckets WHERE fresh = 1`)
	if err != nil {
		return err
	}
	var buckets []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return err
		}
		buckets = append(buckets, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	const chunk = 4096
	query := `SELECT collection, id, payload FROM sdk_rows WHERE bucket = ? AND (collection, id) > (?, ?)
		AND collection NOT LIKE '\_%' ESCAPE '\' ORDER BY collection, id LIMIT ` + fmt.Sprint(chunk)
	for _, b := range buckets {
		var after recordKey
		for {
			rows, err := tx.query(query, b, after.collection, after.id)
			if err != nil {
				return err
			}
			type rec struct {
				key     recordKey
				payload []byte
			}
			recs := make([]rec, 0, chunk)
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
			for _, x := range recs {
				t, err := r.tables.get(tx, x.key.collection)
				if err != nil {
					return err
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
	}
	_, err = tx.exec(`UPDATE sdk_buckets SET fresh = 0 WHERE fresh = 1`)
	return err
}

// refreshDirty writes the server's state of every dirty record into its
// collection table, in key order and bounded chunks, then forgets them.
func (r *Replica) refreshDirty(tx *wtx, w *viewWriter) error {
	const chunk = 4096
	query := `SELECT d.collection, d.id, r.rowid, r.payload FROM sdk_dirty d
		LEFT JOIN sdk_rows r ON r.rowid = (SELECT rowid FROM sdk_rows WHERE collection = d.collection AND id = d.id LIMIT 1)
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
			var rowid sql.NullInt64
			if err := rows.Scan(&x.key.collection, &x.key.id, &rowid, &x.payload); err != nil {
				rows.Close()
				return err
			}
			x.live = rowid.Valid
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
