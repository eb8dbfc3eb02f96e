package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Watch implements syncengine.Store: it LISTENs on a dedicated connection and
// reports every commit's buckets, from this process and any other. Each
// time it starts listening (first, and after a lost connection, when
// notifications sent meanwhile are gone) it reports nil. A failure to
// connect or listen is logged, since live subscriptions hear nothing until
// it listens again, and retried with a growing pause.
func (s *Store) Watch(ctx context.Context, fn func([]syncengine.Bucket)) error {
	backoff := 100 * time.Millisecond
	failed := false
	for {
		err := s.listen(ctx, fn, func() {
			if failed {
				s.log.Info("listening for commits again", "channel", Channel)
			}
			backoff, failed = 100*time.Millisecond, false
			fn(nil)
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Warn("listening for commits failed: live subscriptions wait for it to listen again", "channel", Channel, "retry_in", backoff, "err", err)
		failed = true
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (s *Store) listen(ctx context.Context, fn func([]syncengine.Bucket), connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.direct.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	connected()
	// drained has no time to wait: it takes what pgx has already
	// received, without touching the connection.
	drained, cancel := context.WithCancel(ctx)
	cancel()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if s.replica == nil {
			fn(parseBuckets(n.Payload))
			continue
		}
		// Every notification received so far was sent by a commit
		// before the WAL position replayedHere reads, so one wait
		// serves them all.
		batch := []*pgconn.Notification{n}
		for {
			more, err := conn.WaitForNotification(drained)
			if err != nil {
				break
			}
			batch = append(batch, more)
		}
		if err := s.replica.replayedHere(ctx, conn); err != nil {
			return err
		}
		for _, n := range batch {
			fn(parseBuckets(n.Payload))
		}
	}
}

func parseBuckets(payload string) []syncengine.Bucket {
	parts := strings.Split(payload, "\n")
	out := make([]syncengine.Bucket, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			out = append(out, syncengine.Bucket(p))
		}
	}
	return out
}
