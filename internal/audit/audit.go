// Package audit keeps a module's record of staff decisions: one row per
// decision in the module's own audit table, written in the decision's
// transaction (who, when, what, from where) and read back for the
// console's audit log.
package audit

import (
	"context"
	"math"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Entry is one recorded decision. Detail is short and never personal data
// or a secret: a role, a territory, a tracking number.
type Entry struct {
	AtUnixMs int64
	ActorID  string
	Address  string // the caller's host, "" for the server's own tasks
	Action   string
	ObjectID string
	Detail   string
}

// Log is one module's audit table, with the columns its migrations create:
// id, at, actor_id, address, action, object_id, detail.
type Log struct{ table string }

// New returns the log kept in table (a constant of the module).
func New(table string) Log { return Log{table: table} }

// maxDetail bounds a detail, in characters.
const maxDetail = 200

// Record writes the decision action of p on objectID in tx.
func (l Log) Record(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, action, objectID, detail string) error {
	if r := []rune(detail); len(r) > maxDetail {
		detail = string(r[:maxDetail])
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+l.table+` (at, actor_id, address, action, object_id, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		tx.Now().UnixMilli(), p.UserID, p.Address, action, objectID, detail)
	return err
}

// List returns the entries in [from, to) (unix ms; 0 leaves that end
// open), newest first, at most limit.
func (l Log) List(ctx context.Context, q syncengine.Querier, from, to int64, limit int) ([]Entry, error) {
	if to == 0 {
		to = math.MaxInt64
	}
	rows, err := q.Query(ctx, `SELECT at, actor_id, address, action, object_id, detail FROM `+l.table+`
		WHERE at >= $1 AND at < $2 ORDER BY at DESC, id DESC LIMIT $3`, from, to, int64(limit))
	if err != nil {
		return nil, err
	}
	return sqlq.Collect(rows, func(r syncengine.Row) (Entry, error) {
		var e Entry
		return e, r.Scan(&e.AtUnixMs, &e.ActorID, &e.Address, &e.Action, &e.ObjectID, &e.Detail)
	})
}
