package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// accessClaims is the payload of an access token: the user, the device
// session, the generation of the session's refresh token it was issued
// with, and the expiry. Everything else is looked up on each call.
type accessClaims struct {
	jwt.RegisteredClaims
	DeviceID string `json:"did"`
	// Gen is the refresh generation: its first use marks the refresh token
	// of that generation used (see Refresh).
	Gen int64 `json:"rgen,omitempty"`
}

func (s *Service) signAccess(userID, deviceID string, gen int64, now time.Time) (string, time.Time, error) {
	exp := now.Add(s.cfg.AccessTTL)
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   userID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			Issuer:    "ordinator",
		},
		DeviceID: deviceID,
		Gen:      gen,
	})
	signed, err := tok.SignedString(s.key)
	return signed, exp, err
}

// errExpired is a correctly signed token past its expiry.
var errExpired = errors.New("access token expired")

// parseAccess verifies a token's signature. An expired token still returns
// its claims with errExpired, so a revoked device can be told to wipe even
// when its token has run out.
func (s *Service) parseAccess(token string) (accessClaims, error) {
	var c accessClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("ordinator"), jwt.WithTimeFunc(s.cfg.Now), jwt.WithExpirationRequired())
	if errors.Is(err, jwt.ErrTokenExpired) && c.Subject != "" && c.DeviceID != "" {
		return c, errExpired
	}
	if err != nil {
		return c, err
	}
	if c.Subject == "" || c.DeviceID == "" {
		return c, errors.New("token without subject or device")
	}
	return c, nil
}

// refreshKey derives the key of refresh tokens from the signing secret, so
// the two kinds of token can never be confused.
func refreshKey(secret []byte) []byte { return deriveKey(secret, "ordinator refresh tokens") }

// deriveKey is the key for one purpose derived from the signing secret.
func deriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// refreshToken is the refresh token of a device session's generation:
// "<device>.<gen>.<mac>". Deriving it from the server's key, rather than
// drawing it at random, lets Refresh give the answer of a rotation again
// without storing any token: the database keeps only hashes and the
// generation. Without the key it is as unguessable as a random token.
func (s *Service) refreshToken(deviceID string, gen int64) string {
	g := strconv.FormatInt(gen, 10)
	return deviceID + "." + g + "." + base64.RawURLEncoding.EncodeToString(s.refreshMAC(deviceID, g))
}

func (s *Service) refreshMAC(deviceID, gen string) []byte {
	m := hmac.New(sha256.New, s.refreshKey)
	m.Write([]byte(deviceID + "\x00" + gen))
	return m.Sum(nil)
}

// parseRefresh returns the device and generation of a refresh token this
// server issued; ok is false for anything else (including the random
// tokens of sessions rotated before tokens were derived).
func (s *Service) parseRefresh(token string) (deviceID string, gen int64, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", 0, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(mac, s.refreshMAC(parts[0], parts[1])) {
		return "", 0, false
	}
	gen, err = strconv.ParseInt(parts[1], 10, 64)
	if err != nil || gen < 0 {
		return "", 0, false
	}
	return parts[0], gen, true
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
