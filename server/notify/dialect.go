package notify

import (
	"strconv"
	"strings"
)

// maxInList bounds the ids one IN list binds (SQLite allows 32766
// variables; PostgreSQL 65535).
const maxInList = 1000

// placeholders returns n placeholders numbered from start: "$3, $4, $5".
func placeholders(start, n int) string {
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

// anys converts ids to query arguments.
func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
