package sdk

// IDs returns the ids of a collection's records as the app sees them now,
// pending writes included, in id order: for a mutator that needs a record
// whose id it cannot know (the user's own balance, keyed by user id).
func (t *LocalTx) IDs(collection string) ([]string, error) {
	if internal(collection) {
		return nil, ErrInternalCollection
	}
	tbl, ok := t.r.tables.lookup(collection)
	if !ok {
		if tbl, ok = t.tx.tables[collection]; !ok {
			return nil, nil
		}
	}
	if err := t.w.flushTable(tbl); err != nil {
		return nil, err
	}
	rows, err := t.tx.query(`SELECT id FROM ` + quote(tbl.name) + ` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
