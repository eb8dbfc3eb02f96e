package sdk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"connectrpc.com/connect"
)

// loopState is the background sync loop's control: started or not, and the
// signals that wake it. Nothing in the loop polls: it sleeps on these
// channels and timers.
type loopState struct {
	mu      sync.Mutex
	running bool
	cancel  context.CancelFunc
	done    chan struct{}

	wake  chan struct{} // something to push or pull
	now   chan struct{} // the app asked for a sync now: skip any backoff
	media chan struct{} // a photo was queued

	netMu sync.Mutex
	conn  Connectivity
	net   chan struct{} // closed and replaced when connectivity changes

	stateMu sync.Mutex
	state   LoopState
}

func (l *loopState) init() {
	l.wake = make(chan struct{}, 1)
	l.now = make(chan struct{}, 1)
	l.media = make(chan struct{}, 1)
	l.net = make(chan struct{})
}

func (l *loopState) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *loopState) pokeMedia() {
	select {
	case l.media <- struct{}{}:
	default:
	}
}

// connectivity returns the current hint and a channel closed at its next
// change.
func (l *loopState) connectivity() (Connectivity, <-chan struct{}) {
	l.netMu.Lock()
	defer l.netMu.Unlock()
	return l.conn, l.net
}

// Start runs the sync loop in the background until Stop or Close: it pulls
// at once, pushes whenever the outbox has mutations, keeps a live
// subscription open while online and pulls when it says something changed,
// and backs off exponentially with jitter after failures. Calling Start on
// a running replica does nothing.
func (r *Replica) Start() error {
	if err := r.check(); err != nil {
		return err
	}
	r.loop.mu.Lock()
	defer r.loop.mu.Unlock()
	if r.loop.running {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.loop.running, r.loop.cancel, r.loop.done = true, cancel, make(chan struct{})
	done := r.loop.done
	go func() {
		defer close(done)
		r.run(ctx)
	}()
	return nil
}

// Stop stops the sync loop and waits for it; the replica stays open for
// local reads and writes.
func (r *Replica) Stop() {
	r.loop.mu.Lock()
	running, cancel, done := r.loop.running, r.loop.cancel, r.loop.done
	r.loop.running = false
	r.loop.mu.Unlock()
	if running {
		cancel()
		<-done
	}
}

// SetConnectivity passes the app's knowledge of the network to the loop:
// Offline stops all traffic (the live subscription closes), Online and
// Metered resume it at once, without waiting out a backoff.
func (r *Replica) SetConnectivity(c Connectivity) {
	r.loop.netMu.Lock()
	changed := r.loop.conn != c
	if changed {
		r.loop.conn = c
		close(r.loop.net)
		r.loop.net = make(chan struct{})
	}
	r.loop.netMu.Unlock()
	if changed {
		r.status.update(func(s *Status) {
			s.Connectivity = c
			if c == Offline {
				s.Online, s.Live = false, false
			}
		})
	}
}

// SyncNow asks the running loop to sync at once, even during a backoff
// (e.g. pull-to-refresh, or a silent push that says data changed).
func (r *Replica) SyncNow() {
	select {
	case r.loop.now <- struct{}{}:
	default:
	}
	r.loop.poke()
}

// Sync pushes the outbox and pulls to a checkpoint once, in the caller's
// goroutine. The background loop uses it too; the two never overlap.
func (r *Replica) Sync(ctx context.Context) error {
	if err := r.check(); err != nil {
		return err
	}
	r.syncMu.Lock()
	defer r.syncMu.Unlock()
	r.status.update(func(s *Status) { s.Syncing = true })
	err := r.syncOnce(ctx)
	online := err == nil
	switch connect.CodeOf(err) {
	case connect.CodeUnavailable, connect.CodeUnknown, connect.CodeDeadlineExceeded, connect.CodeCanceled:
	default:
		online = true
	}
	r.status.update(func(s *Status) {
		s.Syncing = false
		s.Online = online
		s.LastError = ""
		if err != nil && ctx.Err() == nil {
			s.LastError = describe(err)
		}
	})
	if classify(err) == wiped && err != nil {
		w := Wipe{}
		var rev *RevokedError
		if errors.As(err, &rev) {
			w.DeviceID = rev.DeviceID
		}
		moved := otherCountry(err)
		if moved == nil {
			errors.As(err, &moved)
		}
		if moved != nil {
			w.Country, w.ServerCountry = moved.Replica, moved.Server
		}
		r.wipe(w)
		if moved != nil {
			return ErrOtherCountry
		}
		return ErrWiped
	}
	return err
}

func (r *Replica) syncOnce(ctx context.Context) error {
	for i := 0; i < 3; i++ {
		held, err := r.push(ctx)
		if err != nil {
			return err
		}
		if err := r.pull(ctx); err != nil {
			return err
		}
		if held {
			return nil // the rest goes when the photos it waits for are uploaded
		}
		queued, err := r.hasQueued(ctx)
		if err != nil || !queued {
			return err
		}
	}
	return nil
}

func (r *Replica) hasQueued(ctx context.Context) (bool, error) {
	var n int
	err := r.db.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM sdk_outbox WHERE state = 0 LIMIT 1)`).Scan(&n)
	return n > 0, r.wrap(err)
}

// run is the loop: sync, then sleep until there is something to do.
func (r *Replica) run(ctx context.Context) {
	var wg sync.WaitGroup
	children, stopChildren := context.WithCancel(ctx)
	wg.Add(2)
	go func() { defer wg.Done(); r.subscribe(children) }()
	go func() { defer wg.Done(); r.uploads(children) }()
	defer func() { stopChildren(); wg.Wait() }()

	bo := newBackoff(r.opts.MinBackoff, r.opts.MaxBackoff)
	for ctx.Err() == nil {
		conn, netChanged := r.loop.connectivity()
		if conn == Offline {
			r.loop.asleep(WaitNetwork)
			select {
			case <-ctx.Done():
			case <-netChanged:
			}
			r.loop.awake()
			continue
		}
		// A change of connectivity cuts the sync short: Offline stops all
		// traffic at once, and an interrupted push is safe to send again.
		syncCtx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-netChanged:
				cancel()
			case <-syncCtx.Done():
			}
		}()
		err := r.Sync(syncCtx)
		interrupted := syncCtx.Err() != nil && ctx.Err() == nil
		cancel()
		if errors.Is(err, ErrWiped) || errors.Is(err, ErrClosed) {
			return
		}
		if interrupted {
			continue
		}
		var wait <-chan time.Time
		if err == nil {
			bo.reset()
			poll := time.NewTimer(r.opts.PollEvery)
			wait = poll.C
			if r.Status().Live {
				wait = nil // the subscription says when to pull
			}
			r.loop.asleep(WaitChange)
			select {
			case <-ctx.Done():
			case <-netChanged:
			case <-r.loop.wake:
			case <-r.loop.now:
			case <-wait:
			}
			r.loop.awake()
			poll.Stop()
			continue
		}
		if ctx.Err() != nil {
			return
		}
		delay := bo.next()
		if k := classify(err); k == blocked || k == signedOut {
			delay = bo.max
		}
		r.log.Info("sync failed, retrying later", "err", err, "in", delay)
		t := time.NewTimer(delay)
		r.loop.asleep(WaitBackoff)
		select {
		case <-ctx.Done():
		case <-netChanged:
			bo.reset()
		case <-r.loop.now:
			bo.reset()
		case <-t.C:
		}
		r.loop.awake()
		t.Stop()
	}
}

// backoff is exponential with jitter: each wait is drawn from the upper
// half of a window that doubles at every consecutive failure.
type backoff struct {
	min, max time.Duration
	n        int
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max} }

func (b *backoff) reset() { b.n = 0 }

func (b *backoff) next() time.Duration {
	d := b.min << min(b.n, 30)
	if d > b.max || d <= 0 {
		d = b.max
	}
	b.n++
	return d/2 + rand.N(d/2+1)
}

// wipe deletes the replica after the server revoked the device: database,
// media files, session and all. The replica is unusable afterwards. What
// the user's work loses (mutations not acknowledged, photos not uploaded)
// is counted in the last moment of the database and told to the app.
func (r *Replica) wipe(w Wipe) {
	if !r.state.CompareAndSwap(stateOpen, stateWiped) {
		return
	}
	r.loop.mu.Lock()
	if r.loop.running {
		r.loop.cancel() // the loop exits on its own; Stop would wait for ourselves
	}
	r.loop.mu.Unlock()
	r.db.closeAfter(func(c *sql.Conn) {
		err := c.QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM sdk_outbox WHERE state = ?),
			(SELECT count(*) FROM sdk_media WHERE state = ?)`, entryQueued, mediaQueued).Scan(&w.Mutations, &w.Photos)
		if err != nil {
			// Say at least as much as the last status knew (some of it the
			// server may have).
			r.log.Error("counting what the wipe discards", "err", err)
			st := r.status.get()
			w.Mutations, w.Photos = st.Pending, st.MediaQueued
		}
	})
	r.lock.Close()
	for _, name := range []string{dbFile, dbFile + "-wal", dbFile + "-shm", lockFile, sessionFile} {
		os.Remove(filepath.Join(r.dir, name))
	}
	os.RemoveAll(filepath.Join(r.dir, mediaDir))
	msg := "the server revoked this device; its data was deleted"
	if w.ServerCountry != "" {
		msg = "this replica belonged to the " + w.Country + " stack, not " + w.ServerCountry + "; its data was deleted"
	}
	if w.DeviceID != "" {
		msg += " (device " + w.DeviceID + ")"
	}
	if w.Mutations > 0 || w.Photos > 0 {
		msg += fmt.Sprintf(", with %d unsent mutations and %d photos not uploaded", w.Mutations, w.Photos)
	}
	r.log.Warn(msg)
	r.status.update(func(s *Status) {
		s.Wiped, s.WipedMutations, s.WipedPhotos = true, w.Mutations, w.Photos
		s.Syncing, s.Online, s.Live = false, false, false
		s.Pending, s.MediaQueued = 0, 0
		s.LastError = msg
	})
	r.events.wiped(w)
}
