package auth

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Tokens are a session's credentials.
type Tokens struct {
	Access           string
	AccessExpiresAt  time.Time
	Refresh          string
	RefreshExpiresAt time.Time
}

// Session is what a login returns.
type Session struct {
	Tokens
	DeviceID string
	User     User
}

// LoginInput is a login attempt.
type LoginInput struct {
	Login    string // e-mail or phone
	Password string
	Device   string
	Platform string
	Address  string // the caller's network address, for rate limiting
	// Roles, if set, are the only roles this sign-in is for (the web
	// console's staff): anyone else with the right password gets an
	// EPERMISSION error naming them, and no session.
	Roles []Role
}

// WrongRoleError refuses a correct password of an account whose role the
// sign-in is not for.
type WrongRoleError struct {
	Role    Role
	Allowed []Role
}

func (e *WrongRoleError) Error() string {
	names := make([]string, len(e.Allowed))
	for i, r := range e.Allowed {
		names[i] = string(r)
	}
	return "this sign-in is for " + strings.Join(names, " and ") + " accounts, not " + string(e.Role) + " accounts"
}

// Unwrap gives the error its code.
func (e *WrongRoleError) Unwrap() error {
	return syncengine.Errorf(syncengine.EPERMISSION, "%s", e.Error())
}

// RevokedError says a device session was ended: the device must delete its
// replica. It carries a DeviceRevoked detail for the client.
type RevokedError struct{ DeviceID string }

func (e *RevokedError) Error() string {
	return "this device was signed out; its local data must be deleted"
}

// Unwrap gives the error its code.
func (e *RevokedError) Unwrap() error {
	return syncengine.Errorf(syncengine.EUNAUTHENTICATED, "%s", e.Error())
}

// ErrorDetails implements rpc.Detailer.
func (e *RevokedError) ErrorDetails() []proto.Message {
	return []proto.Message{&syncv1.DeviceRevoked{DeviceId: e.DeviceID}}
}

var errBadLogin = syncengine.Errorf(syncengine.EUNAUTHENTICATED, "wrong login or password")

// dummyHash is checked when the login names no account, so that a missing
// account takes as long to refuse as a wrong password.
var dummyHash, _ = HashPassword("not a password of anyone", DefaultArgon2)

// normalizeLogin turns an e-mail or phone into the column and value to
// look the account up by.
func normalizeLogin(login string) (col, val string, ok bool) {
	if strings.Contains(login, "@") {
		v, ok := NormalizeEmail(login)
		return "email", v, ok
	}
	v, ok := NormalizePhone(login)
	return "phone", v, ok
}

// Login checks a password and opens a session on a new device. Failed
// attempts are counted per account and per address; past a few, each
// further one doubles the wait before the next is even checked.
func (s *Service) Login(ctx context.Context, in LoginInput) (*Session, error) {
	col, login, ok := normalizeLogin(in.Login)
	if !ok {
		return nil, syncengine.Invalid("cannot sign in", syncengine.Violation{Field: "login", Description: "must be an e-mail address or a phone number"})
	}
	acct, addr := s.accountKey(login), s.addressKey(in.Address)
	var user User
	var hash string
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		if err := s.checkBlocked(ctx, q, acct); err != nil {
			return err
		}
		if err := s.checkBlocked(ctx, q, addr); err != nil {
			return err
		}
		row := q.QueryRow(ctx, `SELECT password_hash, `+userColumns+` FROM users WHERE `+col+` = $1`, login)
		var u User
		var role string
		err := row.Scan(&hash, &u.ID, &role, &u.Email, &u.Phone, &u.Name, &u.Specialty, &u.RegionID,
			&u.Verified, &u.DiplomaMedia, &u.DiplomaStatus, &u.DiplomaReason, &u.Locale, &u.TimeZone, &u.Disabled, &u.CreatedAt)
		u.Role = Role(role)
		user = u
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// The slow hash runs outside any transaction, a few at a time.
	good := false
	if user.ID == "" {
		hash = dummyHash
	}
	if err := s.passwordSlot(ctx); err != nil {
		return nil, err
	}
	good, err = CheckPassword(in.Password, hash)
	s.passwords.Release(1)
	if err != nil {
		return nil, err
	}
	good = good && user.ID != ""
	if !good || user.Disabled {
		err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			if err := s.recordFailure(ctx, tx, acct, s.cfg.AccountFailures); err != nil {
				return err
			}
			return s.recordFailure(ctx, tx, addr, s.cfg.AddressFailures)
		})
		if err != nil {
			return nil, err
		}
		if good && user.Disabled {
			return nil, syncengine.Errorf(syncengine.EPERMISSION, "this account is disabled")
		}
		return nil, errBadLogin
	}
	sess := &Session{User: user}
	wrongRole := len(in.Roles) > 0 && !slices.Contains(in.Roles, user.Role)
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		if err := s.clearFailures(ctx, tx, acct); err != nil {
			return err
		}
		if wrongRole {
			return nil
		}
		var err error
		sess.DeviceID, sess.Tokens, err = s.openSession(ctx, tx, user.ID, in.Device, in.Platform)
		return err
	})
	if err != nil {
		return nil, err
	}
	if wrongRole {
		return nil, &WrongRoleError{Role: user.Role, Allowed: in.Roles}
	}
	return sess, nil
}

