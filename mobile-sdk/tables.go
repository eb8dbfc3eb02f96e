package sdk

import (
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
)

// table is the local table of one collection: what the app reads. Each row
// is the server's state of a record, or its optimistic state while pending
// mutations touch it.
type table struct {
	coll   *Collection
	name   string
	upsert string // one row
	del    string
	// batch is how many rows one upsert statement writes at most
	batch   int
	mu      sync.Mutex
	upserts map[int]string // statements for several rows, by count
	// indexes derived from the records, told of every write (see Index)
	indexes []*Index
}

// tables knows the collection tables that exist, creating them on first
// sight of a collection.
type tables struct {
	schema *Schema
	mu     sync.Mutex
	byName map[string]*table
}

func newTables(s *Schema) *tables { return &tables{schema: s, byName: map[string]*table{}} }

// tableName maps a collection to an SQL table name: c_<name> for plain
// names, a hash-suffixed safe name otherwise.
func tableName(collection string) string {
	if identifier.MatchString(collection) && len(collection) <= 50 {
		return "c_" + collection
	}
	var sb strings.Builder
	for _, r := range strings.ToLower(collection) {
		if sb.Len() >= 30 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	h := fnv.New32a()
	h.Write([]byte(collection))
	return fmt.Sprintf("c_%s_%08x", sb.String(), h.Sum32())
}

func (ts *tables) newTable(c *Collection, name string) *table {
	cols := []string{"id", "payload", "pending"}
	for _, col := range c.Columns {
		cols = append(cols, quote(col.Name))
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	var set []string
	for _, col := range cols[1:] {
		set = append(set, col+" = excluded."+col)
	}
	return &table{
		coll:    c,
		name:    name,
		upsert:  fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (id) DO UPDATE SET %s`, quote(name), strings.Join(cols, ", "), marks, strings.Join(set, ", ")),
		del:     fmt.Sprintf(`DELETE FROM %s WHERE id = ?`, quote(name)),
		indexes: ts.schema.indexes[c.Name],
		batch:   batchOf(32000/len(cols), viewBatch),
		upserts: map[int]string{},
	}
}

// load reads the existing tables and brings them in line with the schema:
// missing ones are created, and ones whose columns changed are rebuilt.
func (ts *tables) load(tx *wtx) error {
	rows, err := tx.query(`SELECT name, tbl, spec FROM sdk_collections`)
	if err != nil {
		return err
	}
	type existing struct{ name, tbl, spec string }
	var have []existing
	for rows.Next() {
		var e existing
		if err := rows.Scan(&e.name, &e.tbl, &e.spec); err != nil {
			rows.Close()
			return err
		}
		have = append(have, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, e := range have {
		seen[e.name] = true
		c := ts.schema.collection(e.name)
		t := ts.newTable(c, e.tbl)
		if e.spec != c.spec() {
			if err := ts.rebuild(tx, t); err != nil {
				return fmt.Errorf("rebuilding the table of collection %q: %w", e.name, err)
			}
		}
		ts.byName[e.name] = t
	}
	for name := range ts.schema.collections {
		if !seen[name] {
			if _, err := ts.create(tx, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// get returns the table of a collection, creating it inside tx if needed.
func (ts *tables) get(tx *wtx, collection string) (*table, error) {
	if t, ok := tx.tables[collection]; ok {
		return t, nil
	}
	ts.mu.Lock()
	t, ok := ts.byName[collection]
	ts.mu.Unlock()
	if ok {
		return t, nil
	}
	return ts.create(tx, collection)
}

// lookup returns the table of a collection if it exists.
func (ts *tables) lookup(collection string) (*table, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.byName[collection]
	return t, ok
}

func (ts *tables) create(tx *wtx, collection string) (*table, error) {
	c := ts.schema.collection(collection)
	name := tableName(collection)
	if err := createTable(tx, c, name); err != nil {
		return nil, err
	}
	if _, err := tx.exec(`INSERT INTO sdk_collections (name, tbl, spec) VALUES (?, ?, ?)`, collection, name, c.spec()); err != nil {
		return nil, fmt.Errorf("registering the table of collection %q: %w", collection, err)
	}
	t := ts.newTable(c, name)
	// Known to others only once the transaction that created it commits.
	tx.afterCommit(func() {
		ts.mu.Lock()
		ts.byName[collection] = t
		ts.mu.Unlock()
	})
	if tx.tables == nil {
		tx.tables = map[string]*table{}
	}
	tx.tables[collection] = t
	return t, nil
}

func createTable(tx *wtx, c *Collection, name string) error {
	var cols []string
	for _, col := range c.Columns {
		cols = append(cols, ", "+quote(col.Name)+" "+string(col.Type))
	}
	ddl := fmt.Sprintf(`CREATE TABLE %s (id TEXT PRIMARY KEY, payload BLOB NOT NULL, pending INTEGER NOT NULL DEFAULT 0%s)`, quote(name), strings.Join(cols, ""))
	if _, err := tx.tx.ExecContext(tx.ctx, ddl); err != nil {
		return fmt.Errorf("creating the table of collection %q: %w", c.Name, err)
	}
	return createIndexes(tx, c, name)
}

// indexName is the name of the index of a column of a collection table.
func indexName(table, column string) string { return table + "_" + column }

// createIndexes indexes each column of a collection table.
func createIndexes(tx *wtx, c *Collection, name string) error {
	for _, col := range c.Columns {
		idx := fmt.Sprintf(`CREATE INDEX %s ON %s (%s)`, quote(indexName(name, col.Name)), quote(name), quote(col.Name))
		if _, err := tx.tx.ExecContext(tx.ctx, idx); err != nil {
			return fmt.Errorf("indexing collection %q: %w", c.Name, err)
		}
	}
	return nil
}

// rebuild recreates a table with the schema's columns and copies its rows
// over, recomputing the columns: the app sees the same records, pending
// writes included, with the new columns filled.
func (ts *tables) rebuild(tx *wtx, t *table) error {
	old := t.name + "_rebuild"
	exec := func(q string) error {
		_, err := tx.tx.ExecContext(tx.ctx, q)
		return err
	}
	if err := exec(`ALTER TABLE ` + quote(t.name) + ` RENAME TO ` + quote(old)); err != nil {
		return err
	}
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, old)
	if err != nil {
		return err
	}
	var indexes []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		indexes = append(indexes, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, idx := range indexes {
		if err := exec(`DROP INDEX ` + quote(idx)); err != nil {
			return err
		}
	}
	if err := createTable(tx, t.coll, t.name); err != nil {
		return err
	}
	if _, err := tx.exec(`UPDATE sdk_collections SET spec = ? WHERE name = ?`, t.coll.spec(), t.coll.Name); err != nil {
		return err
	}
	const chunk = 4096
	w := newViewWriter(tx)
	after := ""
	for {
		rows, err := tx.tx.QueryContext(tx.ctx, `SELECT id, payload, pending FROM `+quote(old)+` WHERE id > ? ORDER BY id LIMIT `+fmt.Sprint(chunk), after)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var id string
			var payload []byte
			var pending bool
			if err := rows.Scan(&id, &payload, &pending); err != nil {
				rows.Close()
				return err
			}
			if err := w.put(t, id, payload, pending); err != nil {
				rows.Close()
				return err
			}
			after = id
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n < chunk {
			break
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	return exec(`DROP TABLE ` + quote(old))
}
