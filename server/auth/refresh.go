package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// refreshState is a device session's refresh state, read under its row
// lock.
type refreshState struct {
	id, userID string
	gen        int64 // the current refresh token's generation
	used       bool  // the current token was used
	expires    int64 // the current token's expiry, ms
	revoked    int64
	disabled   bool // the account is disabled
}

// lockSession reads the session whose row matches cond, taking the row's
// lock: a no-op update is a portable SELECT ... FOR UPDATE, and under
// PostgreSQL's READ COMMITTED it re-checks cond against the latest committed
// row, so two refreshes of one session take turns and the second sees what
// the first did. SQLite runs one writer at a time anyway. It returns nil
// when no row matches.
func lockSession(ctx context.Context, tx syncengine.Tx, cond string, arg any) (*refreshState, error) {
	var d refreshState
	err := tx.QueryRow(ctx, `UPDATE devices SET refresh_gen = refresh_gen WHERE `+cond+`
		RETURNING id, user_id, refresh_gen, refresh_used, refresh_expires_at, revoked_at`, arg).
		Scan(&d.id, &d.userID, &d.gen, &d.used, &d.expires, &d.revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := tx.QueryRow(ctx, `SELECT disabled FROM users WHERE id = $1`, d.userID).Scan(&d.disabled); err != nil {
		return nil, err
	}
	return &d, nil
}

var (
	errUnknownRefresh = syncengine.Errorf(syncengine.EUNAUTHENTICATED, "unknown refresh token; sign in again")
	errSessionExpired = syncengine.Errorf(syncengine.EUNAUTHENTICATED, "the session has expired; sign in again")
	errDisabled       = syncengine.Errorf(syncengine.EPERMISSION, "this account is disabled")
)

// Refresh trades a refresh token for new tokens. A device session's refresh
// token rotates at every Refresh: generation n is replaced by n+1, and n
// becomes the previous token. Refresh is safe to retry, because an answer
// can be lost after the rotation committed (a dropped connection, an app
// killed mid-call, a server restarted between commit and reply) and the
// device then holds only the previous token:
//
//   - the current token rotates;
//   - the previous token, while its successor is unused, gets the same
//     successor again (recomputed, see refreshToken) with a new access
//     token: any number of retries, in any order, end with one token;
//   - the previous token once its successor was used, or any older token of
//     the session, can only be a copy someone else kept: the session is
//     revoked and the device told to wipe.
//
// A successor is used once it is presented to Refresh itself (it is then the
// previous token) or once an access token issued with it authenticates a
// call (Authenticate marks it): a device that holds the successor has
// received the answer, and it keeps the successor durably before it uses
// the access token, so it never needs the previous token again.
func (s *Service) Refresh(ctx context.Context, token string) (*Tokens, error) {
	var out *Tokens
	var refused error
	hash := hashToken(token)
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		out, refused = nil, nil
		now := s.now()
		d, err := lockSession(ctx, tx, `refresh_hash = $1`, hash)
		if err != nil {
			return err
		}
		if d != nil {
			if refused = d.refusal(now); refused != nil {
				return nil
			}
			out, err = s.rotate(ctx, tx, d, hash, now)
			return err
		}
		d, err = lockSession(ctx, tx, `prev_refresh_hash = $1 AND prev_refresh_hash <> ''`, hash)
		if err != nil {
			return err
		}
		if d != nil && !d.used {
			if refused = d.refusal(now); refused != nil {
				return nil
			}
			// The answer of the last rotation was lost: give it again.
			out, err = s.issue(d, now)
			return err
		}
		if d == nil {
			if id, gen, ok := s.parseRefresh(token); ok {
				if d, err = lockSession(ctx, tx, `id = $1`, id); err != nil {
					return err
				}
				if d != nil && gen >= d.gen {
					d = nil // not a retired token of the session (cannot happen without the key)
				}
			}
		}
		if d == nil {
			refused = errUnknownRefresh
			return nil
		}
		// A retired token whose successor was used: someone else has it.
		refused = &RevokedError{DeviceID: d.id}
		if d.revoked != 0 {
			return nil
		}
		s.log.Warn("retired refresh token reused; revoking the device", "device", d.id)
		return s.revoke(ctx, tx, d.id)
	})
	if err != nil {
		return nil, err
	}
	return out, refused
}

// refusal is the error for a session that cannot be refreshed, if any.
func (d *refreshState) refusal(now time.Time) error {
	switch {
	case d.revoked != 0:
		return &RevokedError{DeviceID: d.id}
	case now.UnixMilli() >= d.expires:
		return errSessionExpired
	case d.disabled:
		return errDisabled
	}
	return nil
}

// rotate replaces the current token (hash) by the next generation's.
func (s *Service) rotate(ctx context.Context, tx syncengine.Tx, d *refreshState, hash string, now time.Time) (*Tokens, error) {
	d.gen++
	d.expires = now.Add(s.cfg.RefreshTTL).UnixMilli()
	if _, err := tx.Exec(ctx, `UPDATE devices SET refresh_hash = $1, prev_refresh_hash = $2, refresh_gen = $3, refresh_used = FALSE,
		refresh_expires_at = $4, last_seen_at = $5 WHERE id = $6`,
		hashToken(s.refreshToken(d.id, d.gen)), hash, d.gen, d.expires, now.UnixMilli(), d.id); err != nil {
		return nil, err
	}
	return s.issue(d, now)
}

// issue returns the session's current refresh token and a new access token.
func (s *Service) issue(d *refreshState, now time.Time) (*Tokens, error) {
	t := &Tokens{Refresh: s.refreshToken(d.id, d.gen), RefreshExpiresAt: time.UnixMilli(d.expires)}
	var err error
	t.Access, t.AccessExpiresAt, err = s.signAccess(d.userID, d.id, d.gen, now)
	return t, err
}
