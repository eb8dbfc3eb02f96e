package countrydir

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
)

// Keys are written as standard base64: a public key is its 32 bytes, a
// private key its 32-byte seed (the form ordinator content keygen uses).

// EncodePublicKey returns a public key as base64.
func EncodePublicKey(k ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(k) }

// EncodePrivateKey returns a private key's seed as base64.
func EncodePrivateKey(k ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(k.Seed())
}

// ParsePublicKey reads a public key written by EncodePublicKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("country directory: not an ed25519 public key (want %d bytes in base64, as ordinator directory keygen prints)", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// ParsePrivateKey reads a private key written by EncodePrivateKey.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, fmt.Errorf("country directory: not an ed25519 signing key (want a %d-byte seed in base64, as ordinator directory keygen writes)", ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(b), nil
}
