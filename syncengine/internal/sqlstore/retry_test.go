package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

var (
	errRace  = errors.New("a concurrent writer got there first")
	errBroke = errors.New("a bug")
)

func TestRetry(t *testing.T) {
	conflict := syncengine.Errorf(syncengine.ECONFLICT, "the e-mail is taken")
	tests := []struct {
		name     string
		failures []error // what the attempts return, in turn; nil after them
		calls    int
		want     func(error) bool
	}{
		{"succeeds at once", nil, 1, func(err error) bool { return err == nil }},
		{"a race, then success", []error{errRace, errRace}, 3, func(err error) bool { return err == nil }},
		{"a race, then the domain's answer", []error{errRace, conflict}, 2, func(err error) bool { return err == conflict }},
		{"a failure no rerun cures", []error{errBroke}, 1, func(err error) bool { return err == errBroke }},
		{"a domain answer is never retried", []error{syncengine.Errorf(syncengine.EUNAVAILABLE, "down")}, 1, func(err error) bool {
			return syncengine.ErrorMessage(err) == "down"
		}},
		{"races every time", repeat(errRace, sqlstore.Attempts+3), sqlstore.Attempts, func(err error) bool {
			return syncengine.ErrorCode(err) == syncengine.EUNAVAILABLE && syncengine.ErrorMessage(err) == "the server is busy; try again" &&
				errors.Is(err, errRace)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := sqlstore.Retry(context.Background(), func(err error) bool {
				return errors.Is(err, errRace) || syncengine.ErrorCode(err) == syncengine.EUNAVAILABLE
			}, func() error {
				calls++
				if calls <= len(tc.failures) {
					return tc.failures[calls-1]
				}
				return nil
			})
			if calls != tc.calls || !tc.want(err) {
				t.Fatalf("%d attempts ending in %v; want %d", calls, err, tc.calls)
			}
		})
	}
}

// TestRetryStopsWithTheCaller: a caller that gives up is not kept waiting
// through the remaining attempts.
func TestRetryStopsWithTheCaller(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := sqlstore.Retry(ctx, func(error) bool { return true }, func() error {
		calls++
		if calls == 2 {
			cancel()
		}
		return errRace
	})
	if !errors.Is(err, context.Canceled) || calls != 2 {
		t.Fatalf("%d attempts ending in %v", calls, err)
	}
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}
