package bundle_test

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/rules/signkey"
	"github.com/ordinatorhq/ordinator/server/content/bundle"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func sample(t testing.TB) ([]byte, ed25519.PrivateKey) {
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return sealed(key), key
}

// sealed is a bundle of one item with one image, signed by key.
func sealed(key ed25519.PrivateKey) []byte {
	image, thumb := []byte("\xFF\xD8\xFFimage"), []byte("\xFF\xD8\xFFthumb")
	is, ts := bundle.Sum(image), bundle.Sum(thumb)
	m := &contentv1.BundleManifest{Format: bundle.Format, Source: "ru", Destination: "kz", Version: 3,
		Items:  []*contentv1.BundleItem{{Item: &contentv1.Item{Id: "a", Title: "A"}, ImageSha256: [][]byte{is[:]}}},
		Images: []*contentv1.BundleImage{{Sha256: is[:], ThumbnailSha256: ts[:], ContentType: "image/jpeg"}}}
	return bundle.Seal(m, map[bundle.Digest][]byte{is: image, ts: thumb}, key)
}

func TestOpen(t *testing.T) {
	b, key := sample(t)
	trusted := bundle.Trusted{"ru": {key.Public().(ed25519.PublicKey)}}
	op, err := bundle.Open(b, trusted)
	if err != nil {
		t.Fatal(err)
	}
	if op.Manifest.Version != 3 || len(op.Blobs) != 2 || op.Manifest.Items[0].Item.Id != "a" {
		t.Fatalf("opened %v", op.Manifest)
	}
	if !bytes.Equal(sealed(key), b) {
		t.Fatal("the same content sealed twice by one key differs: an unchanged export would not be the same file")
	}
	if _, err := bundle.Open(b, bundle.Trusted{"uz": {key.Public().(ed25519.PublicKey)}}); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
		t.Fatalf("a key trusted for uz only opened ru's bundle: %v", err)
	}
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x40
		if _, err := bundle.Open(c, trusted); err == nil {
			t.Fatalf("a bundle with byte %d changed opened", i)
		}
	}
}

func TestParseTrusted(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	pub := signkey.EncodePublic(key.Public().(ed25519.PublicKey))
	tr, err := bundle.ParseTrusted("ru=" + pub + ", uz=" + pub)
	if err != nil || len(tr) != 2 || strings.Join(tr.Sources(key.Public().(ed25519.PublicKey)), ",") != "ru,uz" {
		t.Fatalf("parsed %v, %v", tr, err)
	}
	for _, bad := range []string{pub, "RU=" + pub, "ru=abc", "ru"} {
		if _, err := bundle.ParseTrusted(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	k, err := signkey.ParsePrivate(signkey.EncodePrivate(key) + "\n")
	if err != nil || !k.Equal(key) {
		t.Fatalf("private key round trip: %v", err)
	}
}

// FuzzOpen: no input makes Open panic, and what it opens is what a
// trusted key signed.
func FuzzOpen(f *testing.F) {
	b, key := sample(f)
	trusted := bundle.Trusted{"ru": {key.Public().(ed25519.PublicKey)}}
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		op, err := bundle.Open(data, trusted)
		if err == nil && op.Manifest.Source != "ru" {
			t.Fatalf("opened a bundle from %q", op.Manifest.Source)
		}
	})
}
