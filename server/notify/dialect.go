package notify

import "github.com/ordinatorhq/ordinator/syncengine"

// skipLocked is the one place the claim statements differ by dialect: on
// PostgreSQL a claim's SELECT ends with FOR UPDATE SKIP LOCKED, so workers
// of several server processes take disjoint rows without waiting for one
// another; SQLite has no row locks and needs none, its single writer
// connection running one claim at a time.
func skipLocked(d syncengine.Dialect) string {
	if d == syncengine.Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// maxInList bounds the ids one IN list binds (SQLite allows 32766
// variables; PostgreSQL 65535).
const maxInList = 1000

// anys converts ids to query arguments.
func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
