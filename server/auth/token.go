package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// accessClaims is the payload of an access token: the user, the device
// session and the expiry. Everything else is looked up on each call.
type accessClaims struct {
	jwt.RegisteredClaims
	DeviceID string `json:"did"`
}

func (s *Service) signAccess(userID, deviceID string, now time.Time) (string, time.Time, error) {
	exp := now.Add(s.cfg.AccessTTL)
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   userID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			Issuer:    "ordinator",
		},
		DeviceID: deviceID,
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

// newRefreshToken returns a random refresh token and the hash stored for it.
func newRefreshToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
