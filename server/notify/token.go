package notify

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Token is a device's FCM registration with what the device says of itself.
type Token struct {
	Token    string
	Platform string // android, ios or web
	Locale   string // BCP 47 tag of the device, e.g. ru-RU
	TimeZone string // IANA name, e.g. Asia/Yekaterinburg
}

// Platforms a token may be registered for.
var Platforms = []string{"android", "ios", "web"}

var (
	// FCM registration tokens are long runs of URL-safe base64 with colons.
	tokenPattern  = regexp.MustCompile(`^[A-Za-z0-9_:\-]+$`)
	localePattern = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$`)
)

// LoadZone returns the location of an IANA time zone name; "" and "Local"
// (which means the server's zone) are not names a device may give.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, errors.New("not a time zone")
	}
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}

// zones caches loaded locations: loading one parses the zone database.
var zones sync.Map

func (t Token) validate() (Token, error) {
	var v []syncengine.Violation
	t.Token = strings.TrimSpace(t.Token)
	if len(t.Token) < 32 || len(t.Token) > 4096 || !tokenPattern.MatchString(t.Token) {
		v = append(v, syncengine.Violation{Field: "token", Description: "is not an FCM registration token (32 to 4096 letters, digits, '-', '_' and ':')"})
	}
	found := false
	for _, p := range Platforms {
		found = found || t.Platform == p
	}
	if !found {
		v = append(v, syncengine.Violation{Field: "platform", Description: "must be android, ios or web"})
	}
	if !localePattern.MatchString(t.Locale) {
		v = append(v, syncengine.Violation{Field: "locale", Description: "must be a language tag such as ru-RU or en"})
	}
	if _, err := LoadZone(t.TimeZone); err != nil {
		v = append(v, syncengine.Violation{Field: "time_zone", Description: "is not a known time zone (an IANA name such as Europe/Moscow)"})
	}
	if len(v) > 0 {
		return t, syncengine.Invalid("the push token cannot be registered", v...)
	}
	return t, nil
}

// RegisterToken records the FCM token of the principal's device, replacing
// any token the device had; a token registered before by another device
// (the app signed in again) moves to this one.
func (s *Service) RegisterToken(ctx context.Context, p syncengine.Principal, t Token) error {
	if p.UserID == "" || p.DeviceID == "" {
		return syncengine.Errorf(syncengine.EUNAUTHENTICATED, "sign in on the device first")
	}
	t, err := t.validate()
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx syncengine.Tx) error {
		// Touching the session's row locks it: a revocation either
		// committed before (nothing matches) or waits for this transaction
		// and then deletes the token written here. No token outlives its
		// session, so senders need not check sessions.
		live, err := tx.Exec(ctx, `UPDATE devices SET last_seen_at = last_seen_at WHERE id = $1 AND user_id = $2 AND revoked_at = 0`, p.DeviceID, p.UserID)
		if err != nil {
			return err
		}
		if live == 0 {
			return syncengine.Errorf(syncengine.EUNAUTHENTICATED, "this device session has ended; sign in again")
		}
		now := tx.Now().UnixMilli()
		if _, err := tx.Exec(ctx, `DELETE FROM push_tokens WHERE device_id = $1 AND token <> $2`, p.DeviceID, t.Token); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO push_tokens (token, user_id, device_id, platform, locale, time_zone, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
			ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, device_id = excluded.device_id, platform = excluded.platform,
				locale = excluded.locale, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
			t.Token, p.UserID, p.DeviceID, t.Platform, t.Locale, t.TimeZone, now)
		return err
	})
}

// UnregisterToken removes the token of the principal's device.
func (s *Service) UnregisterToken(ctx context.Context, p syncengine.Principal) error {
	if p.UserID == "" || p.DeviceID == "" {
		return syncengine.Errorf(syncengine.EUNAUTHENTICATED, "sign in on the device first")
	}
	return s.store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM push_tokens WHERE device_id = $1 AND user_id = $2`, p.DeviceID, p.UserID)
		return err
	})
}

// DeviceRevoked drops what belongs to a device session that ended: its
// push token and its live-stream presence. It runs in the revoking
// transaction (auth.Config.OnRevoke).
func DeviceRevoked(ctx context.Context, tx syncengine.Tx, deviceID string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM push_tokens WHERE device_id = $1`, deviceID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM live_streams WHERE device_id = $1`, deviceID)
	return err
}

// UserZones returns the time zone of each user: that of the device they
// registered a token from most recently, else the one on their account,
// else their region's, else UTC.
func UserZones(ctx context.Context, q syncengine.Querier, userIDs []string) (map[string]*time.Location, error) {
	out := make(map[string]*time.Location, len(userIDs))
	for start := 0; start < len(userIDs); start += maxInList {
		chunk := userIDs[start:min(start+maxInList, len(userIDs))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.Query(ctx, `SELECT u.id,
				COALESCE((SELECT t.time_zone FROM push_tokens t WHERE t.user_id = u.id ORDER BY t.updated_at DESC LIMIT 1), ''),
				u.time_zone, COALESCE(r.time_zone, '')
			FROM users u LEFT JOIN regions r ON r.id = u.region_id
			WHERE u.id IN (`+sqlq.Placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, device, account, region string
			if err := rows.Scan(&id, &device, &account, &region); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = firstZone(device, account, region)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, id := range userIDs {
		if out[id] == nil {
			out[id] = time.UTC
		}
	}
	return out, nil
}

// UserZone returns one user's time zone (see UserZones).
func UserZone(ctx context.Context, q syncengine.Querier, userID string) (*time.Location, error) {
	z, err := UserZones(ctx, q, []string{userID})
	if err != nil {
		return nil, err
	}
	return z[userID], nil
}

func firstZone(names ...string) *time.Location {
	for _, n := range names {
		if l, err := LoadZone(n); err == nil {
			return l
		}
	}
	return time.UTC
}
