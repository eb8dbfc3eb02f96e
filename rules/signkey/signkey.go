// Package signkey writes and reads the ed25519 keys that sign what crosses
// stacks (the country directory, content bundles) as text: standard base64
// of a public key's 32 bytes, or of a private key's 32-byte seed.
package signkey

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
)

// EncodePublic returns a public key as base64.
func EncodePublic(k ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(k) }

// EncodePrivate returns a private key's seed as base64.
func EncodePrivate(k ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(k.Seed())
}

// ParsePublic reads a public key written by EncodePublic (surrounding space
// ignored).
func ParsePublic(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("not an ed25519 public key (want %d bytes in base64)", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// ParsePrivate reads a private key written by EncodePrivate (surrounding
// space ignored).
func ParsePrivate(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, fmt.Errorf("not an ed25519 signing key (want a %d-byte seed in base64)", ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(b), nil
}
