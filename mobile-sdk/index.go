package sdk

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// Index keeps tables derived from the records of a collection (a full-text
// index, a summary) in the replica's database, written in the same SQLite
// transaction as the records themselves, so the app never sees one without
// the other. Every write of the collection's table goes through Apply: the
// records a checkpoint brings, changes and removes (a bucket dropped, reset
// or downloaded again included, and the whole of a bucket new to the
// device), the optimistic writes of mutations and their rollback when the
// server's state replaces them. A wiped replica deletes its database file,
// indexes and all.
type Index struct {
	// Name identifies the index among the collection's (a lowercase
	// identifier); the replica records its Version under it.
	Name string
	// Version of what Apply writes. When it differs from the one the
	// replica recorded (an index the replica never had, or an app release
	// that indexes differently), Open empties the index (Reset) and applies
	// every record the collection holds.
	Version int
	// Create creates the index's tables if they do not exist. It runs at
	// every Open before anything is written, so it must be idempotent
	// (CREATE ... IF NOT EXISTS). Optional.
	Create func(ctx context.Context, tx Execer) error
	// Reset empties the index, before Open rebuilds it.
	Reset func(ctx context.Context, tx Execer) error
	// Apply brings the index in line with a record's new state as the app
	// sees it (the server's, or a pending mutation's): payload is nil when
	// the record left the replica. Calls come in the order of the writes.
	// An error aborts the whole transaction, a checkpoint included, so
	// return one only for a database failure: a payload the index cannot
	// read should be left out of it, or the sync that brings it can never
	// complete. Apply must not read the collection's own table, whose
	// writes may still be buffered.
	Apply func(ctx context.Context, tx Execer, id string, payload []byte) error
}

// Execer is the transaction an Index writes in. Statements run on the
// replica's writer connection; in Apply they are prepared once and kept for
// the life of the replica, so build them from fixed text, never from
// values.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// AddIndex registers an index of a collection (which need not be described
// by AddCollection). A bad or duplicate index is a wiring bug and panics.
func (s *Schema) AddIndex(collection string, ix Index) *Schema {
	if collection == "" || internal(collection) {
		panic(fmt.Sprintf("sdk: AddIndex: collection %q must be non-empty and not start with _", collection))
	}
	if !identifier.MatchString(ix.Name) || ix.Apply == nil || ix.Reset == nil {
		panic(fmt.Sprintf("sdk: index %q of %s needs a lowercase identifier as name, Apply and Reset", ix.Name, collection))
	}
	for _, have := range s.indexes[collection] {
		if have.Name == ix.Name {
			panic("sdk: index " + ix.Name + " of " + collection + " registered twice")
		}
	}
	s.indexes[collection] = append(s.indexes[collection], &ix)
	return s
}

// indexTx is the Execer of a write transaction: prepared statements for
// Apply, plain ones for the DDL of Create and Reset.
type indexTx struct {
	t        *wtx
	prepared bool
}

func (x indexTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !x.prepared {
		return x.t.tx.ExecContext(ctx, query, args...)
	}
	s, err := x.t.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (x indexTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !x.prepared {
		return x.t.tx.QueryContext(ctx, query, args...)
	}
	s, err := x.t.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (x indexTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if x.prepared {
		if s, err := x.t.stmt(query); err == nil {
			return s.QueryRowContext(ctx, args...)
		}
	}
	return x.t.tx.QueryRowContext(ctx, query, args...)
}

// applyIndexes tells a table's indexes about a record's new state.
func applyIndexes(tx *wtx, t *table, id string, payload []byte) error {
	x := indexTx{t: tx, prepared: true}
	for _, ix := range t.indexes {
		if err := ix.Apply(tx.ctx, x, id, payload); err != nil {
			return fmt.Errorf("index %s of %s, record %s: %w", ix.Name, t.coll.Name, id, err)
		}
	}
	return nil
}

// createIndexes runs every index's Create, at Open.
func (ts *tables) createIndexes(tx *wtx) error {
	x := indexTx{t: tx}
	for collection, ixs := range ts.schema.indexes {
		for _, ix := range ixs {
			if ix.Create == nil {
				continue
			}
			if err := ix.Create(tx.ctx, x); err != nil {
				return fmt.Errorf("creating index %s of %s: %w", ix.Name, collection, err)
			}
		}
	}
	return nil
}

// buildIndexes rebuilds, from the records held, every index whose version
// the replica has not recorded, at Open, after the tables are loaded.
func (ts *tables) buildIndexes(tx *wtx) error {
	for collection, ixs := range ts.schema.indexes {
		for _, ix := range ixs {
			key := "index/" + collection + "/" + ix.Name
			var have sql.NullString
			err := tx.queryRow(`SELECT value FROM sdk_meta WHERE key = ?`, key).Scan(&have)
			if err != nil && err != errNoRows {
				return err
			}
			if have.Valid && have.String == strconv.Itoa(ix.Version) {
				continue
			}
			if err := ts.buildIndex(tx, collection, ix); err != nil {
				return fmt.Errorf("building index %s of %s: %w", ix.Name, collection, err)
			}
			if err := tx.setMeta(key, strconv.Itoa(ix.Version)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (ts *tables) buildIndex(tx *wtx, collection string, ix *Index) error {
	if err := ix.Reset(tx.ctx, indexTx{t: tx}); err != nil {
		return err
	}
	t, err := ts.get(tx, collection)
	if err != nil {
		return err
	}
	x := indexTx{t: tx, prepared: true}
	const chunk = 4096
	after := ""
	for {
		rows, err := tx.tx.QueryContext(tx.ctx, `SELECT id, payload FROM `+quote(t.name)+` WHERE id > ? ORDER BY id LIMIT `+strconv.Itoa(chunk), after)
		if err != nil {
			return err
		}
		type rec struct {
			id      string
			payload []byte
		}
		recs := make([]rec, 0, chunk)
		for rows.Next() {
			var r rec
			if err := rows.Scan(&r.id, &r.payload); err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range recs {
			if r.payload == nil {
				r.payload = []byte{} // present, if empty: nil would say deleted
			}
			if err := ix.Apply(tx.ctx, x, r.id, r.payload); err != nil {
				return err
			}
		}
		if len(recs) < chunk {
			return nil
		}
		after = recs[len(recs)-1].id
	}
}

// QueryContext runs a read-only SQL query on the replica's read
// connections (a consistent snapshot; writes are refused), for reading the
// tables an Index maintains, e.g. search.Search(ctx, replica, ...).
func (r *Replica) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	rows, err := r.db.r.QueryContext(ctx, query, args...)
	return rows, r.wrap(err)
}
