package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/google/uuid"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// UploadRequest registers a file a device wants to upload.
type UploadRequest struct {
	// MediaID is chosen by the device (a UUID), so that retries and
	// restarts resume the same upload.
	MediaID     string
	SHA256      []byte
	Size        int64
	ContentType string
	Purpose     mediav1.MediaPurpose
}

// Upload says where the bytes go. Single and Multipart are both nil when
// nothing needs uploading: the media is ready (the owner already stored
// the same file) or was rejected.
type Upload struct {
	Media     *Media
	Single    *Request
	Multipart *MultipartUpload
}

// MultipartUpload is an upload in parts.
type MultipartUpload struct {
	UploadID string
	PartSize int64
	// Parts still to send, presigned; each is sent with ChecksumHeader
	// holding the SHA-256 of its bytes.
	Parts []PresignedPart
	// Uploaded lists the parts storage already has.
	Uploaded []Part
}

// PresignedPart is bytes [Offset, Offset+Size) of the file.
type PresignedPart struct {
	Number  int
	Offset  int64
	Size    int64
	Request Request
}

var errRetry = errors.New("media changed underneath; retry")

func (s *Service) validate(in UploadRequest) error {
	var vs []syncengine.Violation
	if u, err := uuid.Parse(in.MediaID); err != nil || len(in.MediaID) != 36 || u == uuid.Nil {
		vs = append(vs, syncengine.Violation{Field: "media_id", Description: "must be a UUID"})
	}
	if len(in.SHA256) != 32 {
		vs = append(vs, syncengine.Violation{Field: "sha256", Description: "must be the 32 bytes of a SHA-256"})
	}
	switch {
	case in.Size <= 0:
		vs = append(vs, syncengine.Violation{Field: "size", Description: "must be positive"})
	case in.Size > s.cfg.MaxBytes:
		vs = append(vs, syncengine.Violation{Field: "size", Description: fmt.Sprintf("the file is %d bytes; at most %d are accepted", in.Size, s.cfg.MaxBytes)})
	}
	if in.ContentType != formatJPEG && in.ContentType != formatPNG {
		vs = append(vs, syncengine.Violation{Field: "content_type", Description: "only image/jpeg and image/png are accepted"})
	}
	if _, ok := mediav1.MediaPurpose_name[int32(in.Purpose)]; !ok || in.Purpose == mediav1.MediaPurpose_MEDIA_PURPOSE_UNSPECIFIED {
		vs = append(vs, syncengine.Violation{Field: "purpose", Description: "must be a known purpose"})
	}
	if len(vs) > 0 {
		return syncengine.Invalid("invalid upload", vs...)
	}
	return nil
}

// CreateUpload registers a file by its SHA-256 and returns where to put
// it. Called again with the same media id it resumes: the same upload,
// fresh requests for what is still missing, and the parts already received.
func (s *Service) CreateUpload(ctx context.Context, p syncengine.Principal, in UploadRequest) (*Upload, error) {
	if err := authenticated(p); err != nil {
		return nil, err
	}
	if err := s.validate(in); err != nil {
		return nil, err
	}
	for range 5 {
		m, err := s.load(ctx, in.MediaID)
		var up *Upload
		switch {
		case err == nil:
			up, err = s.resume(ctx, p, m, in)
		case syncengine.ErrorCode(err) == syncengine.ENOTFOUND:
			up, err = s.create(ctx, p, in)
		}
		if !errors.Is(err, errRetry) {
			return up, err
		}
	}
	return nil, syncengine.Errorf(syncengine.EUNAVAILABLE, "media %s is changing; try again", in.MediaID)
}

// create registers a new media: ready at once if the owner already has the
// same file, else uploading.
func (s *Service) create(ctx context.Context, p syncengine.Principal, in UploadRequest) (*Upload, error) {
	var twin *Media
	if err := s.view(ctx, func(q syncengine.Querier) error {
		var err error
		twin, err = findTwin(ctx, q, p.UserID, in.SHA256, "")
		return err
	}); err != nil {
		return nil, err
	}
	m := &Media{ID: in.MediaID, OwnerID: p.UserID, Purpose: in.Purpose, Status: uploading,
		ContentType: in.ContentType, Size: in.Size, SHA256: in.SHA256}
	key := quarantineKey(m.ID)
	if twin == nil && in.Size > s.cfg.PartSize {
		m.PartSize = s.cfg.PartSize
		var err error
		if m.UploadID, err = s.blobs.CreateMultipart(ctx, key); err != nil {
			return nil, fmt.Errorf("starting a multipart upload: %w", err)
		}
	}
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		m.CreatedAt, m.UpdatedAt = tx.Now(), tx.Now()
		if twin != nil {
			// Lock the twin so collection cannot take its objects away.
			t, err := findTwin(ctx, tx, p.UserID, in.SHA256, tx.Dialect().LockRows())
			if err != nil {
				return err
			}
			if t == nil {
				return errRetry
			}
			m.Status, m.BlobID, m.ContentType, m.Size = ready, t.BlobID, t.ContentType, t.Size
			m.Width, m.Height, m.ThumbnailWidth, m.ThumbnailHeight = t.Width, t.Height, t.ThumbnailWidth, t.ThumbnailHeight
		} else {
			n, err := countUploading(ctx, tx, p.UserID)
			if err != nil {
				return err
			}
			if n >= int64(s.cfg.MaxPending) {
				return syncengine.Errorf(syncengine.ERATELIMIT, "you have %d uploads in progress; finish some first", n)
			}
		}
		inserted, err := insertMedia(ctx, tx, m)
		if err != nil {
			return err
		}
		if !inserted {
			return errRetry // created meanwhile by a retry: resume it
		}
		m.sync(tx)
		return nil
	})
	if err != nil {
		if m.UploadID != "" {
			s.blobs.AbortMultipart(context.WithoutCancel(ctx), key, m.UploadID)
		}
		return nil, err
	}
	if m.Status == ready {
		return &Upload{Media: m}, nil
	}
	return s.presign(ctx, m, nil)
}

