package notify

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// WorkerConfig tunes a Worker. Zero values take the defaults.
type WorkerConfig struct {
	Store  syncengine.Store
	Sender Sender
	// ID names the worker in its claims (default a random one).
	ID string
	// Batch is how many notifications one claim takes (default 250).
	Batch int
	// Lease is how long a claim lasts (default 2 min); sending a batch
	// gives up at half of it, so a claim never outlives its sending.
	Lease time.Duration
	// MaxAttempts bounds the sends of one notification (default 8).
	MaxAttempts int
	// Backoff is the delay before the first retry after a 5xx, or a 429
	// without Retry-After (default 30 s); it doubles with every attempt up
	// to MaxBackoff (default 1 h).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Poll is how often an idle worker looks for due notifications
	// (default 1 s).
	Poll time.Duration
	// Quiet are the hours non-urgent pushes wait out in the user's time
	// zone (default 21:00 to 08:00).
	Quiet  QuietHours
	Now    func() time.Time
	Logger *slog.Logger
}

// Worker delivers the outbox: it claims due notifications, sends them to
// their users' devices and records what happened. Workers in any number of
// server processes may run at once: a claim is exclusive (FOR UPDATE SKIP
// LOCKED on PostgreSQL) and leased, a notification is sent by the worker
// that claimed it or not at all, and a retry only goes to the devices that
// did not get it. A worker whose claim lapses (its process died while
// sending) is not retried by the others: delivery is at most once per
// device, never twice.
type Worker struct {
	cfg  WorkerConfig
	log  *slog.Logger
	kick chan struct{}
}

// NewWorker returns a worker; call Run.
func NewWorker(cfg WorkerConfig) *Worker {
	if cfg.ID == "" {
		cfg.ID = uuid.NewString()
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 250
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 30 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Hour
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Quiet == (QuietHours{}) {
		cfg.Quiet = DefaultQuietHours
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Worker{cfg: cfg, log: cfg.Logger.With("worker", cfg.ID), kick: make(chan struct{}, 1)}
}

// Kick makes an idle worker look for due notifications now.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends. A batch being sent when ctx ends is
// finished first.
func (w *Worker) Run(ctx context.Context) error {
	for {
		n, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.log.Error("delivering notifications", "err", err)
		}
		if err == nil && n == w.cfg.Batch {
			continue
		}
		t := time.NewTimer(w.cfg.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-w.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// claimed is one notification a worker holds.
type claimed struct {
	id, userID, deviceID, kind string
	params                     map[string]string
	urgent, silent             bool
	attempts                   int
}

// RunOnce claims one batch of due notifications and delivers it. It
// returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	now := w.cfg.Now()
	batch, err := w.claim(ctx, now)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	// From here the batch is finished whatever becomes of ctx: a claim
	// left behind would be a push lost.
	ctx = context.WithoutCancel(ctx)
	p, err := w.plan(ctx, batch, now)
	if err != nil {
		if rerr := w.release(ctx, batch); rerr != nil {
			w.log.Error("releasing claimed notifications", "err", rerr)
		}
		return len(batch), err
	}
	results := w.send(ctx, p.msgs)
	return len(batch), w.finish(ctx, p, results)
}

// claim takes due notifications for this worker, after failing those
// whose claim lapsed.
func (w *Worker) claim(ctx context.Context, now time.Time) ([]claimed, error) {
	var out []claimed
	err := w.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		ms := now.UnixMilli()
		if _, err := tx.Exec(ctx, `UPDATE notifications SET state = 'failed', claimed_by = '', lease_until = 0,
				last_error = 'interrupted while sending; not sent again so that no device gets it twice'
			WHERE state = 'sending' AND lease_until < $1`, ms); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE notifications SET state = 'sending', claimed_by = $1, lease_until = $2, attempts = attempts + 1
			WHERE id IN (SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= $3
				ORDER BY next_attempt_at LIMIT $4`+tx.Dialect().SkipLocked()+`)
			RETURNING id, user_id, device_id, kind, params, urgent, silent, attempts`,
			w.cfg.ID, ms+w.cfg.Lease.Milliseconds(), ms, w.cfg.Batch)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (c claimed, err error) {
			var params string
			var attempts int64
			if err := r.Scan(&c.id, &c.userID, &c.deviceID, &c.kind, &params, &c.urgent, &c.silent, &attempts); err != nil {
				return c, err
			}
			c.attempts = int(attempts)
			err = json.Unmarshal([]byte(params), &c.params)
			return c, err
		})
		return err
	})
	return out, err
}

// release gives claimed notifications back untouched.
func (w *Worker) release(ctx context.Context, batch []claimed) error {
	return w.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		for _, c := range batch {
			if _, err := tx.Exec(ctx, `UPDATE notifications SET state = 'pending', attempts = attempts - 1, claimed_by = '', lease_until = 0
				WHERE id = $1 AND claimed_by = $2 AND state = 'sending'`, c.id, w.cfg.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// send delivers the messages within half a lease; a sender error counts as
// a retry for every message.
func (w *Worker) send(ctx context.Context, msgs []Message) []Result {
	if len(msgs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Lease/2)
	defer cancel()
	results, err := w.cfg.Sender.Send(ctx, msgs)
	if err == nil && len(results) != len(msgs) {
		w.log.Error("sender returned the wrong number of results", "messages", len(msgs), "results", len(results))
		err = context.DeadlineExceeded
	}
	if err != nil {
		results = make([]Result, len(msgs))
		for i := range results {
			results[i] = Result{Outcome: Retry, Err: err}
		}
	}
	return results
}

// backoff is the delay before the next attempt after a failed one.
func (w *Worker) backoff(attempts int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, w.cfg.MaxBackoff)
	}
	d := w.cfg.Backoff
	for i := 1; i < attempts && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.cfg.MaxBackoff)
}
