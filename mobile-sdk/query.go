package sdk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Record is one record as the app sees it: the server's state, or its
// optimistic state while mutations that touched it are pending.
type Record struct {
	Collection string
	ID         string
	Payload    []byte
	// Pending is set while local mutations of the record await the server.
	Pending bool
}

// Op compares a column with a value in a Filter.
type Op string

const (
	Eq     Op = "="
	Ne     Op = "!="
	Lt     Op = "<"
	Le     Op = "<="
	Gt     Op = ">"
	Ge     Op = ">="
	Prefix Op = "prefix" // text columns: starts with the value (byte-wise; store a normalised column to fold case)
)

// Filter is one condition of a Query on an indexed column, "id" or
// "pending".
type Filter struct {
	Column string
	Op     Op
	Value  any
}

// Query selects records of one collection. Filters are ANDed.
type Query struct {
	Collection string
	Where      []Filter
	// OrderBy is a column, "id" by default; Desc reverses it.
	OrderBy string
	Desc    bool
	// Limit bounds the result (0: no bound); Offset skips records.
	Limit  int
	Offset int
}

// Get returns one record, pending writes included.
func (r *Replica) Get(ctx context.Context, collection, id string) (Record, bool, error) {
	if err := r.check(); err != nil {
		return Record{}, false, err
	}
	recs, err := r.Query(ctx, Query{Collection: collection, Where: []Filter{{Column: "id", Op: Eq, Value: id}}})
	if err != nil || len(recs) == 0 {
		return Record{}, false, err
	}
	return recs[0], true, nil
}

// Query returns the records matching q, pending writes included.
func (r *Replica) Query(ctx context.Context, q Query) ([]Record, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	t, ok := r.tables.lookup(q.Collection)
	if !ok {
		if internal(q.Collection) {
			return nil, ErrInternalCollection
		}
		return nil, nil // nothing of it has arrived yet
	}
	query, args, err := t.selectSQL(q)
	if err != nil {
		return nil, err
	}
	rows, err := r.db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, r.wrap(err)
	}
	out, err := scanRecords(rows, q.Collection)
	return out, r.wrap(err)
}

// selectSQL is the statement of a query on the table.
func (t *table) selectSQL(q Query) (string, []any, error) {
	where, args, err := t.where(q.Where)
	if err != nil {
		return "", nil, err
	}
	order := "id"
	if q.OrderBy != "" {
		if !t.hasColumn(q.OrderBy) {
			return "", nil, fmt.Errorf("sdk: collection %s has no column %q to order by", q.Collection, q.OrderBy)
		}
		order = quote(q.OrderBy)
		if q.OrderBy != "id" {
			order += ", id"
		}
	}
	if q.Desc {
		order = strings.ReplaceAll(order, ",", " DESC,") + " DESC"
	}
	query := `SELECT id, payload, pending FROM ` + quote(t.name) + where + ` ORDER BY ` + order
	if q.Limit > 0 || q.Offset > 0 {
		limit := q.Limit
		if limit <= 0 {
			limit = -1
		}
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(q.Offset, 0))
	}
	return query, args, nil
}

func scanRecords(rows *sql.Rows, collection string) ([]Record, error) {
	defer rows.Close()
	var out []Record
	for rows.Next() {
		rec := Record{Collection: collection}
		if err := rows.Scan(&rec.ID, &rec.Payload, &rec.Pending); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// Count returns how many records match q (ordering and paging ignored).
func (r *Replica) Count(ctx context.Context, q Query) (int, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	t, ok := r.tables.lookup(q.Collection)
	if !ok {
		return 0, nil
	}
	where, args, err := t.where(q.Where)
	if err != nil {
		return 0, err
	}
	var n int
	err = r.db.r.QueryRowContext(ctx, `SELECT count(*) FROM `+quote(t.name)+where, args...).Scan(&n)
	return n, r.wrap(err)
}

// Collections lists the collections the replica has tables for.
func (r *Replica) Collections() []string {
	r.tables.mu.Lock()
	defer r.tables.mu.Unlock()
	var out []string
	for name := range r.tables.byName {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func (t *table) hasColumn(name string) bool {
	if slices.Contains(reserved, name) {
		return true
	}
	for _, c := range t.coll.Columns {
		if c.Name == name {
			return true
		}
	}
	return false
}

var errBadFilter = errors.New("sdk: bad filter")

func (t *table) where(filters []Filter) (string, []any, error) {
	if len(filters) == 0 {
		return "", nil, nil
	}
	var conds []string
	var args []any
	for _, f := range filters {
		if !t.hasColumn(f.Column) || f.Column == "payload" {
			return "", nil, fmt.Errorf("%w: collection %s has no column %q to filter on", errBadFilter, t.coll.Name, f.Column)
		}
		col := quote(f.Column)
		switch f.Op {
		case Eq, Ne, Lt, Le, Gt, Ge:
			conds = append(conds, col+" "+string(f.Op)+" ?")
			args = append(args, f.Value)
		case Prefix:
			p, ok := f.Value.(string)
			if !ok {
				return "", nil, fmt.Errorf("%w: prefix on %s needs a string, got %T", errBadFilter, f.Column, f.Value)
			}
			// No UTF-8 text contains the byte 0xff, so every text starting
			// with p sorts before p+"\xff": an index range scan.
			conds = append(conds, col+" >= ? AND "+col+" < ?")
			args = append(args, p, p+"\xff")
		default:
			return "", nil, fmt.Errorf("%w: unknown operator %q", errBadFilter, f.Op)
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}
