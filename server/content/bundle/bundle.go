// Package bundle implements the file format of content bundles, which
// carry published content from one country stack to another: a manifest
// of items and images (contentv1.BundleManifest) signed with the source
// stack's ed25519 key, and the images' bytes addressed by their SHA-256.
// It seals and opens bundles and parses keys; it does no I/O. Exporting
// and importing (the database side) live in server/content.
package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/rules/signkey"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Format is the manifest format this package writes and reads.
const Format = 1

// MaxSize bounds a bundle file.
const MaxSize = 1 << 30

// Digest is a SHA-256.
type Digest [sha256.Size]byte

// Sum returns the digest of data.
func Sum(data []byte) Digest { return sha256.Sum256(data) }

// String is the digest in hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

func digestOf(b []byte) (Digest, bool) {
	var d Digest
	if len(b) != len(d) {
		return d, false
	}
	copy(d[:], b)
	return d, true
}

// Marshal encodes a message deterministically: the same content always
// gives the same bytes, so digests and signatures of it are stable.
func Marshal(m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		panic(err) // plain messages always marshal
	}
	return b
}

// ContentDigest is the digest of what a manifest carries, its version and
// time left out: two exports with the same digest hold the same content.
func ContentDigest(m *contentv1.BundleManifest) Digest {
	c := proto.Clone(m).(*contentv1.BundleManifest)
	c.Version, c.CreatedAtUnixMs = 0, 0
	return Sum(Marshal(c))
}

// Seal signs a manifest with key and returns the bundle file with the
// blobs (image and thumbnail bytes by digest) the manifest names.
func Seal(m *contentv1.BundleManifest, blobs map[Digest][]byte, key ed25519.PrivateKey) []byte {
	manifest := Marshal(m)
	b := &contentv1.Bundle{
		Manifest:  manifest,
		PublicKey: key.Public().(ed25519.PublicKey),
		Signature: ed25519.Sign(key, manifest),
	}
	for _, d := range slices.SortedFunc(maps.Keys(blobs), func(a, b Digest) int { return bytes.Compare(a[:], b[:]) }) {
		b.Blobs = append(b.Blobs, &contentv1.BundleBlob{Sha256: d[:], Data: blobs[d]})
	}
	return Marshal(b)
}

// Opened is a bundle whose signature and digests have been verified.
type Opened struct {
	Manifest *contentv1.BundleManifest
	// Blobs are the bundle's objects by digest, each one checked.
	Blobs map[Digest][]byte
	// Signer is the trusted key that signed it.
	Signer ed25519.PublicKey
}

// Open checks a bundle file and returns what it holds: the signature must
// be by a key trusted for the manifest's source, and every image and
// thumbnail the manifest names must be in the file with that digest.
// Anything else is refused with an error saying what is wrong.
func Open(data []byte, trusted Trusted) (*Opened, error) {
	if len(data) > MaxSize {
		return nil, refuse("the bundle is %d bytes, more than the %d allowed", len(data), MaxSize)
	}
	var b contentv1.Bundle
	if err := proto.Unmarshal(data, &b); err != nil {
		return nil, refuse("the file is not a content bundle: %v", err)
	}
	if len(b.PublicKey) != ed25519.PublicKeySize || len(b.Signature) != ed25519.SignatureSize {
		return nil, refuse("the bundle carries no ed25519 key and signature")
	}
	key := ed25519.PublicKey(b.PublicKey)
	sources := trusted.Sources(key)
	if len(sources) == 0 {
		return nil, &syncengine.Error{Code: syncengine.EPERMISSION,
			Message: "the bundle is signed by key " + signkey.EncodePublic(key) + ", which is not a trusted content key here (see --content-trusted-keys)"}
	}
	if !ed25519.Verify(key, b.Manifest, b.Signature) {
		return nil, refuse("the bundle's signature does not verify with its key %s: it was altered after signing", signkey.EncodePublic(key))
	}
	var m contentv1.BundleManifest
	if err := proto.Unmarshal(b.Manifest, &m); err != nil {
		return nil, refuse("the bundle's manifest is damaged: %v", err)
	}
	if m.Format != Format {
		return nil, refuse("the bundle has format %d; this server reads format %d", m.Format, Format)
	}
	if !slices.Contains(sources, m.Source) {
		return nil, &syncengine.Error{Code: syncengine.EPERMISSION,
			Message: fmt.Sprintf("the bundle says it comes from %q, but its key %s is trusted for %v only", m.Source, signkey.EncodePublic(key), sources)}
	}
	if m.Version <= 0 {
		return nil, refuse("the bundle's version %d is not positive", m.Version)
	}
	blobs := make(map[Digest][]byte, len(b.Blobs))
	for i, bl := range b.Blobs {
		d, ok := digestOf(bl.Sha256)
		if !ok {
			return nil, refuse("blob %d of the bundle has no SHA-256", i)
		}
		if Sum(bl.Data) != d {
			return nil, refuse("blob %s of the bundle does not match its digest: its bytes were altered", d)
		}
		blobs[d] = bl.Data
	}
	images := map[Digest]bool{}
	for _, im := range m.Images {
		for _, sum := range [][]byte{im.Sha256, im.ThumbnailSha256} {
			d, ok := digestOf(sum)
			if !ok {
				return nil, refuse("an image of the bundle has no SHA-256")
			}
			if _, ok := blobs[d]; !ok {
				return nil, refuse("image %s is named by the manifest but missing from the bundle, or its bytes do not match that digest", d)
			}
		}
		d, _ := digestOf(im.Sha256)
		images[d] = true
	}
	seen := map[string]bool{}
	for _, it := range m.Items {
		id := it.GetItem().GetId()
		if id == "" || seen[id] {
			return nil, refuse("the bundle's items must have distinct ids, not %q", id)
		}
		seen[id] = true
		for _, sum := range it.ImageSha256 {
			if d, ok := digestOf(sum); !ok || !images[d] {
				return nil, refuse("item %s names an image the bundle does not describe", id)
			}
		}
	}
	return &Opened{Manifest: &m, Blobs: blobs, Signer: key}, nil
}

func refuse(format string, args ...any) error {
	return syncengine.Errorf(syncengine.EINVALID, format, args...)
}
