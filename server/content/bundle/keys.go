package bundle

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Keys are written as standard base64: a public key is its 32 bytes, a
// private key its 32-byte seed.

// EncodePublicKey returns a public key as base64.
func EncodePublicKey(k ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(k) }

// EncodePrivateKey returns a private key's seed as base64.
func EncodePrivateKey(k ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(k.Seed())
}

// ParsePrivateKey reads a private key written by EncodePrivateKey
// (surrounding space ignored).
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, fmt.Errorf("not an ed25519 signing key (want %d bytes in base64, as ordinator content keygen writes)", ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(b), nil
}

// ParsePublicKey reads a public key written by EncodePublicKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%q is not an ed25519 public key (want %d bytes in base64)", s, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// Trusted maps the country code of a source stack to the public keys whose
// bundles from it are accepted.
type Trusted map[string][]ed25519.PublicKey

var countryPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,15}$`)

// ParseTrusted reads trusted keys as "country=key" pairs separated by
// commas or spaces, such as "ru=MCowBQYDK2VwAyEA...". A country may have
// several keys (while its key is being replaced).
func ParseTrusted(s string) (Trusted, error) {
	t := Trusted{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		country, key, ok := strings.Cut(f, "=")
		if !ok || !countryPattern.MatchString(country) {
			return nil, fmt.Errorf("trusted key %q: write country=base64key, e.g. ru=%s", f, strings.Repeat("A", 43)+"=")
		}
		k, err := ParsePublicKey(key)
		if err != nil {
			return nil, fmt.Errorf("trusted key for %s: %w", country, err)
		}
		t[country] = append(t[country], k)
	}
	return t, nil
}

// Sources returns the countries key is trusted for, sorted.
func (t Trusted) Sources(key ed25519.PublicKey) []string {
	var out []string
	for c, keys := range t {
		if slices.ContainsFunc(keys, func(k ed25519.PublicKey) bool { return bytes.Equal(k, key) }) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}
