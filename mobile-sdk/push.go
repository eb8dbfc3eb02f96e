package sdk

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// push sends the queued mutations, in order, until none is left. A batch
// the server refuses for its content (too large, invalid) is halved until
// the culprit is alone; that one is rejected locally, so one bad mutation
// never wedges the queue.
//
// A mutation that names a photo still on its way (LocalTx.RefersToMedia)
// waits for it, and so do the mutations after it, to keep their order:
// held reports that push stopped there.
func (r *Replica) push(ctx context.Context) (held bool, err error) {
	if err := r.registerMedia(ctx); err != nil {
		return false, err
	}
	limit := r.opts.PushBatch
	for {
		batch, held, err := r.queued(ctx, limit)
		if err != nil || len(batch) == 0 {
			return held, err
		}
		req := &syncv1.PushRequest{ClientId: r.clientID, ClientSchemaVersion: r.opts.ClientSchemaVersion, ReplicaCountry: r.Country()}
		for _, e := range batch {
			req.Mutations = append(req.Mutations, &syncv1.Mutation{Seq: e.seq, Name: e.name, Args: e.args, CreatedAtUnixMs: e.made})
		}
		var res *connect.Response[syncv1.PushResponse]
		err = r.api.call(ctx, func(ctx context.Context) error {
			var err error
			res, err = r.api.sync.Push(ctx, connect.NewRequest(req))
			return err
		})
		if err != nil {
			if classify(err) != poison || ctx.Err() != nil {
				return false, fmt.Errorf("push: %w", err)
			}
			if len(batch) > 1 {
				limit = max(1, len(batch)/2)
				continue
			}
			if err := r.rejectLocally(ctx, batch[0], err); err != nil {
				return false, err
			}
			limit = r.opts.PushBatch
			continue
		}
		if err := r.recordOutcomes(ctx, batch, res.Msg.GetOutcomes()); err != nil {
			return false, err
		}
		limit = r.opts.PushBatch
	}
}

// queued returns up to limit queued entries, in seq order, within the push
// byte budget, stopping before the first one waiting for a photo (held).
func (r *Replica) queued(ctx context.Context, limit int) (out []outboxEntry, held bool, err error) {
	err = r.db.update(ctx, func(tx *wtx) error {
		all, err := readEntries(tx, `SELECT id, seq, name, args, state, rejection, created_at FROM sdk_outbox WHERE state = 0 ORDER BY seq LIMIT ?`, limit)
		if err != nil || len(all) == 0 {
			return err
		}
		waiting, err := waitingForMedia(tx, all[0].id, all[len(all)-1].id)
		if err != nil {
			return err
		}
		size := 0
		for _, e := range all {
			if waiting[e.id] {
				held = true
				break
			}
			size += len(e.args) + len(e.name) + 32
			if len(out) > 0 && size > r.opts.PushBytes {
				break
			}
			out = append(out, e)
		}
		return nil
	})
	return out, held, r.wrap(err)
}

