package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Attempts bounds how often a transaction runs before the caller is told
// the server is busy; the pauses between attempts double from RetryPause
// up to MaxRetryPause, each shortened at random by up to half so that
// writers that collided once do not collide again in step. A caller waits
// at most about 1.6 s in all before being told.
const (
	Attempts      = 10
	RetryPause    = 5 * time.Millisecond
	MaxRetryPause = 500 * time.Millisecond
)

// Busy is the answer once every attempt failed because of other writers or
// a passing fault: the user may simply try again.
var Busy = syncengine.Errorf(syncengine.EUNAVAILABLE, "the server is busy; try again")

// Retry runs attempt until it succeeds, fails for a reason running it again
// cannot cure (retryable says which), or has run Attempts times; then it
// returns Busy joined with the last failure, which a log shows and a user
// never sees. A coded error is the domain's answer and is never retried.
// attempt must start afresh every time: a new transaction, nothing kept
// from the one before.
func Retry(ctx context.Context, retryable func(error) bool, attempt func() error) error {
	pause := RetryPause
	for n := 1; ; n++ {
		err := attempt()
		var coded *syncengine.Error
		if err == nil || errors.As(err, &coded) || !retryable(err) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if n == Attempts {
			return fmt.Errorf("%w: %d attempts, the last: %w", Busy, n, err)
		}
		wait := pause/2 + rand.N(pause/2+1)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		pause = min(2*pause, MaxRetryPause)
	}
}
