package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// CompleteUpload is called once the device has sent every byte. The server
// checks the size and SHA-256 of what storage holds, cleans the image and
// marks the media ready (which syncs). For a multipart upload, parts lists
// what the device sent (number and ETag), checked against what storage
// has; it may be empty.
//
// Content the server refuses (not a JPEG or PNG, damaged, too many pixels,
// or an image cleaning failed on) marks the media rejected and returns
// EINVALID with the reason. Bytes that do not match the size or SHA-256
// are discarded and return EINVALID too, but the media stays uploading:
// CreateUpload again starts a fresh upload. Either way the quarantined
// original, with whatever metadata it carries, is deleted at once.
func (s *Service) CompleteUpload(ctx context.Context, p syncengine.Principal, mediaID string, sent []Part) (*Media, error) {
	if err := authenticated(p); err != nil {
		return nil, err
	}
	m, err := s.owned(ctx, p, mediaID)
	if err != nil {
		return nil, err
	}
	switch m.Status {
	case ready:
		// The original is deleted when the media is finished; a failed
		// deletion, or a presigned PUT sent again since, is caught here.
		return m, s.discard(ctx, m.ID)
	case rejected:
		if err := s.discard(ctx, m.ID); err != nil {
			return nil, err
		}
		return nil, refuse("%s", m.RejectionReason)
	}
	// Activity keeps collection away while the work below runs.
	if err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := setUpload(ctx, tx, m.ID, m.UploadID, m.UploadID)
		return err
	}); err != nil {
		return nil, err
	}
	key := quarantineKey(m.ID)
	if m.PartSize > 0 {
		if err := s.join(ctx, m, sent); err != nil {
			return nil, err
		}
	}
	info, err := s.blobs.Stat(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return s.notUploaded(ctx, m)
	}
	if err != nil {
		return nil, err
	}
	if info.Size != m.Size {
		return nil, s.mismatch(ctx, m, fmt.Sprintf("storage received %d bytes, not the %d announced", info.Size, m.Size))
	}
	if info.SHA256 != nil && !bytes.Equal(info.SHA256, m.SHA256) {
		return nil, s.mismatch(ctx, m, "the bytes received do not match the SHA-256 announced")
	}
	var data []byte
	if info.SHA256 == nil {
		// Storage checked every part but not the whole: read and hash it.
		if data, err = s.read(ctx, m); errors.Is(err, ErrNotFound) {
			return s.notUploaded(ctx, m)
		}
		if err != nil {
			return nil, err
		}
	}
	if done, err := s.linkTwin(ctx, m); done || err != nil {
		return m, err
	}
	if data == nil {
		if data, err = s.read(ctx, m); errors.Is(err, ErrNotFound) {
			return s.notUploaded(ctx, m)
		}
		if err != nil {
			return nil, err
		}
	}
	out, err := s.clean(ctx, m.ID, data)
	if syncengine.ErrorCode(err) == syncengine.EINVALID {
		done := *m
		done.Status, done.RejectionReason = rejected, syncengine.ErrorMessage(err)
		return settle(s.finish(ctx, &done))
	}
	if err != nil {
		return nil, err
	}
	if err := s.blobs.Put(ctx, blobKey(m.ID, Image), bytes.NewReader(out.Image), int64(len(out.Image)), out.ContentType); err != nil {
		return nil, fmt.Errorf("storing the clean image: %w", err)
	}
	if err := s.blobs.Put(ctx, blobKey(m.ID, Thumbnail), bytes.NewReader(out.Thumbnail), int64(len(out.Thumbnail)), out.ContentType); err != nil {
		return nil, fmt.Errorf("storing the thumbnail: %w", err)
	}
	done := *m
	done.Status, done.BlobID, done.ContentType, done.Size = ready, m.ID, out.ContentType, int64(len(out.Image))
	done.Width, done.Height, done.ThumbnailWidth, done.ThumbnailHeight = out.Width, out.Height, out.ThumbnailWidth, out.ThumbnailHeight
	return settle(s.finish(ctx, &done))
}

// settle turns a media that ended up rejected into the error saying why.
func settle(m *Media, err error) (*Media, error) {
	if err == nil && m.Status == rejected {
		return nil, refuse("%s", m.RejectionReason)
	}
	return m, err
}

// join completes a multipart upload once every part is in storage. An
// upload already joined (a retried completion) is left as it is.
func (s *Service) join(ctx context.Context, m *Media, sent []Part) error {
	key := quarantineKey(m.ID)
	if m.UploadID == "" {
		return nil // discarded: Stat will say nothing is there
	}
	have, err := s.blobs.ListParts(ctx, key, m.UploadID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	byNumber := map[int]Part{}
	for _, p := range have {
		byNumber[p.Number] = p
	}
	for _, p := range sent {
		got, ok := byNumber[p.Number]
		if ok && strings.Trim(got.ETag, `"`) != strings.Trim(p.ETag, `"`) {
			return syncengine.Invalid("the parts do not match what storage received",
				syncengine.Violation{Field: "parts", Description: fmt.Sprintf("part %d has ETag %s in storage, not %s", p.Number, got.ETag, p.ETag)})
		}
	}
	n := partCount(m)
	join := make([]Part, 0, n)
	var missing []string
	for i := 1; i <= n; i++ {
		p, ok := byNumber[i]
		if !ok || p.Size != partSize(m, i) {
			missing = append(missing, strconv.Itoa(i))
			continue
		}
		join = append(join, p)
	}
	if len(missing) > 0 {
		return syncengine.Errorf(syncengine.EPRECONDITION, "parts %s of %d of media %s have not been uploaded yet", strings.Join(missing, ", "), n, m.ID)
	}
	if err := s.blobs.CompleteMultipart(ctx, key, m.UploadID, join); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("joining the parts: %w", err)
	}
	return nil
}

