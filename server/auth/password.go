package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Argon2 are the argon2id parameters for new password hashes. Existing
// hashes carry their own.
type Argon2 struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 follows OWASP's minimum for argon2id (19 MiB, 2 passes).
var DefaultArgon2 = Argon2{Memory: 19 * 1024, Time: 2, Threads: 1}

// TestArgon2 hashes in microseconds, for tests that sign many accounts in;
// it protects nothing and must never configure a server.
var TestArgon2 = Argon2{Memory: 64, Time: 1, Threads: 1}

const saltLen, keyLen = 16, 32

// HashPassword returns an encoded argon2id hash:
// $argon2id$v=19$m=...,t=...,p=...$salt$key (base64, no padding).
func HashPassword(password string, a Argon2) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, a.Time, a.Memory, a.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, a.Memory, a.Time, a.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches an encoded hash, in
// constant time for a given hash.
func CheckPassword(password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var a Argon2
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &a.Memory, &a.Time, &a.Threads); err != nil {
		return false, fmt.Errorf("bad argon2 parameters %q", parts[3])
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, a.Time, a.Memory, a.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// passwordSlot waits for one of the Config.PasswordChecks slots; the caller
// releases it. A caller that gives up waiting is told the server is busy.
func (s *Service) passwordSlot(ctx context.Context) error {
	if err := s.passwords.Acquire(ctx, 1); err != nil {
		return syncengine.Errorf(syncengine.EUNAVAILABLE, "too many sign-ins at once; try again in a moment")
	}
	return nil
}
