package content

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content/bundle"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// ImportOptions say what a stack accepts from bundles.
type ImportOptions struct {
	// Trusted are the keys of the source stacks.
	Trusted bundle.Trusted
	// Country is this stack's country code: a bundle for another is
	// refused.
	Country string
	// Mapping maps the source's regions and specialties onto this stack's.
	Mapping *Mapping
}

// Imported says what an import did.
type Imported struct {
	Source  string
	Version int64
	// Unchanged: this very bundle had been imported already, and the
	// mapping has not changed since: nothing was written.
	Unchanged bool
	// Added, Updated and Kept count the bundle's items: new here, changed,
	// the same as before; Withdrawn the items of earlier bundles it no
	// longer holds, now unpublished.
	Added, Updated, Kept, Withdrawn int
	// Dropped are items whose regions or specialties all map to none.
	Dropped []string
}

// imageNamespace derives the media id of a bundle's image from its digest,
// so the same image imported twice is one media.
var imageNamespace = uuid.MustParse("6f1d3c1e-7a43-4c61-9d3b-2f0b8f6a2c55")

func imageMediaID(sum []byte) string { return uuid.NewSHA1(imageNamespace, sum).String() }

// incoming is an item of a bundle mapped onto this stack.
type incoming struct {
	item   *contentv1.Item
	digest bundle.Digest
	images []*contentv1.BundleImage
}

