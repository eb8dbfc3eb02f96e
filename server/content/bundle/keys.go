package bundle

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ordinatorhq/ordinator/rules/signkey"
)

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
		k, err := signkey.ParsePublic(key)
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
