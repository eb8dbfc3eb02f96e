package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// errAccountDisabled refuses the calls and streams of a disabled account.
var errAccountDisabled = syncengine.Errorf(syncengine.EUNAUTHENTICATED, "this account is disabled")

// seenEvery throttles the last-seen update of a device to one write a minute.
const seenEvery = time.Minute

// Authenticate implements rpc.Authenticator: it checks the bearer token's
// signature, then loads the account and the device session, so a revoked
// device (told to wipe, even with an expired token), a disabled account or a
// changed role take effect on the very next call.
func (s *Service) Authenticate(ctx context.Context, _ string, h http.Header) (syncengine.Principal, error) {
	token, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "sign in first: no access token")
	}
	claims, err := s.parseAccess(token)
	expired := errors.Is(err, errExpired)
	if err != nil && !expired {
		return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "invalid access token")
	}
	var u User
	var revoked, seen, gen int64
	var used bool
	err = s.store.View(ctx, func(q syncengine.Querier) error {
		err := q.QueryRow(ctx, `SELECT revoked_at, last_seen_at, refresh_gen, refresh_used FROM devices WHERE id = $1 AND user_id = $2`,
			claims.DeviceID, claims.Subject).Scan(&revoked, &seen, &gen, &used)
		if err != nil {
			return err
		}
		u, err = FindUser(ctx, q, claims.Subject)
		return err
	})
	switch {
	case errors.Is(err, sql.ErrNoRows) || syncengine.ErrorCode(err) == syncengine.ENOTFOUND:
		return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "unknown session; sign in again")
	case err != nil:
		return syncengine.Principal{}, err
	case revoked != 0:
		return syncengine.Principal{}, &RevokedError{DeviceID: claims.DeviceID}
	case expired:
		return syncengine.Principal{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "access token expired; refresh it")
	case u.Disabled:
		return syncengine.Principal{}, errAccountDisabled
	}
	// The first call with an access token of the current refresh generation
	// marks that refresh token used, so its predecessor can no longer be
	// retried (see Refresh). The mark is part of the call's authentication:
	// if it cannot be written, the call fails rather than weaken the check.
	now := s.now()
	switch {
	case claims.Gen == gen && !used:
		if err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE devices SET refresh_used = TRUE, last_seen_at = $1 WHERE id = $2 AND refresh_gen = $3`,
				now.UnixMilli(), claims.DeviceID, gen)
			return err
		}); err != nil {
			return syncengine.Principal{}, err
		}
	case now.Sub(time.UnixMilli(seen)) > seenEvery:
		if err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE devices SET last_seen_at = $1 WHERE id = $2`, now.UnixMilli(), claims.DeviceID)
			return err
		}); err != nil {
			s.log.Warn("recording last seen", "device", claims.DeviceID, "err", err)
		}
	}
	return Principal(u, claims.DeviceID), nil
}

// Principal returns the principal of a user on a device.
func Principal(u User, deviceID string) syncengine.Principal {
	return syncengine.Principal{UserID: u.ID, DeviceID: deviceID, Claims: Claims{
		Role: u.Role, DeviceID: deviceID, Name: u.Name, Verified: u.Verified, Specialty: u.Specialty, RegionID: u.RegionID,
	}}
}
