package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Readers lists the accounts that may read a bucket (the inverse of the
// sync resolver).
type Readers func(ctx context.Context, q syncengine.Querier, b syncengine.Bucket) ([]string, error)

// WakerConfig tunes a Waker. Zero values take the defaults.
type WakerConfig struct {
	Store   syncengine.Store
	Readers Readers
	// Every is how long changed buckets gather before their devices are
	// woken (default 1 s).
	Every time.Duration
	// Coalesce is the least time between two silent pushes to one device
	// (default 1 min).
	Coalesce time.Duration
	// Queued, if set, is called after silent pushes were queued (to kick
	// the workers).
	Queued func()
	Now    func() time.Time
	Logger *slog.Logger
}

// Waker queues a silent push to every device whose buckets changed while it
// held no live stream, at most one per device per Coalesce. It hears
// changes through Store.Watch, so it sees the commits of every server
// process; each process's waker tries, and the device_wakes row decides
// which one queues the push.
type Waker struct {
	cfg       WakerConfig
	mu        sync.Mutex
	changed   map[syncengine.Bucket]struct{}
	signal    chan struct{}
	listening chan struct{}
	once      sync.Once
}

// NewWaker returns a waker; call Run.
func NewWaker(cfg WakerConfig) *Waker {
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	if cfg.Coalesce <= 0 {
		cfg.Coalesce = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Waker{cfg: cfg, changed: map[syncengine.Bucket]struct{}{}, signal: make(chan struct{}, 1), listening: make(chan struct{})}
}

// Listening is closed once Run hears commits.
func (w *Waker) Listening() <-chan struct{} { return w.listening }

// Run wakes devices until ctx ends.
func (w *Waker) Run(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		done <- w.cfg.Store.Watch(ctx, func(buckets []syncengine.Bucket) {
			w.once.Do(func() { close(w.listening) })
			// nil means notifications may have been lost: nothing to wake
			// for that a device would not find at its next sync anyway.
			if len(buckets) == 0 {
				return
			}
			w.mu.Lock()
			for _, b := range buckets {
				w.changed[b] = struct{}{}
			}
			w.mu.Unlock()
			select {
			case w.signal <- struct{}{}:
			default:
			}
		})
	}()
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case <-w.signal:
		}
		// Let a burst of changes gather.
		select {
		case <-ctx.Done():
			<-done
			return nil
		case <-time.After(w.cfg.Every):
		}
		w.mu.Lock()
		buckets := make([]syncengine.Bucket, 0, len(w.changed))
		for b := range w.changed {
			buckets = append(buckets, b)
		}
		clear(w.changed)
		w.mu.Unlock()
		if _, err := w.Wake(ctx, buckets); err != nil && ctx.Err() == nil {
			w.cfg.Logger.Error("waking devices", "err", err)
		}
	}
}

// Wake queues silent pushes to the devices of the readers of buckets that
// hold no live stream and were not woken within Coalesce. It returns how
// many it queued.
func (w *Waker) Wake(ctx context.Context, buckets []syncengine.Bucket) (int, error) {
	queued := 0
	err := w.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		queued = 0
		seen := map[string]bool{}
		var users []string
		for _, b := range buckets {
			ids, err := w.cfg.Readers(ctx, tx, b)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if !seen[id] {
					seen[id] = true
					users = append(users, id)
				}
			}
		}
		now := w.cfg.Now().UnixMilli()
		type target struct{ device, user string }
		var targets []target
		for start := 0; start < len(users); start += maxInList {
			chunk := users[start:min(start+maxInList, len(users))]
			rows, err := tx.Query(ctx, `SELECT t.device_id, t.user_id FROM push_tokens t
				WHERE t.user_id IN (`+sqlq.Placeholders(2, len(chunk))+`)
				AND NOT EXISTS (SELECT 1 FROM live_streams l WHERE l.device_id = t.device_id AND l.expires_at > $1)`,
				append([]any{now}, anys(chunk)...)...)
			if err != nil {
				return err
			}
			found, err := sqlq.Collect(rows, func(r syncengine.Row) (t target, err error) {
				err = r.Scan(&t.device, &t.user)
				return t, err
			})
			if err != nil {
				return err
			}
			targets = append(targets, found...)
		}
		for _, t := range targets {
			n, err := tx.Exec(ctx, `INSERT INTO device_wakes (device_id, woken_at) VALUES ($1, $2)
				ON CONFLICT (device_id) DO UPDATE SET woken_at = excluded.woken_at WHERE device_wakes.woken_at <= $3`,
				t.device, now, now-w.cfg.Coalesce.Milliseconds())
			if err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			id := uuid.NewString()
			if _, err := tx.Exec(ctx, `INSERT INTO notifications (id, user_id, kind, params, title, body, dedupe_key, urgent, silent, device_id, created_at, next_attempt_at)
				VALUES ($1, $2, $3, '{}', '', '', $4, $5, $6, $7, $8, $8)`,
				id, t.user, KindSyncWake, KindSyncWake+":"+id, false, true, t.device, now); err != nil {
				return err
			}
			queued++
		}
		return nil
	})
	if err == nil && queued > 0 && w.cfg.Queued != nil {
		w.cfg.Queued()
	}
	return queued, err
}
