package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"math"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// maxDelay caps how long repeated failures lock a login out.
const maxDelay = 15 * time.Minute

// registrationWindow is how long an address must make no registration
// attempt before its count starts over.
const registrationWindow = time.Hour

// delay is how long to refuse logins after n failures when allowed are
// free: one second after the first extra failure, doubling each time.
func delay(n, allowed int) time.Duration {
	if n < allowed {
		return 0
	}
	d := time.Duration(math.Pow(2, float64(min(n-allowed, 20)))) * time.Second
	return min(d, maxDelay)
}

// tooMany is the refusal while a key is blocked. The wait is rounded up to
// whole seconds: a refusal never says to try again in 0s.
func tooMany(what string, wait time.Duration) error {
	wait = max((wait + time.Second - 1).Truncate(time.Second), time.Second)
	return syncengine.Errorf(syncengine.ERATELIMIT, "too many %s; try again in %s", what, wait)
}

// checkBlocked returns an ERATELIMIT error if key is blocked now.
func (s *Service) checkBlocked(ctx context.Context, q syncengine.Querier, key string) error {
	wait, err := s.blockedFor(ctx, q, key)
	if err != nil || wait <= 0 {
		return err
	}
	return tooMany("failed sign-ins", wait)
}

// blockedFor returns how long key stays blocked, 0 if it is not.
func (s *Service) blockedFor(ctx context.Context, q syncengine.Querier, key string) (time.Duration, error) {
	var until int64
	err := q.QueryRow(ctx, `SELECT blocked_until FROM login_failures WHERE key = $1`, key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return max(time.UnixMilli(until).Sub(s.now()), 0), nil
}

// countAttempt counts an attempt against key and blocks the key when the
// count reaches allowed; with a window, a count whose last attempt is older
// starts over. While key is blocked nothing is counted and it returns how
// long the block lasts. The count and the check are one statement, so a
// burst of concurrent attempts cannot all slip past an unblocked key.
func (s *Service) countAttempt(ctx context.Context, tx syncengine.Tx, key string, allowed int, window time.Duration) (time.Duration, error) {
	now := s.now()
	stale := int64(0) // no window: counts never start over
	if window > 0 {
		stale = now.Add(-window).UnixMilli()
	}
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO login_failures (key, failures, blocked_until, updated_at) VALUES ($1, 1, 0, $2)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_failures.updated_at < $3 THEN 1 ELSE login_failures.failures + 1 END,
			updated_at = excluded.updated_at
		WHERE login_failures.blocked_until <= $2
		RETURNING failures`, key, now.UnixMilli(), stale).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return s.blockedFor(ctx, tx, key)
	}
	if err != nil {
		return 0, err
	}
	if d := delay(int(n), allowed); d > 0 {
		_, err = tx.Exec(ctx, `UPDATE login_failures SET blocked_until = $2 WHERE key = $1`, key, now.Add(d).UnixMilli())
	}
	return 0, err
}

// recordFailure counts a failed login against key and blocks it when the
// count passes allowed. A failure racing with the block that another one
// just set is not counted, as if it had arrived a moment later.
func (s *Service) recordFailure(ctx context.Context, tx syncengine.Tx, key string, allowed int) error {
	_, err := s.countAttempt(ctx, tx, key, allowed, 0)
	return err
}

// countRegistration counts a registration attempt from an address, or
// refuses it while the address is blocked.
func (s *Service) countRegistration(ctx context.Context, tx syncengine.Tx, addr string) error {
	wait, err := s.countAttempt(ctx, tx, s.registrationKey(addr), s.cfg.AddressRegistrations, registrationWindow)
	if err != nil || wait <= 0 {
		return err
	}
	return tooMany("registrations from this address", wait)
}

func (s *Service) clearFailures(ctx context.Context, tx syncengine.Tx, key string) error {
	_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return err
}

// limitKey is the login_failures key of a counter: its kind and an HMAC
// of the login or address under the stack's own secret, so the table (and
// anything that reads it) holds no e-mail, phone or address in clear, and
// a login tried on a stack it does not belong to leaves nothing readable.
func (s *Service) limitKey(kind, value string) string {
	m := hmac.New(sha256.New, s.failureKey)
	m.Write([]byte(kind + "\x00" + value))
	return kind + ":" + hex.EncodeToString(m.Sum(nil)[:16])
}

func (s *Service) accountKey(login string) string     { return s.limitKey("account", login) }
func (s *Service) addressKey(addr string) string      { return s.limitKey("address", addr) }
func (s *Service) registrationKey(addr string) string { return s.limitKey("register", addr) }
