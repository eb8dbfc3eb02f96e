package content

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"slices"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/content/bundle"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// BundleMedia is what content bundles need of the media module
// (*media.Service): the source reads its ready images, the destination
// checks, stores and records them.
type BundleMedia interface {
	ExportContentImage(ctx context.Context, mediaID string) (desc *contentv1.BundleImage, image, thumbnail []byte, err error)
	CheckContentImage(desc *contentv1.BundleImage, image, thumbnail []byte) error
	StoreContentImage(ctx context.Context, mediaID string, desc *contentv1.BundleImage, image, thumbnail []byte) error
	RecordContentImage(ctx context.Context, tx syncengine.Tx, mediaID, ownerID string, desc *contentv1.BundleImage, size int64) (added bool, err error)
}

// ExportOptions say which bundle to export.
type ExportOptions struct {
	// Source is this stack's country code; Destination the stack the
	// bundle is for.
	Source, Destination string
	// Key signs the bundle.
	Key ed25519.PrivateKey
}

// Exported describes an exported bundle.
type Exported struct {
	Version int64
	Items   int
	Images  int
	// Unchanged says the content is the same as the previous export to
	// the destination: the bundle keeps that one's version.
	Unchanged bool
}

// ExportBundle returns the signed bundle of the items published here that
// go to opt.Destination (not local-only; naming it among their countries,
// or naming none) with their images. Drafts and unpublished items stay
// out; an item that leaves a later bundle is withdrawn at the destination.
// The bundle holds content and nothing else: items and image bytes.
func (s *Service) ExportBundle(ctx context.Context, images BundleMedia, opt ExportOptions) ([]byte, *Exported, error) {
	if !countryPattern.MatchString(opt.Source) || !countryPattern.MatchString(opt.Destination) {
		return nil, nil, syncengine.Errorf(syncengine.EINVALID, "a bundle goes from one country code to another, not from %q to %q", opt.Source, opt.Destination)
	}
	if opt.Source == opt.Destination {
		return nil, nil, syncengine.Errorf(syncengine.EINVALID, "this stack is %s: a bundle goes to another country", opt.Source)
	}
	if len(opt.Key) != ed25519.PrivateKeySize {
		return nil, nil, syncengine.Errorf(syncengine.EINVALID, "a signing key is required to export a bundle")
	}
	var rows []*row
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rs, err := q.Query(ctx, `SELECT `+rowColumns+` FROM content_items WHERE published = $1 ORDER BY id`, true)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			r, err := scanRow(rs)
			if err != nil {
				return err
			}
			if exportedTo(r.item, opt.Destination) {
				rows = append(rows, r)
			}
		}
		return rs.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	m := &contentv1.BundleManifest{Format: bundle.Format, Source: opt.Source, Destination: opt.Destination}
	blobs := map[bundle.Digest][]byte{}
	described := map[string]*contentv1.BundleImage{}
	for _, r := range rows {
		it := proto.Clone(r.item).(*contentv1.Item)
		bi := &contentv1.BundleItem{Item: it}
		for _, id := range it.ImageMediaIds {
			desc, ok := described[id]
			if !ok {
				if images == nil {
					return nil, nil, syncengine.Errorf(syncengine.EPRECONDITION, "item %s has images, and this server keeps no media", it.Id)
				}
				d, image, thumb, err := images.ExportContentImage(ctx, id)
				if err != nil {
					return nil, nil, err
				}
				described[id], desc = d, d
				blobs[bundle.Sum(image)], blobs[bundle.Sum(thumb)] = image, thumb
				if !slices.ContainsFunc(m.Images, func(x *contentv1.BundleImage) bool { return bytes.Equal(x.Sha256, d.Sha256) }) {
					m.Images = append(m.Images, d)
				}
			}
			bi.ImageSha256 = append(bi.ImageSha256, desc.Sha256)
		}
		it.ImageMediaIds, it.Countries, it.LocalOnly = nil, nil, false
		it.Version, it.PublishedAtUnixMs, it.UpdatedAtUnixMs = 0, 0, 0
		m.Items = append(m.Items, bi)
	}
	slices.SortFunc(m.Images, func(a, b *contentv1.BundleImage) int { return bytes.Compare(a.Sha256, b.Sha256) })
	digest := bundle.ContentDigest(m)
	out := &Exported{Items: len(m.Items), Images: len(m.Images)}
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		var last []byte
		var version, created int64
		err := tx.QueryRow(ctx, `SELECT version, digest, created_at FROM content_bundle_exports WHERE destination = $1`, opt.Destination).Scan(&version, &last, &created)
		if err == nil && bytes.Equal(last, digest[:]) {
			m.Version, m.CreatedAtUnixMs, out.Unchanged = version, created, true
			return nil
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM content_bundle_exports`).Scan(&version); err != nil {
			return err
		}
		m.Version, m.CreatedAtUnixMs = version+1, tx.Now().UnixMilli()
		_, err = tx.Exec(ctx, `INSERT INTO content_bundle_exports (destination, version, digest, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (destination) DO UPDATE SET version = excluded.version, digest = excluded.digest, created_at = excluded.created_at`,
			opt.Destination, m.Version, digest[:], m.CreatedAtUnixMs)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	out.Version = m.Version
	return bundle.Seal(m, blobs, opt.Key), out, nil
}
