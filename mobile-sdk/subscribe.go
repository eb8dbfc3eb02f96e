package sdk

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
)

// subscribe keeps a live subscription open while the app says the network
// is up, poking the loop to pull whenever the server says the user's
// buckets changed (and once on every connect, to catch up on what happened
// while disconnected). A subscription silent for longer than StreamIdle is
// presumed dead and reopened.
func (r *Replica) subscribe(ctx context.Context) {
	bo := newBackoff(r.opts.MinBackoff, r.opts.MaxBackoff)
	for ctx.Err() == nil {
		conn, netChanged := r.loop.connectivity()
		if conn == Offline {
			select {
			case <-ctx.Done():
			case <-netChanged:
			}
			continue
		}
		started := time.Now()
		err := r.api.call(ctx, func(ctx context.Context) error { return r.stream(ctx, netChanged) })
		r.status.update(func(s *Status) { s.Live = false })
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > r.opts.StreamIdle {
			bo.reset() // it was healthy for a while
		}
		kind := classify(err)
		if kind == wiped {
			r.loop.poke() // the loop's next call wipes
			return
		}
		delay := bo.next()
		if kind == blocked || kind == signedOut {
			delay = bo.max
		}
		if err != nil {
			r.log.Debug("live subscription ended", "err", err, "retry_in", delay)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
		case <-netChanged:
			bo.reset()
		case <-t.C:
		}
		t.Stop()
	}
}

var errStreamEnded = errors.New("the server ended the live subscription")

// stream runs one subscription until it fails, goes silent, or the
// connectivity changes.
func (r *Replica) stream(ctx context.Context, netChanged <-chan struct{}) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-netChanged:
			cancel()
		case <-ctx.Done():
		}
	}()
	st, err := r.api.sync.Subscribe(ctx, connect.NewRequest(&syncv1.SubscribeRequest{
		ClientId:            r.clientID,
		ClientSchemaVersion: r.opts.ClientSchemaVersion,
		ReplicaCountry:      r.Country(),
	}))
	if err != nil {
		return err
	}
	defer st.Close()
	idle := time.AfterFunc(r.opts.StreamIdle, cancel)
	defer idle.Stop()
	first := true
	for st.Receive() {
		idle.Reset(r.opts.StreamIdle)
		if first {
			first = false
			r.status.update(func(s *Status) { s.Live, s.Online = true, true })
			r.loop.poke()
		}
		if st.Msg().GetChanged() != nil {
			r.loop.poke()
		}
	}
	if err := st.Err(); err != nil {
		return err
	}
	return errStreamEnded
}
