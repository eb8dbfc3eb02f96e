package notify

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
