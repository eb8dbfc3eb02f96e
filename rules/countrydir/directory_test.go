package countrydir_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/rules/countrydir"
	"github.com/ordinatorhq/ordinator/rules/signkey"
)

var key = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

const doc = `{"version": 3, "countries": {
  "ru": {"api_url": "https://api.ru.example", "media_url": "https://media.ru.example", "min_app_version": "2.4.0"},
  "kz": {"api_url": "https://api.kz.example", "media_url": "https://media.kz.example", "min_app_version": "2.3"}}}`

func signed(t *testing.T) []byte {
	t.Helper()
	d, err := countrydir.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	b, err := countrydir.Sign(d, key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignVerify(t *testing.T) {
	d, err := countrydir.Verify(signed(t), key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	kz, err := d.Lookup("KZ")
	if err != nil || kz.APIURL != "https://api.kz.example" || d.Version != 3 || strings.Join(d.Codes(), ",") != "kz,ru" {
		t.Fatalf("%+v %+v %v", d, kz, err)
	}
	if _, err := d.Lookup("uz"); err == nil || !strings.Contains(err.Error(), "kz, ru") {
		t.Fatalf("lookup of a missing country: %v", err)
	}
}

// Every change to a signed file is refused: values, a country added,
// another key's signature, a signature that is not one.
func TestTampered(t *testing.T) {
	good := signed(t)
	pub := key.Public().(ed25519.PublicKey)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	var s countrydir.Signed
	if err := json.Unmarshal(good, &s); err != nil {
		t.Fatal(err)
	}
	resign := func(body string, k ed25519.PrivateKey) []byte {
		d, err := countrydir.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := countrydir.Sign(d, k)
		return b
	}
	withDoc := func(body string) []byte {
		b, _ := json.Marshal(countrydir.Signed{Directory: json.RawMessage(body), Signature: s.Signature})
		return b
	}
	tests := []struct {
		name, want string
		file       []byte
	}{
		{"api URL changed", "bad signature", withDoc(strings.Replace(doc, "api.kz.example", "evil.example", 1))},
		{"version changed", "bad signature", withDoc(strings.Replace(doc, `"version": 3`, `"version": 4`, 1))},
		{"country added", "bad signature", withDoc(strings.Replace(doc, `"kz":`, `"uz": {"api_url": "https://x.example", "media_url": "https://x.example", "min_app_version": "1"}, "kz":`, 1))},
		{"another key", "bad signature", resign(doc, other)},
		{"field smuggled in", "unknown field", withDoc(strings.Replace(doc, `"version": 3`, `"version": 3, "users": ["a@b.kz"]`, 1))},
		{"signature garbled", "not an ed25519 signature", bytes.Replace(good, []byte(s.Signature[:8]), []byte("!!!!!!!!"), 1)},
		{"no signature", "not an ed25519 signature", []byte(`{"directory": ` + doc + `, "signature": ""}`)},
		{"not JSON", "not a signed directory", []byte("<html>")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := countrydir.Verify(tc.file, pub)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %+v, %v; want an error with %q", d, err, tc.want)
			}
		})
	}
	// Reformatting is no change: the signature covers the canonical form.
	var pretty bytes.Buffer
	json.Indent(&pretty, good, "", "\t\t")
	if _, err := countrydir.Verify(pretty.Bytes(), pub); err != nil {
		t.Fatalf("re-indented: %v", err)
	}
}

func TestBadDocuments(t *testing.T) {
	entry := func(api, media, v string) string {
		return fmt.Sprintf(`{"version": 1, "countries": {"kz": {"api_url": %q, "media_url": %q, "min_app_version": %q}}}`, api, media, v)
	}
	tests := map[string]string{
		`{"version": 0, "countries": {}}`: "version 0",
		`{"version": 1, "countries": {}}`: "no countries",
		`{"version": 1, "countries": {"Kazakhstan": {"api_url": "https://a.kz", "media_url": "https://m.kz", "min_app_version": "1"}}}`: "not a country code",
		entry("ftp://a.kz", "https://m.kz", "1"):                   "kz.api_url",
		entry("https://a.kz", "https://u:p@m.kz", "1"):             "no user",
		entry("https://a.kz?user=42", "https://m.kz", "1"):         "kz.api_url",
		entry("https://a.kz", "https://m.kz", "latest"):            "min_app_version",
		`{"version": 1, "countries": {}} {"version": 2}`:           "trailing data",
		`{"version": 1, "countries": {"kz": {"phone": "+7 701"}}}`: "unknown field",
	}
	for body, want := range tests {
		if _, err := countrydir.Parse([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

func TestKeys(t *testing.T) {
	k, err := signkey.ParsePrivate(signkey.EncodePrivate(key) + "\n")
	if err != nil || !k.Equal(key) {
		t.Fatal(err)
	}
	pub, err := signkey.ParsePublic(signkey.EncodePublic(key.Public().(ed25519.PublicKey)))
	if err != nil || !pub.Equal(key.Public()) {
		t.Fatal(err)
	}
	if _, err := signkey.ParsePublic("c2hvcnQ="); err == nil {
		t.Fatal("a short public key was accepted")
	}
	if _, err := signkey.ParsePrivate("not base64!"); err == nil {
		t.Fatal("garbage accepted as a private key")
	}
}
