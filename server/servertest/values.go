package servertest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TableValues returns the distinct text and byte values of at least
// minLen bytes held in the store's tables, but for the sync engine's, the
// migrations' and those skip names: for tests that prove what some data
// (a content bundle, a log) never holds.
func TableValues(t testing.TB, store syncengine.Store, minLen int, skip func(table string) bool) []string {
	t.Helper()
	ctx := context.Background()
	list, cols := `SELECT name FROM sqlite_master WHERE type = 'table'`, `SELECT name FROM pragma_table_info($1)`
	if store.Dialect() == syncengine.Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
		cols = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
	}
	seen := map[string]bool{}
	err := store.View(ctx, func(q syncengine.Querier) error {
		tables, err := sqlq.Strings(ctx, q, list)
		if err != nil {
			return err
		}
		for _, table := range tables {
			if strings.HasPrefix(table, "sync_") || strings.HasPrefix(table, "goose") || strings.HasPrefix(table, "sqlite_") || skip(table) {
				continue
			}
			names, err := sqlq.Strings(ctx, q, cols, table)
			if err != nil {
				return err
			}
			if err := rowValues(ctx, q, table, names, seen); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for v := range seen {
		if len(v) >= minLen {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func rowValues(ctx context.Context, q syncengine.Querier, table string, columns []string, into map[string]bool) error {
	rows, err := q.Query(ctx, `SELECT `+strings.Join(columns, ", ")+` FROM `+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(columns))
	ptrs := make([]any, len(columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for _, v := range vals {
			switch v := v.(type) {
			case string:
				into[v] = true
			case []byte:
				into[string(v)] = true
			}
		}
	}
	return rows.Err()
}
