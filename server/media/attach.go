package media

import (
	"context"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Attach records, inside the caller's transaction, that ref (such as
// "case:<id>") uses a media of ownerID, so the media is never collected
// while the reference lasts. The media may still be uploading; a rejected
// one cannot be attached. Attaching again is harmless. It returns the media
// as it is, for callers that need it ready.
func Attach(ctx context.Context, tx syncengine.Tx, mediaID, ownerID, ref string) (*Media, error) {
	if ref == "" || len(ref) > 200 {
		return nil, syncengine.Invalid("invalid media reference", syncengine.Violation{Field: "ref", Description: "must be 1 to 200 characters"})
	}
	m, err := getMedia(ctx, tx, mediaID, tx.Dialect().LockRows())
	if err != nil {
		return nil, err
	}
	if m.OwnerID != ownerID {
		return nil, syncengine.Errorf(syncengine.EPERMISSION, "media %s belongs to another user", mediaID)
	}
	if m.Status == rejected {
		return nil, syncengine.Errorf(syncengine.EPRECONDITION, "media %s was rejected: %s", mediaID, m.RejectionReason)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO media_refs (media_id, ref, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		mediaID, ref, tx.Now().UnixMilli()); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE media SET unattached_since = NULL WHERE id = $1`, mediaID); err != nil {
		return nil, err
	}
	return m, nil
}

// Detach removes a reference; once a media has none left, it is collected
// after the retention.
func Detach(ctx context.Context, tx syncengine.Tx, mediaID, ref string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM media_refs WHERE media_id = $1 AND ref = $2`, mediaID, ref); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE media SET unattached_since = $2
		WHERE id = $1 AND unattached_since IS NULL AND NOT EXISTS (SELECT 1 FROM media_refs WHERE media_id = $1)`,
		mediaID, tx.Now().UnixMilli())
	return err
}

// ContentImages is what the content module asks of media for the images of
// its items: Attach also refuses a media uploaded for another purpose than
// MEDIA_PURPOSE_CONTENT_IMAGE, and Ready says whether an image is processed.
type ContentImages struct{}

// Attach attaches a content image of editorID's to ref.
func (ContentImages) Attach(ctx context.Context, tx syncengine.Tx, mediaID, editorID, ref string) error {
	m, err := Attach(ctx, tx, mediaID, editorID, ref)
	if err != nil {
		return err
	}
	if m.Purpose != mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE {
		return syncengine.Invalid("not a content image", syncengine.Violation{Field: "image_media_ids", Description: mediaID + " was uploaded for another purpose"})
	}
	return nil
}

// Detach removes a reference.
func (ContentImages) Detach(ctx context.Context, tx syncengine.Tx, mediaID, ref string) error {
	return Detach(ctx, tx, mediaID, ref)
}

// Ready reports whether the image is processed.
func (ContentImages) Ready(ctx context.Context, q syncengine.Querier, mediaID string) (bool, error) {
	m, err := Lookup(ctx, q, mediaID)
	if err != nil {
		return false, err
	}
	return m.Ready(), nil
}
