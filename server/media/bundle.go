package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"time"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Content bundles carry the images of published content from one country
// stack to another: the source reads a ready content image's clean objects
// (ExportContentImage); the destination stores them in its own blob store
// (StoreContentImage) once it has recorded a ready media for them inside
// the import's transaction (RecordContentImage). Images were cleaned by the
// source's pipeline; the destination checks their digests and kind.

// ExportContentImage returns a ready content image's description and the
// bytes of its image and thumbnail.
func (s *Service) ExportContentImage(ctx context.Context, mediaID string) (desc *contentv1.BundleImage, image, thumbnail []byte, err error) {
	m, err := s.load(ctx, mediaID)
	if err != nil {
		return nil, nil, nil, err
	}
	if m.Purpose != mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE || !m.Ready() {
		return nil, nil, nil, syncengine.Errorf(syncengine.EPRECONDITION, "media %s is not a ready content image", mediaID)
	}
	if image, err = s.readObject(ctx, blobKey(m.BlobID, Image)); err != nil {
		return nil, nil, nil, err
	}
	if thumbnail, err = s.readObject(ctx, blobKey(m.BlobID, Thumbnail)); err != nil {
		return nil, nil, nil, err
	}
	is, ts := sha256.Sum256(image), sha256.Sum256(thumbnail)
	return &contentv1.BundleImage{Sha256: is[:], ContentType: m.ContentType, Width: int32(m.Width), Height: int32(m.Height),
		ThumbnailSha256: ts[:], ThumbnailWidth: int32(m.ThumbnailWidth), ThumbnailHeight: int32(m.ThumbnailHeight)}, image, thumbnail, nil
}

func (s *Service) readObject(ctx context.Context, key string) ([]byte, error) {
	rc, err := s.blobs.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", key, err)
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, s.cfg.MaxBytes+1))
}

// CheckContentImage refuses an image of a bundle this server would not
// have accepted from an editor: not a JPEG or PNG, larger than the limit,
// or bytes that do not match the description.
func (s *Service) CheckContentImage(desc *contentv1.BundleImage, image, thumbnail []byte) error {
	for _, b := range [][]byte{image, thumbnail} {
		if int64(len(b)) > s.cfg.MaxBytes {
			return refuse("an image of %d bytes is larger than the %d this server accepts", len(b), s.cfg.MaxBytes)
		}
		format, err := sniff(b)
		if err != nil {
			return err
		}
		if format != desc.ContentType {
			return refuse("an image described as %s is a %s", desc.ContentType, format)
		}
	}
	if s := sha256.Sum256(image); !bytes.Equal(s[:], desc.Sha256) {
		return refuse("an image does not match its digest")
	}
	if s := sha256.Sum256(thumbnail); !bytes.Equal(s[:], desc.ThumbnailSha256) {
		return refuse("a thumbnail does not match its digest")
	}
	return nil
}

// StoreContentImage writes an image of a bundle and its thumbnail as the
// objects of media mediaID. Writing them again is harmless: the id is
// derived from the image's digest.
func (s *Service) StoreContentImage(ctx context.Context, mediaID string, desc *contentv1.BundleImage, image, thumbnail []byte) error {
	if err := s.CheckContentImage(desc, image, thumbnail); err != nil {
		return err
	}
	if err := s.blobs.Put(ctx, blobKey(mediaID, Image), bytes.NewReader(image), int64(len(image)), desc.ContentType); err != nil {
		return fmt.Errorf("storing a bundle's image: %w", err)
	}
	if err := s.blobs.Put(ctx, blobKey(mediaID, Thumbnail), bytes.NewReader(thumbnail), int64(len(thumbnail)), desc.ContentType); err != nil {
		return fmt.Errorf("storing a bundle's thumbnail: %w", err)
	}
	return nil
}

// RecordContentImage records, in tx, a ready content image of ownerID
// whose objects StoreContentImage writes; one recorded already is left as
// it is (added false: its objects are there).
func (s *Service) RecordContentImage(ctx context.Context, tx syncengine.Tx, mediaID, ownerID string, desc *contentv1.BundleImage, size int64) (added bool, err error) {
	now := tx.Now()
	m := &Media{ID: mediaID, OwnerID: ownerID, Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE, Status: ready,
		ContentType: desc.ContentType, Size: size, SHA256: desc.Sha256, BlobID: mediaID,
		Width: int(desc.Width), Height: int(desc.Height), ThumbnailWidth: int(desc.ThumbnailWidth), ThumbnailHeight: int(desc.ThumbnailHeight),
		CreatedAt: now.Truncate(time.Millisecond), UpdatedAt: now.Truncate(time.Millisecond)}
	if added, err = insertMedia(ctx, tx, m); err != nil || !added {
		return false, err
	}
	m.sync(tx)
	return true, nil
}
