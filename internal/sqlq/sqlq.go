// Package sqlq holds the few helpers the modules' SQL and the engine's
// stores share, written against syncengine.Querier so they run alike on
// PostgreSQL and SQLite: scanning every row of a query, queries of one text
// column, numbered placeholders and NULL for empty text. It lives outside
// both trees so that server and syncengine can use it and neither imports
// the other's internals.
package sqlq

import (
	"context"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Collect scans every row with scan, in order, and closes rows. A scan
// error or the rows' own error ends it, with no values.
func Collect[T any](rows syncengine.Rows, scan func(syncengine.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Strings runs a query of one text column and returns its values in order.
func Strings(ctx context.Context, q syncengine.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows, func(r syncengine.Row) (s string, err error) {
		err = r.Scan(&s)
		return s, err
	})
}

// Placeholders returns n placeholders numbered from start: "$3, $4, $5"
// for (3, 3), the form both stores accept. Wrap them in parentheses for an
// IN list or one row of a multi-row VALUES.
func Placeholders(start, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(start + i))
	}
	return b.String()
}

// Nullable is s as a query argument, NULL when s is empty: an optional
// column under a unique index or a foreign key (an e-mail, a region) holds
// NULL when unset, never "".
func Nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
