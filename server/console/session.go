package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// cookieName holds the session token; the path keeps it to the console.
const cookieName = "ordinator_console"

// seenEvery throttles the last-seen write to one a minute per session.
const seenEvery = time.Minute

// session is a signed-in console user.
type session struct {
	token      string
	userID     string
	deviceID   string
	createdAt  time.Time
	lastSeenAt time.Time
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// csrf is the session's CSRF token: derived from its secret token, so it is
// bound to the session and needs no storage, and tells nothing of the
// token.
func (s *session) csrf() string {
	m := hmac.New(sha256.New, []byte(s.token))
	m.Write([]byte("ordinator console csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Reasons a request has no session, each with its own page.
var (
	errSignedOut = syncengine.Errorf(syncengine.EUNAUTHENTICATED, "you are not signed in to the console")
	errExpired   = syncengine.Errorf(syncengine.EUNAUTHENTICATED, "your console session expired")
)

// openSession keeps a new console session for a device session Login
// opened, and returns its cookie token.
func (c *Console) openSession(ctx context.Context, s *auth.Session) (string, error) {
	token := randomToken()
	now := c.now().UnixMilli()
	err := c.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO console_sessions (token_hash, user_id, device_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`,
			hashToken(token), s.User.ID, s.DeviceID, now)
		return err
	})
	return token, err
}

// findSession returns the live session of a cookie token with its account:
// errSignedOut for no such session (never issued, signed out, revoked),
// errExpired past the idle timeout or the lifetime, which also ends it.
func (c *Console) findSession(ctx context.Context, token string) (*session, auth.User, error) {
	if token == "" {
		return nil, auth.User{}, errSignedOut
	}
	s := &session{token: token}
	var created, seen int64
	err := c.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		return q.QueryRow(ctx, `SELECT user_id, device_id, created_at, last_seen_at FROM console_sessions WHERE token_hash = $1`, hashToken(token)).
			Scan(&s.userID, &s.deviceID, &created, &seen)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, auth.User{}, errSignedOut
	}
	if err != nil {
		return nil, auth.User{}, err
	}
	s.createdAt, s.lastSeenAt = time.UnixMilli(created), time.UnixMilli(seen)
	now := c.now()
	if now.Sub(s.lastSeenAt) > c.cfg.IdleTimeout || now.Sub(s.createdAt) > c.cfg.Lifetime {
		if err := c.endSession(ctx, s.userID, s.deviceID); err != nil {
			return nil, auth.User{}, err
		}
		return nil, auth.User{}, errExpired
	}
	u, err := c.cfg.Accounts.CheckSession(ctx, s.userID, s.deviceID)
	if syncengine.ErrorCode(err) == syncengine.EUNAUTHENTICATED {
		// Revoked elsewhere (the user's devices, an admin) or disabled.
		if err := c.deleteSession(ctx, s.deviceID); err != nil {
			return nil, auth.User{}, err
		}
		return nil, auth.User{}, errSignedOut
	}
	if err != nil {
		return nil, auth.User{}, err
	}
	if now.Sub(s.lastSeenAt) > seenEvery {
		err := c.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE console_sessions SET last_seen_at = $1 WHERE token_hash = $2`, now.UnixMilli(), hashToken(token))
			return err
		})
		if err != nil {
			return nil, auth.User{}, err
		}
	}
	return s, u, nil
}

// endSession signs a session out: its row goes and its device session is
// revoked, so the token is worthless even to a copy of the cookie.
func (c *Console) endSession(ctx context.Context, userID, deviceID string) error {
	err := c.cfg.Accounts.RevokeDevice(ctx, userID, deviceID)
	if err != nil && syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
		return err
	}
	return c.deleteSession(ctx, deviceID)
}

func (c *Console) deleteSession(ctx context.Context, deviceID string) error {
	return c.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE device_id = $1`, deviceID)
		return err
	})
}

// sweepSessions ends sessions past their time, a batch at a time.
func (c *Console) sweepSessions(ctx context.Context) error {
	now := c.now()
	for {
		var ended [][2]string
		err := c.cfg.Store.View(ctx, func(q syncengine.Querier) error {
			rows, err := q.Query(ctx, `SELECT user_id, device_id FROM console_sessions WHERE last_seen_at < $1 OR created_at < $2 LIMIT 100`,
				now.Add(-c.cfg.IdleTimeout).UnixMilli(), now.Add(-c.cfg.Lifetime).UnixMilli())
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var e [2]string
				if err := rows.Scan(&e[0], &e[1]); err != nil {
					return err
				}
				ended = append(ended, e)
			}
			return rows.Err()
		})
		if err != nil || len(ended) == 0 {
			return err
		}
		for _, e := range ended {
			if err := c.endSession(ctx, e[0], e[1]); err != nil {
				return err
			}
		}
	}
}

// setSessionCookie gives the browser its session token: HttpOnly, Lax,
// console-only, Secure over TLS or behind an https public URL; it lasts
// until the browser closes, and the server bounds it besides.
func (q *request) setSessionCookie(token string) {
	http.SetCookie(q.w, &http.Cookie{Name: cookieName, Value: token, Path: Prefix, HttpOnly: true,
		Secure: q.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (q *request) clearSessionCookie() {
	http.SetCookie(q.w, &http.Cookie{Name: cookieName, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true,
		Secure: q.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (q *request) secureCookies() bool { return q.c.cfg.SecureCookies || q.r.TLS != nil }

// loadSession finds the request's session, if any.
func (q *request) loadSession() error {
	var token string
	if ck, err := q.r.Cookie(cookieName); err == nil {
		token = ck.Value
	}
	s, u, err := q.c.findSession(q.r.Context(), token)
	if err != nil {
		if token != "" && syncengine.ErrorCode(err) == syncengine.EUNAUTHENTICATED {
			q.clearSessionCookie()
		}
		return err
	}
	q.sess, q.user, q.p = s, u, auth.Principal(u, s.deviceID)
	q.p.Address = clientHost(q.r)
	q.lang = q.c.language(u.Locale)
	return nil
}

// checkCSRF refuses a change whose token, from the X-CSRF-Token header
// (htmx) or the csrf form field, is not the session's.
func (q *request) checkCSRF() error {
	got := q.r.Header.Get("X-CSRF-Token")
	if got == "" {
		// A body over the page's limit cannot be read to its token: say
		// so, rather than call a real form a forged one.
		var tooBig *http.MaxBytesError
		if err := q.r.ParseMultipartForm(maxFormBytes); errors.As(err, &tooBig) {
			return syncengine.Errorf(syncengine.EINVALID, "the upload is too large: at most %d KiB are accepted here; nothing was changed", tooBig.Limit>>10)
		}
		got = q.r.PostFormValue("csrf")
	}
	if !hmac.Equal([]byte(got), []byte(q.sess.csrf())) {
		return errCSRF
	}
	return nil
}

var errCSRF = syncengine.Errorf(syncengine.EPERMISSION, "the form did not come from this console session (a missing or wrong CSRF token); nothing was changed")
