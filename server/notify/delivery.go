package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// device is a push token to send to.
type device struct {
	token, userID, deviceID, platform, locale string
}

// plan is what a worker does with a claimed batch: notifications to hold
// until quiet hours end, and messages to send.
type plan struct {
	batch []claimed
	held  map[int]time.Time // batch index -> when quiet hours end
	sent  map[int]bool      // some device already got it (earlier attempt)
	msgs  []Message
	of    []int    // batch index of each message
	to    []device // device of each message
}

// plan loads the devices of a batch's users and decides what to send.
func (w *Worker) plan(ctx context.Context, batch []claimed, now time.Time) (*plan, error) {
	p := &plan{batch: batch, held: map[int]time.Time{}, sent: map[int]bool{}}
	users := map[string]bool{}
	var userIDs, retried, loud []string
	for _, c := range batch {
		if !users[c.userID] {
			users[c.userID] = true
			userIDs = append(userIDs, c.userID)
		}
		if c.attempts > 1 {
			retried = append(retried, c.id)
		}
		if !c.urgent && !c.silent {
			loud = append(loud, c.userID)
		}
	}
	devices := map[string][]device{}
	done := map[string]bool{} // notification id + "\x00" + token
	var zones map[string]*time.Location
	err := w.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		var err error
		if zones, err = UserZones(ctx, q, loud); err != nil {
			return err
		}
		for start := 0; start < len(userIDs); start += maxInList {
			chunk := userIDs[start:min(start+maxInList, len(userIDs))]
			rows, err := q.Query(ctx, `SELECT token, user_id, device_id, platform, locale FROM push_tokens
				WHERE user_id IN (`+sqlq.Placeholders(1, len(chunk))+`)`, anys(chunk)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var d device
				if err := rows.Scan(&d.token, &d.userID, &d.deviceID, &d.platform, &d.locale); err != nil {
					rows.Close()
					return err
				}
				devices[d.userID] = append(devices[d.userID], d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if len(retried) == 0 {
			return nil
		}
		rows, err := q.Query(ctx, `SELECT notification_id, token, status FROM push_sends WHERE notification_id IN (`+sqlq.Placeholders(1, len(retried))+`)`, anys(retried)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		sentTo := map[string]bool{}
		for rows.Next() {
			var id, token, status string
			if err := rows.Scan(&id, &token, &status); err != nil {
				return err
			}
			done[id+"\x00"+token] = true
			if status == Sent.String() {
				sentTo[id] = true
			}
		}
		for i, c := range batch {
			p.sent[i] = sentTo[c.id]
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for i, c := range batch {
		if !c.urgent && !c.silent {
			if until, quiet := w.cfg.Quiet.Until(now, zones[c.userID]); quiet {
				p.held[i] = until
				continue
			}
		}
		for _, d := range devices[c.userID] {
			if done[c.id+"\x00"+d.token] || (c.deviceID != "" && d.deviceID != c.deviceID) {
				continue
			}
			m := Message{Token: d.token, Platform: d.platform, UserID: c.userID, Silent: c.silent, Urgent: c.urgent,
				Data: map[string]string{"kind": c.kind, "id": c.id}}
			if !c.silent {
				m.Title, m.Body = RenderPush(c.kind, Language(d.locale), c.params)
			}
			p.msgs = append(p.msgs, m)
			p.of = append(p.of, i)
			p.to = append(p.to, d)
		}
	}
	return p, nil
}

// sendRow is one row of push_sends.
type sendRow struct{ id, token, status string }

// finish records the results of a batch: what each device got, tokens
// that are gone, and each notification's new state.
func (w *Worker) finish(ctx context.Context, p *plan, results []Result) error {
	now := w.cfg.Now()
	type verdict struct {
		sent, retry bool
		retryAfter  time.Duration
		err         error
	}
	verdicts := make([]verdict, len(p.batch))
	for i := range p.batch {
		verdicts[i].sent = p.sent[i]
	}
	var rows []sendRow
	var gone []string
	for k, r := range results {
		i, d := p.of[k], p.to[k]
		v := &verdicts[i]
		switch r.Outcome {
		case Sent:
			v.sent = true
			rows = append(rows, sendRow{p.batch[i].id, d.token, Sent.String()})
		case Unregistered:
			gone = append(gone, d.token)
			rows = append(rows, sendRow{p.batch[i].id, d.token, Unregistered.String()})
		case Retry:
			v.retry = true
			v.retryAfter = max(v.retryAfter, r.RetryAfter)
			v.err = r.Err
		default:
			rows = append(rows, sendRow{p.batch[i].id, d.token, Failed.String()})
			if v.err == nil {
				v.err = r.Err
			}
		}
	}
	var sent, skipped []string
	return w.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		sent, skipped = sent[:0], skipped[:0]
		if err := insertSends(ctx, tx, rows, now); err != nil {
			return err
		}
		for start := 0; start < len(gone); start += maxInList {
			chunk := gone[start:min(start+maxInList, len(gone))]
			if _, err := tx.Exec(ctx, `DELETE FROM push_tokens WHERE token IN (`+sqlq.Placeholders(1, len(chunk))+`)`, anys(chunk)...); err != nil {
				return err
			}
		}
		for i, c := range p.batch {
			v := verdicts[i]
			var err error
			switch until, held := p.held[i]; {
			case held:
				_, err = tx.Exec(ctx, `UPDATE notifications SET state = 'pending', attempts = attempts - 1, next_attempt_at = $1, claimed_by = '', lease_until = 0
					WHERE id = $2 AND claimed_by = $3 AND state = 'sending'`, until.UnixMilli(), c.id, w.cfg.ID)
			case v.retry && c.attempts >= w.cfg.MaxAttempts:
				w.log.Warn("giving up on a notification", "id", c.id, "kind", c.kind, "attempts", c.attempts, "err", v.err)
				err = w.settle(ctx, tx, c.id, "failed", fmt.Sprintf("gave up after %d attempts: %v", c.attempts, v.err))
			case v.retry:
				_, err = tx.Exec(ctx, `UPDATE notifications SET state = 'pending', next_attempt_at = $1, last_error = $2, claimed_by = '', lease_until = 0
					WHERE id = $3 AND claimed_by = $4 AND state = 'sending'`,
					now.Add(w.backoff(c.attempts, v.retryAfter)).UnixMilli(), errText(v.err), c.id, w.cfg.ID)
			case v.sent:
				sent = append(sent, c.id)
			case v.err != nil:
				err = w.settle(ctx, tx, c.id, "failed", "refused: "+errText(v.err))
			default:
				skipped = append(skipped, c.id)
			}
			if err != nil {
				return err
			}
		}
		if err := w.settleAll(ctx, tx, sent, "sent", ""); err != nil {
			return err
		}
		return w.settleAll(ctx, tx, skipped, "skipped", "no device to push to")
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

// settle ends one notification's delivery in a final state.
func (w *Worker) settle(ctx context.Context, tx syncengine.Tx, id, state, why string) error {
	return w.settleAll(ctx, tx, []string{id}, state, why)
}

// settleAll ends the delivery of notifications this worker holds.
func (w *Worker) settleAll(ctx context.Context, tx syncengine.Tx, ids []string, state, why string) error {
	for start := 0; start < len(ids); start += maxInList {
		chunk := ids[start:min(start+maxInList, len(ids))]
		var sentAt int64
		if state == "sent" {
			sentAt = w.cfg.Now().UnixMilli()
		}
		args := append([]any{state, sentAt, why, w.cfg.ID}, anys(chunk)...)
		n, err := tx.Exec(ctx, `UPDATE notifications SET state = $1, sent_at = $2, last_error = $3, claimed_by = '', lease_until = 0
			WHERE claimed_by = $4 AND state = 'sending' AND id IN (`+sqlq.Placeholders(5, len(chunk))+`)`, args...)
		if err != nil {
			return err
		}
		if int(n) != len(chunk) {
			w.log.Warn("claims lapsed before their delivery was recorded", "lapsed", len(chunk)-int(n))
		}
	}
	return nil
}

// insertSends records what each device got, many rows per statement.
func insertSends(ctx context.Context, tx syncengine.Tx, rows []sendRow, now time.Time) error {
	const per = 200
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		args := make([]any, 0, len(chunk)*4)
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + sqlq.Placeholders(len(args)+1, 4) + ")")
			args = append(args, r.id, r.token, r.status, now.UnixMilli())
		}
		if _, err := tx.Exec(ctx, `INSERT INTO push_sends (notification_id, token, status, at) VALUES `+b.String()+
			` ON CONFLICT (notification_id, token) DO NOTHING`, args...); err != nil {
			return err
		}
	}
	return nil
}
