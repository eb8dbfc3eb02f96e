package auth

import (
	"context"
	"database/sql"
	"errors"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The account tasks of admins beyond creating and assigning: the console's
// People page and `ordinator admin` call these, as the AdminService RPCs do.

// checkUserFilter refuses a ListUsers filter naming a role or a region
// that does not exist, rather than answering an empty list.
func (s *Service) checkUserFilter(ctx context.Context, role Role, region string) error {
	if role != "" && !role.Valid() {
		return syncengine.Invalid("unknown role", syncengine.Violation{Field: "role", Description: "must be doctor, rep, director, moderator or admin"})
	}
	if region == "" {
		return nil
	}
	return s.store.View(ctx, func(q syncengine.Querier) error {
		ok, err := exists(ctx, q, `SELECT count(*) FROM regions WHERE id = $1`, region)
		if err == nil && !ok {
			err = syncengine.Invalid("unknown region", syncengine.Violation{Field: "region_id", Description: "no region " + region})
		}
		return err
	})
}

// SetUserDisabled disables an account or enables it again; only admins
// may, and not their own. Disabled, the account cannot sign in, its
// devices are refused from their next call on (Authenticate reloads the
// account every time) and their refresh tokens no longer work; it reads no
// bucket, so whatever it showed elsewhere (a territory's reps) is rewritten.
// Its devices keep their replicas, for when it is enabled again.
func (s *Service) SetUserDisabled(ctx context.Context, p syncengine.Principal, userID string, disabled bool) (User, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return User{}, err
	}
	if userID == p.UserID && disabled {
		return User{}, syncengine.Errorf(syncengine.EPRECONDITION, "you cannot disable your own account")
	}
	var out User
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Disabled == disabled {
			out = u
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3`, disabled, tx.Now().UnixMilli(), userID); err != nil {
			return err
		}
		action := "user.enabled"
		if disabled {
			action = "user.disabled"
		}
		if err := accountAudit.Record(ctx, tx, p, action, userID, string(u.Role)); err != nil {
			return err
		}
		territories, err := RepTerritories(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := s.syncAccount(ctx, tx, userID, territories...); err != nil {
			return err
		}
		out, err = FindUser(ctx, tx, userID)
		return err
	})
	return out, err
}

// ResetPassword sets an account's password and ends every session of it
// (its devices wipe their replicas at their next sync, and must sign in
// with the new password); only admins may. It returns how many sessions it
// ended. Failed sign-ins counted against the account are forgotten.
func (s *Service) ResetPassword(ctx context.Context, p syncengine.Principal, userID, password string) (int, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return 0, err
	}
	if d := passwordProblem(password); d != "" {
		return 0, syncengine.Invalid("the password cannot be used", syncengine.Violation{Field: "password", Description: d})
	}
	hash, err := HashPassword(password, s.cfg.Argon2)
	if err != nil {
		return 0, err
	}
	var ended int
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		ended = 0
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, tx.Now().UnixMilli(), userID); err != nil {
			return err
		}
		for _, login := range []string{u.Email, u.Phone} {
			if login != "" {
				if err := s.clearFailures(ctx, tx, s.accountKey(login)); err != nil {
					return err
				}
			}
		}
		devices, err := sqlq.Strings(ctx, tx, `SELECT id FROM devices WHERE user_id = $1 AND revoked_at = 0`, userID)
		if err != nil {
			return err
		}
		for _, d := range devices {
			if err := s.revoke(ctx, tx, d); err != nil {
				return err
			}
		}
		ended = len(devices)
		return accountAudit.Record(ctx, tx, p, "password.reset", userID, "")
	})
	return ended, err
}

// ListUserDevices lists any account's device sessions, newest first; only
// admins may.
func (s *Service) ListUserDevices(ctx context.Context, p syncengine.Principal, userID string) ([]Device, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return nil, err
	}
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		_, err := FindUser(ctx, q, userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.ListDevices(ctx, userID)
}

// RevokeUserDevice ends a device session of any account, which wipes the
// device at its next sync; only admins may. It returns the account whose
// device it was. Revoking a device already revoked changes nothing.
func (s *Service) RevokeUserDevice(ctx context.Context, p syncengine.Principal, deviceID string) (string, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return "", err
	}
	var owner string
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		var revoked int64
		err := tx.QueryRow(ctx, `SELECT user_id, revoked_at FROM devices WHERE id = $1`, deviceID).Scan(&owner, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return syncengine.Errorf(syncengine.ENOTFOUND, "no device %s", deviceID)
		}
		if err != nil {
			return err
		}
		if revoked != 0 {
			return nil
		}
		if err := s.revoke(ctx, tx, deviceID); err != nil {
			return err
		}
		return accountAudit.Record(ctx, tx, p, "device.revoked", owner, deviceID)
	})
	return owner, err
}
