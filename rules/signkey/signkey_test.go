package signkey_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/ordinatorhq/ordinator/rules/signkey"
)

func TestRoundTrip(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := signkey.ParsePublic(" " + signkey.EncodePublic(pub) + "\n")
	if err != nil || !bytes.Equal(p, pub) {
		t.Fatalf("public key read back as %x, %v", p, err)
	}
	k, err := signkey.ParsePrivate(signkey.EncodePrivate(priv) + "\n")
	if err != nil || !bytes.Equal(k, priv) {
		t.Fatalf("private key read back wrong: %v", err)
	}
}

func TestRefused(t *testing.T) {
	for _, s := range []string{"", "not base64!", "c2hvcnQ=", signkey.EncodePublic(make([]byte, 31))} {
		if _, err := signkey.ParsePublic(s); err == nil {
			t.Errorf("public key %q accepted", s)
		}
		if _, err := signkey.ParsePrivate(s); err == nil {
			t.Errorf("private key %q accepted", s)
		}
	}
}
