package sdk

import (
	"time"

	"google.golang.org/protobuf/proto"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Outbox entry states.
const (
	entryQueued   = 0 // not yet acknowledged by the server
	entryApplied  = 1 // applied; its rows stay optimistic until a checkpoint covers it
	entryRejected = 2 // rejected; rolled back and reported at the next settle
)

// settleResult is what settling changed, for the observers.
type settleResult struct {
	changed    map[string]bool
	rejections []Rejection
	removed    int
	unref      bool
	checkpoint *time.Time
}

func (s *settleResult) markChanged(cs map[string]bool) {
	if len(cs) == 0 {
		return
	}
	if s.changed == nil {
		s.changed = map[string]bool{}
	}
	for c := range cs {
		s.changed[c] = true
	}
}

type recordKey struct{ collection, id string }

type outboxEntry struct {
	id    int64
	seq   int64
	name  string
	args  []byte
	state int
	rej   []byte
	made  int64
}

// settle brings the collection tables up to date with the downloaded rows
// and the outbox: entries the checkpoint covers (or the server rejected)
// leave the outbox, rejections are recorded for the app, and the records
// they or the download touched are reset to the server's state with the
// still-pending mutations replayed on top. cp is nil when settling after a
// push (only rejections to roll back, nothing downloaded).
func (r *Replica) settle(tx *wtx, cp *syncv1.Checkpoint, out *settleResult) error {
	query := `SELECT id, seq, name, args, state, rejection, created_at FROM sdk_outbox WHERE state = 2 ORDER BY seq`
	var args []any
	if cp != nil {
		query = `SELECT id, seq, name, args, state, rejection, created_at FROM sdk_outbox WHERE state = 2 OR seq <= ? ORDER BY seq`
		args = append(args, cp.GetLastMutationSeq())
	}
	done, err := readEntries(tx, query, args...)
	if err != nil {
		return err
	}
	reset := map[recordKey]bool{}
	for _, e := range done {
		rej, err := r.rejectionOf(tx, e)
		if err != nil {
			return err
		}
		if rej != nil {
			rej.MutationID = e.id
			if _, err := tx.exec(`INSERT OR REPLACE INTO sdk_rejections (id, seq, name, args, detail, decided_at) VALUES (?, ?, ?, ?, ?, ?)`,
				e.id, rej.Seq, rej.Mutation, rej.Args, rej.detail, rej.DecidedAt.UnixMilli()); err != nil {
				return err
			}
			out.rejections = append(out.rejections, *rej)
		}
		if err := touchedKeys(tx, e.id, reset); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM sdk_touched WHERE outbox_id = ?`, e.id); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM sdk_outbox_media WHERE outbox_id = ?`, e.id); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM sdk_outbox WHERE id = ?`, e.id); err != nil {
			return err
		}
	}
	out.removed = len(done)
	if cp != nil {
		at := time.UnixMilli(cp.GetServerTimeUnixMs())
		if cp.GetServerTimeUnixMs() == 0 {
			at = r.opts.Now()
		}
		out.checkpoint = &at
		if err := tx.setMeta("last_checkpoint_ms", at.UnixMilli()); err != nil {
			return err
		}
		if err := tx.setMeta("last_mutation_seq", cp.GetLastMutationSeq()); err != nil {
			return err
		}
	}
	return r.rebase(tx, reset, out)
}

// rebase resets the dirty records, the rows of fresh buckets and the given
// records to the server's state and, if anything was reset, replays every
// pending mutation on top, in order. A mutation whose optimistic apply now
// fails just has no local effect; the server decides.
func (r *Replica) rebase(tx *wtx, reset map[recordKey]bool, out *settleResult) error {
	var dirty int64
	if err := tx.queryRow(`SELECT EXISTS (SELECT 1 FROM sdk_dirty) OR EXISTS (SELECT 1 FROM sdk_buckets WHERE fresh = 1)`).Scan(&dirty); err != nil {
		return err
	}
	if dirty == 0 && len(reset) == 0 {
		return nil
	}
	pending, err := readEntries(tx, `SELECT id, seq, name, args, state, rejection, created_at FROM sdk_outbox ORDER BY seq`)
	if err != nil {
		return err
	}
	var replay []outboxEntry
	for _, e := range pending {
		if _, ok := r.schema.mutators[e.name]; ok {
			replay = append(replay, e)
		}
	}
	if len(replay) > 0 {
		// Their optimistic rows are rebuilt from scratch below.
		for _, e := range replay {
			if err := touchedKeys(tx, e.id, reset); err != nil {
				return err
			}
		}
		if _, err := tx.exec(`DELETE FROM sdk_touched`); err != nil {
			return err
		}
	}
	for k := range reset {
		if _, err := tx.exec(`INSERT OR IGNORE INTO sdk_dirty (collection, id) VALUES (?, ?)`, k.collection, k.id); err != nil {
			return err
		}
	}
	w := newViewWriter(tx)
	if err := r.refreshFresh(tx, w); err != nil {
		return err
	}
	if err := r.refreshDirty(tx, w); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return err
	}
	out.markChanged(w.changed)
	out.unref = out.unref || w.unref
	for _, e := range replay {
		if err := r.replay(tx, e, out); err != nil {
			return err
		}
	}
	return nil
}

// replay runs a pending mutation's optimistic apply again, in a savepoint.
func (r *Replica) replay(tx *wtx, e outboxEntry, out *settleResult) error {
	m := r.schema.mutators[e.name]
	if _, err := tx.tx.ExecContext(tx.ctx, `SAVEPOINT replay`); err != nil {
		return err
	}
	lt := r.newLocalTx(tx, e.id)
	err := m(lt, e.args)
	if err == nil {
		err = lt.w.flush()
	}
	if err != nil {
		r.log.Info("pending mutation no longer applies locally", "mutation", e.name, "seq", e.seq, "err", err)
		if _, rerr := tx.tx.ExecContext(tx.ctx, `ROLLBACK TO replay`); rerr != nil {
			return rerr
		}
	} else {
		out.markChanged(lt.w.changed)
		out.unref = out.unref || lt.w.unref
	}
	_, rerr := tx.tx.ExecContext(tx.ctx, `RELEASE replay`)
	return rerr
}

func readEntries(tx *wtx, query string, args ...any) ([]outboxEntry, error) {
	rows, err := tx.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outboxEntry
	for rows.Next() {
		var e outboxEntry
		if err := rows.Scan(&e.id, &e.seq, &e.name, &e.args, &e.state, &e.rej, &e.made); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func touchedKeys(tx *wtx, outboxID int64, into map[recordKey]bool) error {
	rows, err := tx.query(`SELECT collection, id FROM sdk_touched WHERE outbox_id = ?`, outboxID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k recordKey
		if err := rows.Scan(&k.collection, &k.id); err != nil {
			return err
		}
		into[k] = true
	}
	return rows.Err()
}

// rejectionOf returns the rejection of a finished entry, or nil if it was
// applied. An entry still queued learns its outcome from the outcome record
// synced to the user bucket (the push response was lost); an outcome no
// longer there means long applied.
func (r *Replica) rejectionOf(tx *wtx, e outboxEntry) (*Rejection, error) {
	var detail []byte
	decided := r.opts.Now()
	switch e.state {
	case entryApplied:
		return nil, nil
	case entryRejected:
		detail = e.rej
	default:
		var payload []byte
		err := tx.queryRow(`SELECT payload FROM sdk_rows WHERE collection = ? AND id = ? LIMIT 1`,
			syncengine.OutcomeCollection, syncengine.OutcomeRecordID(r.clientID, e.seq)).Scan(&payload)
		if err == errNoRows {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var o syncv1.Outcome
		if err := proto.Unmarshal(payload, &o); err != nil {
			r.log.Warn("undecodable outcome record", "seq", e.seq, "err", err)
			return nil, nil
		}
		if o.GetStatus() != syncv1.OutcomeStatus_OUTCOME_STATUS_REJECTED {
			return nil, nil
		}
		if o.GetDecidedAtUnixMs() != 0 {
			decided = time.UnixMilli(o.GetDecidedAtUnixMs())
		}
		detail, err = proto.Marshal(o.GetRejection())
		if err != nil {
			return nil, err
		}
	}
	rej := newRejection(e.seq, e.name, e.args, detail, decided)
	return &rej, nil
}

// rejectionDetail encodes why a mutation was rejected.
func rejectionDetail(d *commonv1.ErrorDetail) []byte {
	b, err := proto.Marshal(d)
	if err != nil {
		panic(err) // a plain message always marshals
	}
	return b
}