// resume answers a repeated CreateUpload.
func (s *Service) resume(ctx context.Context, p syncengine.Principal, m *Media, in UploadRequest) (*Upload, error) {
	if m.OwnerID != p.UserID {
		return nil, syncengine.Errorf(syncengine.EPERMISSION, "media %s belongs to another user", m.ID)
	}
	if !bytes.Equal(m.SHA256, in.SHA256) || m.Purpose != in.Purpose || (m.Status == uploading && m.Size != in.Size) {
		return nil, syncengine.Errorf(syncengine.ECONFLICT, "media %s was created for another file; use a new media id", m.ID)
	}
	if m.Status != uploading {
		return &Upload{Media: m}, nil
	}
	key := quarantineKey(m.ID)
	var uploaded []Part
	if m.PartSize > 0 {
		var err error
		if m.UploadID != "" {
			uploaded, err = s.blobs.ListParts(ctx, key, m.UploadID)
		}
		if m.UploadID == "" || errors.Is(err, ErrNotFound) {
			// Completed into the object already, or discarded (collected,
			// or the bytes did not match): start over unless the object is
			// there.
			if _, statErr := s.blobs.Stat(ctx, key); statErr == nil {
				return &Upload{Media: m, Multipart: &MultipartUpload{UploadID: m.UploadID, PartSize: m.PartSize, Uploaded: allParts(m)}}, nil
			}
			return nil, s.restartMultipart(ctx, m)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		_, err := setUpload(ctx, tx, m.ID, m.UploadID, m.UploadID)
		return err
	}); err != nil {
		return nil, err
	}
	return s.presign(ctx, m, uploaded)
}

// restartMultipart gives a media a new multipart upload, then asks the
// caller to retry.
func (s *Service) restartMultipart(ctx context.Context, m *Media) error {
	key := quarantineKey(m.ID)
	id, err := s.blobs.CreateMultipart(ctx, key)
	if err != nil {
		return fmt.Errorf("starting a multipart upload: %w", err)
	}
	var swapped bool
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		var err error
		swapped, err = setUpload(ctx, tx, m.ID, m.UploadID, id)
		return err
	})
	if err != nil || !swapped {
		s.blobs.AbortMultipart(context.WithoutCancel(ctx), key, id)
	}
	if err == nil && m.UploadID != "" {
		s.blobs.AbortMultipart(ctx, key, m.UploadID)
	}
	if err != nil {
		return err
	}
	return errRetry
}

// partCount returns the number of parts of a multipart media.
func partCount(m *Media) int { return int((m.Size + m.PartSize - 1) / m.PartSize) }

func partSize(m *Media, n int) int64 { return min(m.PartSize, m.Size-int64(n-1)*m.PartSize) }

// allParts stands for the parts of an upload already joined.
func allParts(m *Media) []Part {
	out := make([]Part, partCount(m))
	for i := range out {
		out[i] = Part{Number: i + 1, Size: partSize(m, i+1)}
	}
	return out
}

// presign returns fresh requests for what is left to upload.
func (s *Service) presign(ctx context.Context, m *Media, uploaded []Part) (*Upload, error) {
	key := quarantineKey(m.ID)
	if m.PartSize == 0 {
		r, err := s.blobs.PresignPut(ctx, key, m.Size, m.SHA256, s.cfg.UploadTTL)
		if err != nil {
			return nil, err
		}
		return &Upload{Media: m, Single: &r}, nil
	}
	have := map[int]Part{}
	for _, p := range uploaded {
		have[p.Number] = p
	}
	mp := &MultipartUpload{UploadID: m.UploadID, PartSize: m.PartSize}
	for n := 1; n <= partCount(m); n++ {
		size := partSize(m, n)
		if p, ok := have[n]; ok && p.Size == size {
			mp.Uploaded = append(mp.Uploaded, p)
			continue
		}
		r, err := s.blobs.PresignPart(ctx, key, m.UploadID, n, size, s.cfg.UploadTTL)
		if err != nil {
			return nil, err
		}
		mp.Parts = append(mp.Parts, PresignedPart{Number: n, Offset: int64(n-1) * m.PartSize, Size: size, Request: r})
	}
	return &Upload{Media: m, Multipart: mp}, nil
}

// Ingest stores a file the server itself holds for p, as a device's upload
// would end: registered, stored, cleaned and ready (the demo's photos). A
// file too large for one upload is refused.
func (s *Service) Ingest(ctx context.Context, p syncengine.Principal, id string, purpose mediav1.MediaPurpose, contentType string, data []byte) (*Media, error) {
	sum := sha256.Sum256(data)
	up, err := s.CreateUpload(ctx, p, UploadRequest{MediaID: id, SHA256: sum[:], Size: int64(len(data)), ContentType: contentType, Purpose: purpose})
	if err != nil {
		return nil, err
	}
	switch {
	case up.Multipart != nil:
		return nil, syncengine.Invalid("too large to ingest", syncengine.Violation{Field: "size", Description: fmt.Sprintf("at most %d bytes in one piece", s.cfg.PartSize)})
	case up.Single == nil:
		return up.Media, nil
	}
	if err := s.blobs.Put(ctx, quarantineKey(id), bytes.NewReader(data), int64(len(data)), contentType); err != nil {
		return nil, err
	}
	return s.CompleteUpload(ctx, p, id, nil)
}