// ImportBundle verifies a bundle and publishes its items here, in one
// transaction: every item through the same path editors' items take (a
// version, targets, the change log), their images into this stack's blob
// store through the media module. A bundle is refused, and nothing
// imported, if its signature is not by a key trusted for its source, it
// is for another stack, an image does not match its digest, its version
// is older than the one imported last (or the same with other content), a
// region or specialty is not in the mapping or maps to a region this stack
// does not have, or an item would overwrite one authored here. Items of
// the source's earlier bundles that this one no longer holds are
// unpublished. The same bundle imported again applies the mapping as it is
// now, so a changed mapping moves the items; otherwise it changes nothing.
func (s *Service) ImportBundle(ctx context.Context, images BundleMedia, data []byte, opt ImportOptions) (*Imported, error) {
	op, err := bundle.Open(data, opt.Trusted)
	if err != nil {
		return nil, err
	}
	m := op.Manifest
	if m.Destination != opt.Country {
		return nil, syncengine.Errorf(syncengine.EINVALID, "the bundle from %s is for %s; this stack is %s", m.Source, m.Destination, opt.Country)
	}
	if opt.Mapping == nil {
		return nil, syncengine.Errorf(syncengine.EINVALID, "a mapping of %s's regions and specialties onto this stack's is required", m.Source)
	}
	in, dropped, err := mapItems(op, opt.Mapping)
	if err != nil {
		return nil, err
	}
	needed := map[bundle.Digest]*contentv1.BundleImage{}
	for _, x := range in {
		for _, im := range x.images {
			needed[bundle.Digest(im.Sha256)] = im
		}
	}
	if len(needed) > 0 && (images == nil || s.cfg.Media == nil) {
		return nil, syncengine.Errorf(syncengine.EPRECONDITION, "the bundle's items have images, and this server keeps no media")
	}
	for d, im := range needed {
		if err := images.CheckContentImage(im, op.Blobs[d], op.Blobs[bundle.Digest(im.ThumbnailSha256)]); err != nil {
			return nil, fmt.Errorf("image %s of the bundle: %w", d, err)
		}
	}
	digest := bundle.ContentDigest(m)
	out := &Imported{Source: m.Source, Version: m.Version, Dropped: dropped}
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		*out = Imported{Source: m.Source, Version: m.Version, Dropped: dropped}
		if _, err := tx.Exec(ctx, `INSERT INTO content_bundle_imports (source) VALUES ($1) ON CONFLICT (source) DO NOTHING`, m.Source); err != nil {
			return err
		}
		var have int64
		var haveDigest []byte
		if err := tx.QueryRow(ctx, `UPDATE content_bundle_imports SET rev = rev + 1 WHERE source = $1 RETURNING version, digest`, m.Source).Scan(&have, &haveDigest); err != nil {
			return err
		}
		switch {
		case m.Version < have:
			return syncengine.Errorf(syncengine.EPRECONDITION, "the bundle from %s is version %d, older than version %d imported here already", m.Source, m.Version, have)
		case m.Version == have && !bytes.Equal(haveDigest, digest[:]):
			return syncengine.Errorf(syncengine.EPRECONDITION, "the bundle from %s is version %d, which was imported here already with other content; export a new version", m.Source, m.Version)
		}
		if err := checkMappedRegions(ctx, tx, in); err != nil {
			return err
		}
		previous, err := s.bundleItems(ctx, tx, m.Source, in)
		if err != nil {
			return err
		}
		for d, im := range needed {
			id := imageMediaID(im.Sha256)
			added, err := images.RecordContentImage(ctx, tx, id, auth.System.UserID, im, int64(len(op.Blobs[d])))
			if err != nil {
				return err
			}
			if added {
				if err := images.StoreContentImage(ctx, id, im, op.Blobs[d], op.Blobs[bundle.Digest(im.ThumbnailSha256)]); err != nil {
					return err
				}
			}
		}
		for _, x := range in {
			if err := s.importItem(ctx, tx, m.Source, x, previous, out); err != nil {
				return err
			}
		}
		for id := range previous {
			if slices.ContainsFunc(in, func(x incoming) bool { return x.item.Id == id }) {
				continue
			}
			if err := s.withdraw(ctx, tx, id, out); err != nil {
				return err
			}
		}
		out.Unchanged = m.Version == have && out.Added+out.Updated+out.Withdrawn == 0
		_, err = tx.Exec(ctx, `UPDATE content_bundle_imports SET version = $2, digest = $3, imported_at = $4 WHERE source = $1`,
			m.Source, m.Version, digest[:], tx.Now().UnixMilli())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mapItems maps a bundle's items onto this stack and validates them as an
// editor's items are. Every region and specialty the mapping does not name
// is listed in one error.
func mapItems(op *bundle.Opened, mp *Mapping) ([]incoming, []string, error) {
	images := map[bundle.Digest]*contentv1.BundleImage{}
	for _, im := range op.Manifest.Images {
		images[bundle.Digest(im.Sha256)] = im
	}
	unmapped := map[string][]string{}
	var out []incoming
	var dropped []string
	for _, bi := range op.Manifest.Items {
		it := proto.Clone(bi.Item).(*contentv1.Item)
		regions, ur := mapCodes(mp.Regions, it.RegionIds)
		specialties, us := mapCodes(mp.Specialties, it.Specialties)
		for _, c := range ur {
			unmapped["region "+c] = append(unmapped["region "+c], it.Id)
		}
		for _, c := range us {
			unmapped["specialty "+c] = append(unmapped["specialty "+c], it.Id)
		}
		if len(ur)+len(us) > 0 {
			continue
		}
		if len(regions) == 0 || len(specialties) == 0 {
			dropped = append(dropped, it.Id)
			continue
		}
		it.RegionIds, it.Specialties, it.Countries, it.LocalOnly = regions, specialties, nil, false
		x := incoming{}
		it.ImageMediaIds = nil
		for _, sum := range bi.ImageSha256 {
			it.ImageMediaIds = append(it.ImageMediaIds, imageMediaID(sum))
			x.images = append(x.images, images[bundle.Digest(sum)])
		}
		p, err := prepare(it)
		if err != nil {
			return nil, nil, fmt.Errorf("item %s of the bundle cannot be published here: %w", it.Id, err)
		}
		x.item, x.digest = p, bundle.Sum(bundle.Marshal(p))
		out = append(out, x)
	}
	if len(unmapped) > 0 {
		var v []syncengine.Violation
		for _, what := range slices.Sorted(maps.Keys(unmapped)) {
			v = append(v, syncengine.Violation{Field: "mapping", Description: what + " (items " + strings.Join(unmapped[what], ", ") + ") is not mapped"})
		}
		names := make([]string, len(v))
		for i := range v {
			names[i] = strings.TrimSuffix(v[i].Description, " is not mapped")
		}
		return nil, nil, &syncengine.Error{Code: syncengine.EINVALID,
			Message: "the mapping does not say where these go: " + strings.Join(names, "; "), Violations: v}
	}
	return out, dropped, nil
}

// checkMappedRegions refuses items mapped to regions this stack lacks.
func checkMappedRegions(ctx context.Context, q syncengine.Querier, in []incoming) error {
	missing := map[string][]string{}
	exists := map[string]bool{}
	for _, x := range in {
		for _, r := range x.item.RegionIds {
			known, checked := exists[r]
			if !checked {
				var n int64
				if err := q.QueryRow(ctx, `SELECT count(*) FROM regions WHERE id = $1`, r).Scan(&n); err != nil {
					return err
				}
				known = n > 0
				exists[r] = known
			}
			if !known {
				missing[r] = append(missing[r], x.item.Id)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var parts []string
	for _, r := range slices.Sorted(maps.Keys(missing)) {
		parts = append(parts, fmt.Sprintf("%s (items %s)", r, strings.Join(missing[r], ", ")))
	}
	return syncengine.Errorf(syncengine.EINVALID, "the mapping sends items to regions this stack does not have: %s", strings.Join(parts, "; "))
}

// bundleItems returns the items of earlier bundles of source with their
// digests, and refuses a bundle item whose id is taken by an item authored
// here or brought by another source.
func (s *Service) bundleItems(ctx context.Context, tx syncengine.Tx, source string, in []incoming) (map[string][]byte, error) {
	previous := map[string][]byte{}
	ids, err := sqlq.Strings(ctx, tx, `SELECT item_id FROM content_bundle_items WHERE source = $1`, source)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		var d []byte
		if err := tx.QueryRow(ctx, `SELECT digest FROM content_bundle_items WHERE item_id = $1`, id).Scan(&d); err != nil {
			return nil, err
		}
		previous[id] = d
	}
	var taken []string
	for _, x := range in {
		if _, ok := previous[x.item.Id]; ok {
			continue
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM content_items WHERE id = $1`, x.item.Id).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			taken = append(taken, x.item.Id)
		}
	}
	if len(taken) > 0 {
		return nil, syncengine.Errorf(syncengine.ECONFLICT, "items %s of the bundle have the ids of items that did not come from %s", strings.Join(taken, ", "), source)
	}
	return previous, nil
}

// importItem publishes one item of a bundle: new, a new version of the one
// an earlier bundle brought, or, unchanged, left as it is.
func (s *Service) importItem(ctx context.Context, tx syncengine.Tx, source string, x incoming, previous map[string][]byte, out *Imported) error {
	it := x.item
	now := tx.Now().UnixMilli()
	before, seen := previous[it.Id]
	var r *row
	switch {
	case seen && bytes.Equal(before, x.digest[:]):
		out.Kept++
		return nil
	case seen:
		var err error
		if r, err = lockItem(ctx, tx, it.Id); err != nil {
			return err
		}
		if err := s.attachImages(ctx, tx, auth.System, it.Id, r.item.ImageMediaIds, it.ImageMediaIds); err != nil {
			return err
		}
		it.Version, it.UpdatedAtUnixMs = r.item.Version+1, now
		r.item, r.updatedBy, r.updatedAt = it, auth.System.UserID, now
		if err := saveVersion(ctx, tx, r); err != nil {
			return err
		}
		out.Updated++
	default:
		it.Version, it.UpdatedAtUnixMs = 1, now
		r = &row{item: it, createdBy: auth.System.UserID, updatedBy: auth.System.UserID, createdAt: now, updatedAt: now}
		if err := s.attachImages(ctx, tx, auth.System, it.Id, nil, it.ImageMediaIds); err != nil {
			return err
		}
		if _, err := insertItem(ctx, tx, r); err != nil {
			return err
		}
		out.Added++
	}
	// A new item, or one an earlier bundle withdrew, is published; an item
	// an editor here unpublished stays so.
	if publish := !seen || len(before) == 0; publish && !r.published {
		r.published, r.publishedAt = true, now
		if r.firstPublishedAt == 0 {
			r.firstPublishedAt = now
		}
	}
	r.item.PublishedAtUnixMs = r.publishedAt
	place(tx, r)
	if err := markPublished(ctx, tx, r); err != nil {
		return err
	}
	if err := saveItem(ctx, tx, r, false); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO content_bundle_items (item_id, source, digest) VALUES ($1, $2, $3)
		ON CONFLICT (item_id) DO UPDATE SET digest = excluded.digest`, it.Id, source, x.digest[:])
	return err
}

// withdraw unpublishes an item its source no longer sends; if it comes
// back, it is published again as a new version.
func (s *Service) withdraw(ctx context.Context, tx syncengine.Tx, id string, out *Imported) error {
	r, err := lockItem(ctx, tx, id)
	if errors.Is(err, sql.ErrNoRows) || syncengine.ErrorCode(err) == syncengine.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if r.published {
		r.published, r.updatedBy, r.updatedAt = false, auth.System.UserID, tx.Now().UnixMilli()
		place(tx, r)
		if err := saveItem(ctx, tx, r, false); err != nil {
			return err
		}
		out.Withdrawn++
	}
	_, err = tx.Exec(ctx, `UPDATE content_bundle_items SET digest = $2 WHERE item_id = $1`, id, []byte{})
	return err
}

// refuseImported refuses an editor's change to an item a bundle brought:
// content travels one way, and the next bundle would undo it. Editors here
// may still unpublish it.
func refuseImported(ctx context.Context, q syncengine.Querier, id string) error {
	var source string
	err := q.QueryRow(ctx, `SELECT source FROM content_bundle_items WHERE item_id = $1`, id).Scan(&source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return syncengine.Errorf(syncengine.EPRECONDITION, "item %s comes from the content bundles of %s; edit it there (here it can only be unpublished)", id, source)
}
