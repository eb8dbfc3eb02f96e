// Package countrydir is the signed country directory: which server an app
// talks to in each country (country code → API URL, media URL, minimum app
// version), published as one static JSON document with an ed25519
// signature that apps verify with a public key built into them. It lists no
// users and routes no one individually, so no country's users appear
// anywhere outside their country. The server's CLI signs and verifies it,
// the SDK verifies what it fetches; both run this code. Pure rules: the
// standard library only, no I/O.
package countrydir

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Document is the directory's content.
type Document struct {
	// Version grows with every published directory, so an app can keep
	// the newest it has seen.
	Version int64 `json:"version"`
	// Countries maps a stack's country code (ru, kz, uz...) to its servers.
	Countries map[string]Entry `json:"countries"`
}

// Entry is where one country's stack is.
type Entry struct {
	// APIURL is the Ordinator server (Connect, gRPC, gRPC-Web).
	APIURL string `json:"api_url"`
	// MediaURL is where the stack's photos and images are downloaded from.
	MediaURL string `json:"media_url"`
	// MinAppVersion is the oldest app version this stack serves, e.g. 2.4.0.
	MinAppVersion string `json:"min_app_version"`
}

// Signed is the published file: the document and its signature over the
// document's canonical form.
type Signed struct {
	Directory json.RawMessage `json:"directory"`
	// Signature is the ed25519 signature, in standard base64.
	Signature string `json:"signature"`
}

var (
	countryPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,15}$`)
	versionPattern = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,6}){0,2}$`)
)

// MaxBytes bounds a signed directory: a few hundred countries at most.
const MaxBytes = 1 << 20

// Parse reads a document strictly: an unknown field (where personal data
// or per-user routing could hide) or an invalid value is refused, named.
func Parse(b []byte) (*Document, error) {
	var d Document
	if err := decodeStrict(b, &d); err != nil {
		return nil, fmt.Errorf("country directory: %w", err)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// Validate checks every entry and names the first fault.
func (d *Document) Validate() error {
	if d.Version <= 0 {
		return fmt.Errorf("country directory: version %d: give a positive number that grows with every release", d.Version)
	}
	if len(d.Countries) == 0 {
		return errors.New("country directory: no countries")
	}
	for _, c := range d.Codes() {
		e := d.Countries[c]
		if !countryPattern.MatchString(c) {
			return fmt.Errorf("country directory: %q is not a country code such as kz", c)
		}
		for field, u := range map[string]string{"api_url": e.APIURL, "media_url": e.MediaURL} {
			if err := checkURL(u); err != nil {
				return fmt.Errorf("country directory: %s.%s %q: %v", c, field, u, err)
			}
		}
		if !versionPattern.MatchString(e.MinAppVersion) {
			return fmt.Errorf("country directory: %s.min_app_version %q: want numbers such as 2.4.0", c, e.MinAppVersion)
		}
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return errors.New("want http(s)://host[/path]")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return errors.New("a server URL carries no user, query or fragment")
	}
	return nil
}

// Codes returns the country codes, sorted.
func (d *Document) Codes() []string {
	out := make([]string, 0, len(d.Countries))
	for c := range d.Countries {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Lookup returns a country's entry.
func (d *Document) Lookup(country string) (Entry, error) {
	e, ok := d.Countries[strings.ToLower(strings.TrimSpace(country))]
	if !ok {
		return Entry{}, fmt.Errorf("country directory: no stack for country %q (it lists %s)", country, strings.Join(d.Codes(), ", "))
	}
	return e, nil
}

// Canonical is the form that is signed: compact JSON with fields in
// declaration order and countries sorted (encoding/json's map order).
func (d *Document) Canonical() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // strings and numbers always marshal
	}
	return b
}

// Sign validates d and returns the signed file.
func Sign(d *Document, key ed25519.PrivateKey) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	canon := d.Canonical()
	s := Signed{Directory: canon, Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, canon))}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Verify reads a signed file and returns its document if the signature is
// the key's over the document as it reads; anything else is refused.
func Verify(signed []byte, key ed25519.PublicKey) (*Document, error) {
	if len(signed) > MaxBytes {
		return nil, fmt.Errorf("country directory: %d bytes, more than the %d a directory may have", len(signed), MaxBytes)
	}
	if len(key) != ed25519.PublicKeySize {
		return nil, errors.New("country directory: no valid public key to verify with")
	}
	var s Signed
	if err := decodeStrict(signed, &s); err != nil {
		return nil, fmt.Errorf("country directory: not a signed directory: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, errors.New("country directory: the signature is not an ed25519 signature in base64")
	}
	d, err := Parse(s.Directory)
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(key, d.Canonical(), sig) {
		return nil, errors.New("country directory: bad signature: the document was changed or signed with another key")
	}
	return d, nil
}
