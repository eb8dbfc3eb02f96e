package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Presence records which devices hold a live sync stream, so that those
// are not woken by silent pushes. Each server process records its own
// streams in live_streams and keeps them fresh; the rows of a process that
// died expire after TTL.
type Presence struct {
	store   syncengine.Store
	process string
	ttl     time.Duration
	now     func() time.Time
	log     *slog.Logger

	mu     sync.Mutex
	counts map[string]int // device -> live streams in this process
}

// NewPresence returns the presence of this process; ttl (default 90 s) is
// how long its rows outlive its last refresh.
func NewPresence(store syncengine.Store, ttl time.Duration, now func() time.Time, log *slog.Logger) *Presence {
	if ttl <= 0 {
		ttl = 90 * time.Second
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Presence{store: store, process: uuid.NewString(), ttl: ttl, now: now, log: log, counts: map[string]int{}}
}

// Live is the engine's OnLive hook: a device's stream became live; the
// returned function ends it.
func (p *Presence) Live(sp syncengine.Principal) func() {
	device := sp.DeviceID
	if device == "" {
		return nil
	}
	p.mu.Lock()
	p.counts[device]++
	first := p.counts[device] == 1
	p.mu.Unlock()
	if first {
		p.write(device, true)
	}
	return func() {
		p.mu.Lock()
		p.counts[device]--
		last := p.counts[device] == 0
		if last {
			delete(p.counts, device)
		}
		p.mu.Unlock()
		if last {
			p.write(device, false)
		}
	}
}

func (p *Presence) write(device string, live bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.store.Update(ctx, func(tx syncengine.Tx) error {
		if !live {
			_, err := tx.Exec(ctx, `DELETE FROM live_streams WHERE device_id = $1 AND process_id = $2`, device, p.process)
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO live_streams (device_id, process_id, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT (device_id, process_id) DO UPDATE SET expires_at = excluded.expires_at`,
			device, p.process, p.now().Add(p.ttl).UnixMilli())
		return err
	})
	if err != nil {
		p.log.Warn("recording a live stream", "device", device, "live", live, "err", err)
	}
}

// Run keeps this process's rows fresh until ctx ends, then removes them.
func (p *Presence) Run(ctx context.Context) error {
	t := time.NewTicker(p.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			ctx := context.WithoutCancel(ctx)
			err := p.store.Update(ctx, func(tx syncengine.Tx) error {
				_, err := tx.Exec(ctx, `DELETE FROM live_streams WHERE process_id = $1`, p.process)
				return err
			})
			return err
		case <-t.C:
		}
		err := p.store.Update(ctx, func(tx syncengine.Tx) error {
			now := p.now()
			if _, err := tx.Exec(ctx, `UPDATE live_streams SET expires_at = $1 WHERE process_id = $2`, now.Add(p.ttl).UnixMilli(), p.process); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `DELETE FROM live_streams WHERE expires_at < $1`, now.UnixMilli())
			return err
		})
		if err != nil && ctx.Err() == nil {
			p.log.Warn("refreshing live streams", "err", err)
		}
	}
}
