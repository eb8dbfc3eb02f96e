package content

import (
	"context"
	"slices"

	"github.com/google/uuid"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// CreateItem saves a new draft at version 1; moderators and admins only.
// An item with an id that exists already is refused (ECONFLICT).
func (s *Service) CreateItem(ctx context.Context, p syncengine.Principal, in *contentv1.Item) (*contentv1.EditorItem, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	it, err := prepare(in)
	if err != nil {
		return nil, err
	}
	if it.Id == "" {
		it.Id = uuid.NewString()
	}
	var out *contentv1.EditorItem
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		if err := checkRegions(ctx, tx, it.RegionIds); err != nil {
			return err
		}
		now := tx.Now().UnixMilli()
		it.Version, it.UpdatedAtUnixMs = 1, now
		r := &row{item: it, createdBy: p.UserID, updatedBy: p.UserID, createdAt: now, updatedAt: now}
		if err := s.attachImages(ctx, tx, p, it.Id, nil, it.ImageMediaIds); err != nil {
			return err
		}
		ok, err := insertItem(ctx, tx, r)
		if err != nil {
			return err
		}
		if !ok {
			return &syncengine.Error{Code: syncengine.ECONFLICT, Message: "a content item " + it.Id + " exists already",
				Violations: []syncengine.Violation{{Field: "item.id", Description: "is taken; update that item or choose another id"}}}
		}
		out = r.editorItem(now)
		return nil
	})
	return out, err
}

// UpdateItem replaces an item's content and targeting as a new version.
// With expectedVersion (not 0) it is refused if someone saved another
// version since. A published item changes on the phones at once: it leaves
// the ones it no longer targets and reaches the ones it now does.
func (s *Service) UpdateItem(ctx context.Context, p syncengine.Principal, in *contentv1.Item, expectedVersion int64) (*contentv1.EditorItem, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	if in.GetId() == "" {
		return nil, syncengine.Invalid("the item cannot be saved", syncengine.Violation{Field: "item.id", Description: "is required to update an item"})
	}
	it, err := prepare(in)
	if err != nil {
		return nil, err
	}
	var out *contentv1.EditorItem
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		if err := checkRegions(ctx, tx, it.RegionIds); err != nil {
			return err
		}
		r, err := lockItem(ctx, tx, it.Id)
		if err != nil {
			return err
		}
		if err := refuseImported(ctx, tx, it.Id); err != nil {
			return err
		}
		old := r.item
		if expectedVersion != 0 && expectedVersion != old.Version {
			return &syncengine.Error{Code: syncengine.ECONFLICT,
				Message:    "the item was changed by someone else: it is at version " + itoa(old.Version) + ", you edited version " + itoa(expectedVersion) + "; reload it",
				Violations: []syncengine.Violation{{Field: "expected_version", Description: "is " + itoa(expectedVersion) + ", the item is at " + itoa(old.Version)}}}
		}
		if it.Kind != old.Kind {
			return syncengine.Invalid("the item cannot be saved", syncengine.Violation{Field: "item.body",
				Description: "a " + kindName(old.Kind) + " cannot become a " + kindName(it.Kind) + "; create a new item"})
		}
		if err := s.attachImages(ctx, tx, p, it.Id, old.ImageMediaIds, it.ImageMediaIds); err != nil {
			return err
		}
		if r.published {
			if err := s.checkReady(ctx, tx, it.ImageMediaIds); err != nil {
				return err
			}
		}
		now := tx.Now().UnixMilli()
		it.Version, it.PublishedAtUnixMs, it.UpdatedAtUnixMs = old.Version+1, old.PublishedAtUnixMs, now
		r.item, r.updatedBy, r.updatedAt = it, p.UserID, now
		if err := saveVersion(ctx, tx, r); err != nil {
			return err
		}
		place(tx, r)
		if err := markPublished(ctx, tx, r); err != nil {
			return err
		}
		if err := saveItem(ctx, tx, r, false); err != nil {
			return err
		}
		out = r.editorItem(now)
		return nil
	})
	return out, err
}

// PublishItem makes an item visible to its audience during its window
// (publishing a published item changes nothing). An item whose window is
// over, or whose images are not ready, is refused and stays unpublished.
func (s *Service) PublishItem(ctx context.Context, p syncengine.Principal, id string) (*contentv1.EditorItem, error) {
	return s.setPublished(ctx, p, id, true)
}

