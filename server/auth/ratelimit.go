package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// maxDelay caps how long repeated failures lock a login out.
const maxDelay = 15 * time.Minute

// delay is how long to refuse logins after n failures when allowed are
// free: one second after the first extra failure, doubling each time.
func delay(n, allowed int) time.Duration {
	if n < allowed {
		return 0
	}
	d := time.Duration(math.Pow(2, float64(min(n-allowed, 20)))) * time.Second
	return min(d, maxDelay)
}

// checkBlocked returns an ERATELIMIT error if key is blocked now.
func (s *Service) checkBlocked(ctx context.Context, q syncengine.Querier, key string) error {
	var until int64
	err := q.QueryRow(ctx, `SELECT blocked_until FROM login_failures WHERE key = $1`, key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if wait := time.UnixMilli(until).Sub(s.now()); wait > 0 {
		return syncengine.Errorf(syncengine.ERATELIMIT, "too many failed sign-ins; try again in %s", wait.Round(time.Second).String())
	}
	return nil
}

// recordFailure counts a failed login against key and blocks it when the
// count passes allowed.
func (s *Service) recordFailure(ctx context.Context, tx syncengine.Tx, key string, allowed int) error {
	now := s.now()
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO login_failures (key, failures, blocked_until, updated_at) VALUES ($1, 1, 0, $2)
		ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures + 1, updated_at = excluded.updated_at
		RETURNING failures`, key, now.UnixMilli()).Scan(&n)
	if err != nil {
		return err
	}
	if d := delay(int(n), allowed); d > 0 {
		_, err = tx.Exec(ctx, `UPDATE login_failures SET blocked_until = $2 WHERE key = $1`, key, now.Add(d).UnixMilli())
	}
	return err
}

func (s *Service) clearFailures(ctx context.Context, tx syncengine.Tx, key string) error {
	_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return err
}

func accountKey(login string) string { return "account:" + login }
func addressKey(addr string) string  { return fmt.Sprintf("address:%s", addr) }