// CheckSession returns the account of a device session that is still
// valid: not revoked (a RevokedError otherwise), of an account that exists
// and is not disabled. It is what Authenticate checks of a session, for
// callers that hold the session's id rather than a token (the web console).
func (s *Service) CheckSession(ctx context.Context, userID, deviceID string) (User, error) {
	var u User
	var revoked int64
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		err := q.QueryRow(ctx, `SELECT revoked_at FROM devices WHERE id = $1 AND user_id = $2`, deviceID, userID).Scan(&revoked)
		if err != nil {
			return err
		}
		u, err = FindUser(ctx, q, userID)
		return err
	})
	switch {
	case errors.Is(err, sql.ErrNoRows) || syncengine.ErrorCode(err) == syncengine.ENOTFOUND:
		return User{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "unknown session; sign in again")
	case err != nil:
		return User{}, err
	case revoked != 0:
		return User{}, &RevokedError{DeviceID: deviceID}
	case u.Disabled:
		return User{}, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "this account is disabled")
	}
	return u, nil
}

func cleanDeviceField(s string, max int, def string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return def
	}
	if r := []rune(s); len(r) > max {
		s = string(r[:max])
	}
	return s
}

// openSession creates a device session for a user, at refresh generation 0.
func (s *Service) openSession(ctx context.Context, tx syncengine.Tx, userID, name, platform string) (string, Tokens, error) {
	now := s.now()
	deviceID := uuid.NewString()
	t := Tokens{Refresh: s.refreshToken(deviceID, 0), RefreshExpiresAt: now.Add(s.cfg.RefreshTTL)}
	_, err := tx.Exec(ctx, `INSERT INTO devices (id, user_id, name, platform, refresh_hash, refresh_expires_at, created_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
		deviceID, userID, cleanDeviceField(name, 100, "unnamed device"), cleanDeviceField(platform, 20, "unknown"), hashToken(t.Refresh), t.RefreshExpiresAt.UnixMilli(), now.UnixMilli())
	if err != nil {
		return "", Tokens{}, err
	}
	t.Access, t.AccessExpiresAt, err = s.signAccess(userID, deviceID, 0, now)
	return deviceID, t, err
}

// Device is a session as its user sees it.
type Device struct {
	ID         string
	Name       string
	Platform   string
	CreatedAt  time.Time
	LastSeenAt time.Time
	Revoked    bool
}

// ListDevices lists a user's sessions, newest first.
func (s *Service) ListDevices(ctx context.Context, userID string) ([]Device, error) {
	var out []Device
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT id, name, platform, created_at, last_seen_at, revoked_at FROM devices WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (d Device, err error) {
			var created, seen, revoked int64
			err = r.Scan(&d.ID, &d.Name, &d.Platform, &created, &seen, &revoked)
			d.CreatedAt, d.LastSeenAt, d.Revoked = time.UnixMilli(created), time.UnixMilli(seen), revoked != 0
			return d, err
		})
		return err
	})
	return out, err
}

// RevokeDevice ends one of a user's sessions.
func (s *Service) RevokeDevice(ctx context.Context, userID, deviceID string) error {
	return s.store.Update(ctx, func(tx syncengine.Tx) error {
		var owner string
		err := tx.QueryRow(ctx, `SELECT user_id FROM devices WHERE id = $1`, deviceID).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != userID) {
			return syncengine.Errorf(syncengine.ENOTFOUND, "you have no device %s", deviceID)
		}
		if err != nil {
			return err
		}
		return s.revoke(ctx, tx, deviceID)
	})
}

func (s *Service) revoke(ctx context.Context, tx syncengine.Tx, deviceID string) error {
	if _, err := tx.Exec(ctx, `UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at = 0`, s.now().UnixMilli(), deviceID); err != nil {
		return err
	}
	for _, f := range s.cfg.OnRevoke {
		if err := f(ctx, tx, deviceID); err != nil {
			return err
		}
	}
	return nil
}
