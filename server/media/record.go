package media

import (
	"context"
	"database/sql"
	"errors"
	"time"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

const (
	uploading = mediav1.MediaStatus_MEDIA_STATUS_UPLOADING
	ready     = mediav1.MediaStatus_MEDIA_STATUS_READY
	rejected  = mediav1.MediaStatus_MEDIA_STATUS_REJECTED
)

const mediaColumns = `id, owner_id, purpose, status, content_type, size, sha256, upload_id, part_size, blob_id,
	width, height, thumbnail_width, thumbnail_height, rejection_reason, created_at, updated_at`

func scanMedia(row syncengine.Row) (*Media, error) {
	var m Media
	var purpose, status, width, height, tw, th, created, updated int64
	err := row.Scan(&m.ID, &m.OwnerID, &purpose, &status, &m.ContentType, &m.Size, &m.SHA256, &m.UploadID, &m.PartSize, &m.BlobID,
		&width, &height, &tw, &th, &m.RejectionReason, &created, &updated)
	if err != nil {
		return nil, err
	}
	m.Purpose, m.Status = mediav1.MediaPurpose(purpose), mediav1.MediaStatus(status)
	m.Width, m.Height, m.ThumbnailWidth, m.ThumbnailHeight = int(width), int(height), int(tw), int(th)
	m.CreatedAt, m.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return &m, nil
}

// Lookup returns a media by id, or an ENOTFOUND error.
func Lookup(ctx context.Context, q syncengine.Querier, mediaID string) (*Media, error) {
	return getMedia(ctx, q, mediaID, "")
}

func getMedia(ctx context.Context, q syncengine.Querier, id, lock string) (*Media, error) {
	m, err := scanMedia(q.QueryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, syncengine.Errorf(syncengine.ENOTFOUND, "there is no media %s", id)
	}
	return m, err
}

// findTwin returns a ready media of owner with the same SHA-256, or nil.
func findTwin(ctx context.Context, q syncengine.Querier, owner string, sum []byte, lock string) (*Media, error) {
	m, err := scanMedia(q.QueryRow(ctx, `SELECT `+mediaColumns+` FROM media
		WHERE owner_id = $1 AND sha256 = $2 AND status = $3 ORDER BY created_at LIMIT 1`+lock, owner, sum, int64(ready)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return m, err
}

// insertMedia adds a new media, unattached; it reports false if the id is
// taken.
func insertMedia(ctx context.Context, tx syncengine.Tx, m *Media) (bool, error) {
	now := tx.Now().UnixMilli()
	n, err := tx.Exec(ctx, `INSERT INTO media (`+mediaColumns+`, touched_at, unattached_since)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		ON CONFLICT (id) DO NOTHING`,
		m.ID, m.OwnerID, int64(m.Purpose), int64(m.Status), m.ContentType, m.Size, m.SHA256, m.UploadID, m.PartSize, m.BlobID,
		int64(m.Width), int64(m.Height), int64(m.ThumbnailWidth), int64(m.ThumbnailHeight), m.RejectionReason,
		m.CreatedAt.UnixMilli(), m.UpdatedAt.UnixMilli(), now, now)
	return n == 1, err
}

// finishMedia records an uploading media as ready or rejected, unless
// another call got there first; it reports whether it did.
func finishMedia(ctx context.Context, tx syncengine.Tx, m *Media) (bool, error) {
	n, err := tx.Exec(ctx, `UPDATE media SET status = $2, content_type = $3, size = $4, upload_id = '', blob_id = $5,
		width = $6, height = $7, thumbnail_width = $8, thumbnail_height = $9, rejection_reason = $10, updated_at = $11, touched_at = $11
		WHERE id = $1 AND status = $12`,
		m.ID, int64(m.Status), m.ContentType, m.Size, m.BlobID, int64(m.Width), int64(m.Height),
		int64(m.ThumbnailWidth), int64(m.ThumbnailHeight), m.RejectionReason, m.UpdatedAt.UnixMilli(), int64(uploading))
	return n == 1, err
}

// setUpload records the storage upload of an uploading media, if it is
// still expected, and marks activity.
func setUpload(ctx context.Context, tx syncengine.Tx, id, expected, uploadID string) (bool, error) {
	n, err := tx.Exec(ctx, `UPDATE media SET upload_id = $3, touched_at = $4 WHERE id = $1 AND upload_id = $2 AND status = $5`,
		id, expected, uploadID, tx.Now().UnixMilli(), int64(uploading))
	return n == 1, err
}

// countUploading returns how many uploads owner has in progress.
func countUploading(ctx context.Context, q syncengine.Querier, owner string) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT count(*) FROM media WHERE owner_id = $1 AND status = $2`, owner, int64(uploading)).Scan(&n)
	return n, err
}

// Refs returns what references a media, sorted.
func Refs(ctx context.Context, q syncengine.Querier, mediaID string) ([]string, error) {
	return sqlq.Strings(ctx, q, `SELECT ref FROM media_refs WHERE media_id = $1 ORDER BY ref`, mediaID)
}
