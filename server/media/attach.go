package media

import (
	"context"

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