// notUploaded answers a completion that found no bytes in quarantine: a
// concurrent completion may have just processed and removed them.
func (s *Service) notUploaded(ctx context.Context, m *Media) (*Media, error) {
	current, err := s.load(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if current.Status != uploading {
		return settle(current, nil)
	}
	return nil, syncengine.Errorf(syncengine.EPRECONDITION, "the file of media %s has not been uploaded yet", m.ID)
}

// read returns the uploaded bytes, checking their size and SHA-256.
func (s *Service) read(ctx context.Context, m *Media) ([]byte, error) {
	rc, err := s.blobs.Get(ctx, quarantineKey(m.ID))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := bytes.NewBuffer(make([]byte, 0, m.Size))
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(buf, h), io.LimitReader(rc, m.Size+1)); err != nil {
		return nil, fmt.Errorf("reading the upload: %w", err)
	}
	if int64(buf.Len()) != m.Size {
		return nil, s.mismatch(ctx, m, fmt.Sprintf("storage holds %d bytes, not the %d announced", buf.Len(), m.Size))
	}
	if !bytes.Equal(h.Sum(nil), m.SHA256) {
		return nil, s.mismatch(ctx, m, "the bytes received do not match the SHA-256 announced")
	}
	return buf.Bytes(), nil
}

// clean runs the image work on one of the service's workers. A panic in
// it (a decoder or encoder fault on some unusual file) refuses that image
// instead of failing the request and leaving the original in quarantine.
func (s *Service) clean(ctx context.Context, mediaID string, data []byte) (out *cleaned, err error) {
	select {
	case s.workers <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.workers }()
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("media: cleaning panicked; the image is refused", "media", mediaID, "panic", r, "stack", string(debug.Stack()))
			out, err = nil, refuse("the server failed to process this image and discarded it; save it as an ordinary JPEG or PNG and upload it again")
		}
	}()
	return s.cleaner(data, s.cfg.Limits)
}

// linkTwin makes m share the clean objects of a ready media of the same
// owner and SHA-256, if there is one (an identical upload finished first).
func (s *Service) linkTwin(ctx context.Context, m *Media) (bool, error) {
	var linked *Media
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		t, err := findTwin(ctx, tx, m.OwnerID, m.SHA256, tx.Dialect().LockRows())
		if err != nil || t == nil {
			return err
		}
		done := *m
		done.Status, done.BlobID, done.ContentType, done.Size = ready, t.BlobID, t.ContentType, t.Size
		done.Width, done.Height, done.ThumbnailWidth, done.ThumbnailHeight = t.Width, t.Height, t.ThumbnailWidth, t.ThumbnailHeight
		done.UpdatedAt = tx.Now()
		ok, err := finishMedia(ctx, tx, &done)
		if err != nil || !ok {
			return err
		}
		done.sync(tx)
		linked = &done
		return nil
	})
	if err != nil || linked == nil {
		return false, err
	}
	*m = *linked
	return true, s.discard(ctx, m.ID)
}

// finish records a ready or rejected media, deletes the quarantine object
// and returns the media as it now is (another completion may have won).
func (s *Service) finish(ctx context.Context, done *Media) (*Media, error) {
	var current *Media
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		done.UpdatedAt = tx.Now()
		ok, err := finishMedia(ctx, tx, done)
		if err != nil {
			return err
		}
		if ok {
			done.sync(tx)
			current = done
			return nil
		}
		current, err = getMedia(ctx, tx, done.ID, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.discard(ctx, done.ID); err != nil {
		return nil, err
	}
	return current, nil
}

// discard deletes the quarantined original of a media, even if the
// request was cancelled: it is the photo as the device sent it, GPS and
// names in its metadata. If storage fails, the device is told to try
// again, and the next completion deletes it (as collection does).
func (s *Service) discard(ctx context.Context, mediaID string) error {
	if err := s.blobs.Delete(context.WithoutCancel(ctx), quarantineKey(mediaID)); err != nil {
		s.log.Error("media: the uploaded original could not be deleted", "media", mediaID, "err", err)
		return syncengine.Errorf(syncengine.EUNAVAILABLE, "storage could not delete the original of media %s yet; complete the upload again", mediaID)
	}
	return nil
}

// mismatch discards bytes that are not the announced file, so a new
// upload can start, and returns the error for the device.
func (s *Service) mismatch(ctx context.Context, m *Media, why string) error {
	ctx = context.WithoutCancel(ctx)
	if err := s.discard(ctx, m.ID); err != nil {
		return err
	}
	if err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := setUpload(ctx, tx, m.ID, m.UploadID, "")
		return err
	}); err != nil {
		return err
	}
	return syncengine.Invalid("the upload of media "+m.ID+" does not match its file; upload it again",
		syncengine.Violation{Field: "sha256", Description: why})
}