// waitingForMedia returns the outbox entries between two ids that name a
// photo not yet registered or, where they need it, not yet uploaded.
func waitingForMedia(tx *wtx, from, to int64) (map[int64]bool, error) {
	rows, err := tx.query(`SELECT DISTINCT om.outbox_id FROM sdk_outbox_media om JOIN sdk_media m ON m.media_id = om.media_id
		WHERE om.outbox_id BETWEEN ? AND ? AND m.state = ? AND (om.uploaded = 1 OR m.registered = 0)`, min(from, to), max(from, to), mediaQueued)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// recordOutcomes stores the push's outcomes. Applied entries wait for the
// checkpoint that brings their result; rejected ones are rolled back now
// unless a download is half done (then at its checkpoint, so the app never
// sees half a sync).
func (r *Replica) recordOutcomes(ctx context.Context, batch []outboxEntry, outcomes []*syncv1.Outcome) error {
	bySeq := make(map[int64]outboxEntry, len(batch))
	for _, e := range batch {
		bySeq[e.seq] = e
	}
	var res settleResult
	err := r.db.update(ctx, func(tx *wtx) error {
		rejected := false
		for _, o := range outcomes {
			e, ok := bySeq[o.GetSeq()]
			if !ok {
				continue
			}
			switch o.GetStatus() {
			case syncv1.OutcomeStatus_OUTCOME_STATUS_APPLIED:
				if _, err := tx.exec(`UPDATE sdk_outbox SET state = 1, result = ? WHERE id = ? AND state = 0`, nonNil(o.GetResult()), e.id); err != nil {
					return err
				}
			case syncv1.OutcomeStatus_OUTCOME_STATUS_REJECTED:
				detail := o.GetRejection()
				if detail == nil {
					detail = &commonv1.ErrorDetail{Code: syncengine.EINTERNAL, Message: "rejected without a reason"}
				}
				if _, err := tx.exec(`UPDATE sdk_outbox SET state = 2, rejection = ? WHERE id = ? AND state = 0`, rejectionDetail(detail), e.id); err != nil {
					return err
				}
				rejected = true
			}
		}
		if !rejected {
			return nil
		}
		return r.settleIfClean(tx, &res)
	})
	if err != nil {
		return r.wrap(err)
	}
	r.settled(res)
	return nil
}

// rejectLocally gives up on a mutation the server refuses to even look at
// (its push fails on its own with a non-retryable error): it is rolled back
// and reported like a server rejection. The server never applied it, so the
// mutations after it are renumbered to keep the seqs without gaps.
func (r *Replica) rejectLocally(ctx context.Context, e outboxEntry, cause error) error {
	detail := detailOf(cause)
	if detail == nil {
		var ce *connect.Error
		msg := cause.Error()
		if errors.As(cause, &ce) {
			msg = ce.Message()
		}
		detail = &commonv1.ErrorDetail{Code: syncengine.EINVALID, Message: "the server refused the mutation: " + msg}
	}
	r.log.Warn("mutation refused by the server, rejecting it", "mutation", e.name, "seq", e.seq, "err", cause)
	var res settleResult
	err := r.db.update(ctx, func(tx *wtx) error {
		n, err := tx.exec(`UPDATE sdk_outbox SET state = 2, rejection = ? WHERE id = ? AND state = 0`, rejectionDetail(detail), e.id)
		if err != nil || n == 0 {
			return err
		}
		// Everything after it is still queued: the server has seen none of it.
		if _, err := tx.exec(`UPDATE sdk_outbox SET seq = seq - 1 WHERE seq > ? AND state = 0`, e.seq); err != nil {
			return err
		}
		last, err := tx.metaInt("last_seq")
		if err != nil {
			return err
		}
		if err := tx.setMeta("last_seq", last-1); err != nil {
			return err
		}
		return r.settleIfClean(tx, &res)
	})
	if err != nil {
		return r.wrap(err)
	}
	r.settled(res)
	return nil
}

// settleIfClean rolls back rejected mutations now, unless a download is
// half done: then its checkpoint does it, so the app never sees half a sync.
func (r *Replica) settleIfClean(tx *wtx, res *settleResult) error {
	var pending bool
	if err := tx.queryRow(`SELECT EXISTS (SELECT 1 FROM sdk_dirty) OR EXISTS (SELECT 1 FROM sdk_buckets WHERE fresh = 1)`).Scan(&pending); err != nil {
		return err
	}
	if pending {
		return nil
	}
	return r.settle(tx, nil, res)
}

// settled tells the app what a settle changed.
func (r *Replica) settled(res settleResult) {
	if res.unref {
		r.collectMedia()
	}
	r.events.collectionsChanged(res.changed)
	r.events.rejected(res.rejections)
	r.status.update(func(s *Status) {
		s.Pending -= res.removed
		if s.Pending < 0 {
			s.Pending = 0
		}
		if res.checkpoint != nil {
			s.LastCheckpoint = *res.checkpoint
			s.InitialSync = false
		}
	})
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
