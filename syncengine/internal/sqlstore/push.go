package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Tx is a store transaction that can nest savepoints.
type Tx interface {
	syncengine.Tx
	// Savepoint starts a savepoint; undo rolls back to it (SQL, buffered
	// changes and after-commit hooks alike), done releases it.
	Savepoint(ctx context.Context) (undo, done func() error, err error)
}

// Push applies a client's batch inside tx: the client row is locked (or
// created), mutations already applied return their stored outcome, a gap in
// seq is refused, and each new mutation runs in a savepoint so a rejection
// undoes only its own writes. The engine's own statements are one per push,
// not per mutation: the client row is created or locked and read in one
// upsert, and the outcomes and the client's new seq are queued (Tx.Queue),
// so on PostgreSQL they travel with the commit's first round trip.
func Push(ctx context.Context, tx Tx, b syncengine.PushBatch) ([]syncengine.Outcome, error) {
	now := tx.Now().UnixMilli()
	// The upsert's DO UPDATE locks an existing row until commit (SQLite's
	// writers take turns anyway) and returns it as committed.
	var owner string
	var last int64
	if err := tx.QueryRow(ctx, `INSERT INTO sync_clients (client_id, user_id, last_seq, created_at, updated_at) VALUES ($1, $2, 0, $3, $3)
		ON CONFLICT (client_id) DO UPDATE SET updated_at = excluded.updated_at
		RETURNING user_id, last_seq`, b.ClientID, b.UserID, now).Scan(&owner, &last); err != nil {
		return nil, err
	}
	if owner != b.UserID {
		return nil, syncengine.Errorf(syncengine.EPERMISSION, "client %s belongs to another user", b.ClientID)
	}
	if first := b.Mutations[0].Seq; first > last+1 {
		return nil, syncengine.Errorf(syncengine.EPRECONDITION,
			"mutation seq gap: the server has applied up to %d, so the next must be %d, but this push starts at %d", last, last+1, first)
	}
	outs := make([]syncengine.Outcome, 0, len(b.Mutations))
	var fresh []syncengine.Outcome
	for _, m := range b.Mutations {
		if m.Seq <= last {
			out, err := LoadOutcome(ctx, tx, b.ClientID, m)
			if err != nil {
				return nil, err
			}
			outs = append(outs, out)
			continue
		}
		undo, done, err := tx.Savepoint(ctx)
		if err != nil {
			return nil, err
		}
		out, err := b.Apply(ctx, tx, m)
		if err != nil {
			return nil, err
		}
		if out.Status == syncengine.StatusRejected {
			err = undo()
		} else {
			err = done()
		}
		if err != nil {
			return nil, err
		}
		fresh = append(fresh, out)
		tx.Put(syncengine.OutcomeCollection, syncengine.OutcomeRecordID(b.ClientID, m.Seq), b.Encode(out), syncengine.UserBucket(b.UserID))
		outs = append(outs, out)
		last = m.Seq
	}
	if err := saveOutcomes(ctx, tx, fresh); err != nil {
		return nil, err
	}
	tx.Queue(ctx, `UPDATE sync_clients SET last_seq = $1, updated_at = $2 WHERE client_id = $3`, last, now, b.ClientID)
	return outs, nil
}

// saveOutcomes queues the batch's new outcomes, one statement per 500.
func saveOutcomes(ctx context.Context, tx Tx, outs []syncengine.Outcome) error {
	const cols = 9
	for chunk := range slices.Chunk(outs, 500) {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO sync_outcomes (client_id, seq, name, status, code, message, violations, result, decided_at) VALUES `)
		args := make([]any, 0, len(chunk)*cols)
		for i, o := range chunk {
			var code, message string
			violations := []byte("[]")
			if o.Error != nil {
				code, message = o.Error.Code, o.Error.Message
				var err error
				if violations, err = json.Marshal(o.Error.Violations); err != nil {
					return err
				}
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + sqlq.Placeholders(len(args)+1, cols) + ")")
			args = append(args, o.ClientID, o.Seq, o.Name, int64(o.Status), code, message, string(violations), o.Result, o.DecidedAt.UnixMilli())
		}
		tx.Queue(ctx, sb.String(), args...)
	}
	return nil
}

// LoadOutcome returns the stored outcome of an applied mutation, marked
// replayed. An outcome already expired by compaction comes back as a
// rejection that says so: the device then simply trusts the server's data.
func LoadOutcome(ctx context.Context, q syncengine.Querier, clientID string, m syncengine.Mutation) (syncengine.Outcome, error) {
	out := syncengine.Outcome{ClientID: clientID, Seq: m.Seq, Replayed: true}
	var status, decided int64
	var code, message, violations string
	err := q.QueryRow(ctx, `SELECT name, status, code, message, violations, result, decided_at FROM sync_outcomes WHERE client_id = $1 AND seq = $2`,
		clientID, m.Seq).Scan(&out.Name, &status, &code, &message, &violations, &out.Result, &decided)
	if errors.Is(err, sql.ErrNoRows) {
		out.Name, out.Status = m.Name, syncengine.StatusRejected
		out.Error = syncengine.Errorf(syncengine.EPRECONDITION,
			"mutation %d was processed long ago and its outcome is no longer kept; the data on this device follows the server", m.Seq)
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Status = syncengine.Status(status)
	out.DecidedAt = millis(decided)
	if out.Status == syncengine.StatusRejected {
		out.Error = &syncengine.Error{Code: code, Message: message}
		if err := json.Unmarshal([]byte(violations), &out.Error.Violations); err != nil {
			return out, fmt.Errorf("decoding stored violations: %w", err)
		}
	}
	return out, nil
}