// UnpublishItem withdraws an item from every phone.
func (s *Service) UnpublishItem(ctx context.Context, p syncengine.Principal, id string) (*contentv1.EditorItem, error) {
	return s.setPublished(ctx, p, id, false)
}

func (s *Service) setPublished(ctx context.Context, p syncengine.Principal, id string, publish bool) (*contentv1.EditorItem, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	var out *contentv1.EditorItem
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		r, err := lockItem(ctx, tx, id)
		if err != nil {
			return err
		}
		now := tx.Now().UnixMilli()
		if r.published == publish {
			out = r.editorItem(now)
			return nil
		}
		if publish {
			if end := r.item.EndsAtUnixMs; end != 0 && end <= now {
				return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: "the item's publish window ended at " + stamp(end) + "; move its end first",
					Violations: []syncengine.Violation{{Field: "item.ends_at_unix_ms", Description: "is in the past"}}}
			}
			if err := s.checkReady(ctx, tx, r.item.ImageMediaIds); err != nil {
				return err
			}
			r.publishedAt, r.item.PublishedAtUnixMs = now, now
			if r.firstPublishedAt == 0 {
				r.firstPublishedAt = now
			}
		}
		r.published, r.updatedBy, r.updatedAt = publish, p.UserID, now
		place(tx, r)
		if err := markPublished(ctx, tx, r); err != nil {
			return err
		}
		if err := saveItem(ctx, tx, r, false); err != nil {
			return err
		}
		out = r.editorItem(now)
		return nil
	})
	return out, err
}

// GetItem returns an item with its sources; moderators and admins only.
func (s *Service) GetItem(ctx context.Context, p syncengine.Principal, id string) (*contentv1.EditorItem, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	var out *contentv1.EditorItem
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		r, err := loadItem(ctx, q, id)
		if err != nil {
			return err
		}
		out = r.editorItem(s.now())
		return nil
	})
	return out, err
}

func checkRegions(ctx context.Context, q syncengine.Querier, regions []string) error {
	var v []syncengine.Violation
	for i, id := range regions {
		var n int64
		if err := q.QueryRow(ctx, `SELECT count(*) FROM regions WHERE id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			v = append(v, syncengine.Violation{Field: "item.region_ids[" + itoa(int64(i)) + "]", Description: "no region " + id})
		}
	}
	if len(v) > 0 {
		return syncengine.Invalid("the item cannot be saved", v...)
	}
	return nil
}

// attachImages references the images added to an item and releases the
// ones removed.
func (s *Service) attachImages(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, itemID string, before, after []string) error {
	added := slices.DeleteFunc(slices.Clone(after), func(m string) bool { return slices.Contains(before, m) })
	removed := slices.DeleteFunc(slices.Clone(before), func(m string) bool { return slices.Contains(after, m) })
	if len(added)+len(removed) == 0 {
		return nil
	}
	if s.cfg.Media == nil {
		return syncengine.Invalid("the item cannot be saved", syncengine.Violation{Field: "item.image_media_ids", Description: "this server keeps no media, so images cannot be attached"})
	}
	for _, m := range added {
		if err := s.cfg.Media.Attach(ctx, tx, m, p.UserID, imageRef(itemID)); err != nil {
			return err
		}
	}
	for _, m := range removed {
		if err := s.cfg.Media.Detach(ctx, tx, m, imageRef(itemID)); err != nil {
			return err
		}
	}
	return nil
}

// checkReady refuses to publish images still uploading or processing.
func (s *Service) checkReady(ctx context.Context, q syncengine.Querier, images []string) error {
	for i, m := range images {
		if s.cfg.Media == nil {
			return syncengine.Errorf(syncengine.EPRECONDITION, "this server keeps no media, so an item with images cannot be published")
		}
		ready, err := s.cfg.Media.Ready(ctx, q, m)
		if err != nil {
			return err
		}
		if !ready {
			return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: "image " + m + " is not ready yet; publish once it has been uploaded and processed",
				Violations: []syncengine.Violation{{Field: "item.image_media_ids[" + itoa(int64(i)) + "]", Description: "is not ready"}}}
		}
	}
	return nil
}
