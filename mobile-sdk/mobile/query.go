package mobile

import (
	"context"
	"fmt"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Query selects records of a collection; add conditions with the Where
// methods (they are ANDed).
type Query struct {
	Collection string
	// OrderBy is a column ("id" by default); Desc reverses the order.
	OrderBy string
	Desc    bool
	// Limit bounds the result (0: all); Offset skips records.
	Limit  int
	Offset int

	where []sdk.Filter
}

// NewQuery returns a query of all records of collection.
func NewQuery(collection string) *Query { return &Query{Collection: collection} }

func parseOp(o string) (sdk.Op, error) {
	switch sdk.Op(o) {
	case sdk.Eq, sdk.Ne, sdk.Lt, sdk.Le, sdk.Gt, sdk.Ge, sdk.Prefix:
		return sdk.Op(o), nil
	}
	return "", fmt.Errorf("mobile: unknown operator %q (use =, !=, <, <=, >, >= or prefix)", o)
}

// WhereText adds a condition on a text column: op is one of = != < <= > >=
// or "prefix".
func (q *Query) WhereText(column, op, value string) error {
	o, err := parseOp(op)
	if err != nil {
		return err
	}
	q.where = append(q.where, sdk.Filter{Column: column, Op: o, Value: value})
	return nil
}

// WhereInt adds a condition on an integer column.
func (q *Query) WhereInt(column, op string, value int64) error {
	o, err := parseOp(op)
	if err != nil || o == sdk.Prefix {
		return fmt.Errorf("mobile: operator %q does not apply to integers", op)
	}
	q.where = append(q.where, sdk.Filter{Column: column, Op: o, Value: value})
	return nil
}

// WherePending keeps records with (or without) pending local writes.
func (q *Query) WherePending(pending bool) {
	q.where = append(q.where, sdk.Filter{Column: "pending", Op: sdk.Eq, Value: pending})
}

func (q *Query) sdk() sdk.Query {
	return sdk.Query{Collection: q.Collection, Where: q.where, OrderBy: q.OrderBy, Desc: q.Desc, Limit: q.Limit, Offset: q.Offset}
}

// Get returns one record, or nil if the replica does not have it.
func (r *Replica) Get(collection, recordID string) (rec *Record, err error) {
	defer recoverInto(&err)
	got, ok, err := r.r.Get(context.Background(), collection, recordID)
	if err != nil || !ok {
		return nil, err
	}
	return newRecord(got), nil
}

// Query runs a query, pending local writes included.
func (r *Replica) Query(q *Query) (list *Records, err error) {
	defer recoverInto(&err)
	if q == nil {
		return nil, fmt.Errorf("mobile: Query needs a query")
	}
	recs, err := r.r.Query(context.Background(), q.sdk())
	if err != nil {
		return nil, err
	}
	list = &Records{items: make([]*Record, len(recs))}
	for i, rec := range recs {
		list.items[i] = newRecord(rec)
	}
	return list, nil
}

// Count counts the records a query matches.
func (r *Replica) Count(q *Query) (n int, err error) {
	defer recoverInto(&err)
	if q == nil {
		return 0, fmt.Errorf("mobile: Count needs a query")
	}
	return r.r.Count(context.Background(), q.sdk())
}
