package sdk

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
)

// mediaCollection is the collection media records sync under (to their
// owner's user bucket); a record there references the media of its id.
const mediaCollection = mediav1.MediaCollection

// Media states in sdk_media.
const (
	mediaQueued   = 0
	mediaUploaded = 1
	mediaRejected = 2
	mediaCached   = 3
)

// MediaProgress reports an upload (or download) of one media.
type MediaProgress struct {
	MediaID string
	// Sent and Total count bytes.
	Sent, Total int64
	// Done is set when the transfer is over: uploaded (Status is the
	// server's media status) or given up (Err says why).
	Done   bool
	Status mediav1.MediaStatus
	Err    string
}

// AddPhoto copies the photo at path into the replica's storage, without its
// metadata (see StripMetadata), and queues it for upload. It returns the
// media id to reference from records (a case's photos) at once: the upload
// happens in the background, resuming across restarts.
func (r *Replica) AddPhoto(ctx context.Context, path string, purpose mediav1.MediaPurpose) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("sdk: opening the photo: %w", err)
	}
	defer f.Close()
	return r.AddPhotoFrom(ctx, f, purpose)
}

// AddPhotoFrom is AddPhoto for a photo read from src.
func (r *Replica) AddPhotoFrom(ctx context.Context, src io.Reader, purpose mediav1.MediaPurpose) (string, error) {
	if err := r.check(); err != nil {
		return "", err
	}
	if purpose == mediav1.MediaPurpose_MEDIA_PURPOSE_UNSPECIFIED {
		return "", errors.New("sdk: a photo needs a purpose")
	}
	id := uuid.NewString()
	dir := filepath.Join(r.dir, mediaDir)
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("sdk: storing the photo: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	// Hash what is stored and uploaded: the photo after stripping.
	sum := sha256.New()
	counter := &countingWriter{}
	contentType, err := StripMetadata(io.MultiWriter(tmp, sum, counter), src)
	if err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	name := id + extension(contentType)
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return "", err
	}
	err = r.db.update(ctx, func(tx *wtx) error {
		_, err := tx.exec(`INSERT INTO sdk_media (id, media_id, file, sha256, size, content_type, purpose, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`,
			id, id, name, sum.Sum(nil), counter.n, contentType, int32(purpose), r.opts.Now().UnixMilli())
		return err
	})
	if err != nil {
		os.Remove(filepath.Join(dir, name))
		return "", r.wrap(err)
	}
	r.status.update(func(s *Status) { s.MediaQueued++ })
	r.loop.pokeMedia()
	return id, nil
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func extension(contentType string) string {
	if contentType == "image/png" {
		return ".png"
	}
	return ".jpg"
}

// MediaInfo describes a media file in the replica's storage.
type MediaInfo struct {
	ID          string
	Path        string
	SHA256      []byte
	Size        int64
	ContentType string
	// Queued is set until the upload is confirmed; Rejected if the server
	// refused the file (LastError says why).
	Queued    bool
	Rejected  bool
	Attempts  int
	LastError string
}

// MediaFile returns the stored photo of a media id (the upload, or else a
// downloaded image), if the replica has it.
func (r *Replica) MediaFile(ctx context.Context, mediaID string) (MediaInfo, bool, error) {
	if err := r.check(); err != nil {
		return MediaInfo{}, false, err
	}
	var m MediaInfo
	var file string
	var state int
	err := r.db.r.QueryRowContext(ctx, `SELECT media_id, file, sha256, size, content_type, state, attempts, last_error FROM sdk_media
		WHERE media_id = ? ORDER BY state = 3, id LIMIT 1`, mediaID).
		Scan(&m.ID, &file, &m.SHA256, &m.Size, &m.ContentType, &state, &m.Attempts, &m.LastError)
	if errors.Is(err, errNoRows) {
		return MediaInfo{}, false, nil
	}
	if err != nil {
		return MediaInfo{}, false, r.wrap(err)
	}
	m.Path = filepath.Join(r.dir, mediaDir, file)
	m.Queued, m.Rejected = state == mediaQueued, state == mediaRejected
	return m, true, nil
}

// collectMedia deletes stored media no local record references any more:
// downloaded copies and finished uploads whose records left the device
// (their bucket was dropped, or they were deleted). Uploads still queued
// are never collected.
func (r *Replica) collectMedia() {
	var files []string
	err := r.db.update(context.Background(), func(tx *wtx) error {
		rows, err := tx.query(`SELECT id, file FROM sdk_media m WHERE state != 0 AND referenced = 1
			AND NOT EXISTS (SELECT 1 FROM sdk_media_refs f WHERE f.media_id = m.media_id)`)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id, file string
			if err := rows.Scan(&id, &file); err != nil {
				rows.Close()
				return err
			}
			ids, files = append(ids, id), append(files, file)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.exec(`DELETE FROM sdk_media WHERE id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.exec(`DELETE FROM sdk_media_parts WHERE media_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if r.check() == nil {
			r.log.Warn("collecting unreferenced media", "err", err)
		}
		return
	}
	for _, f := range files {
		os.Remove(filepath.Join(r.dir, mediaDir, f))
	}
}

// removeOrphanMedia deletes files in the media directory the database does
// not know: left by a crash between writing a file and recording it, or
// between forgetting one and deleting it.
func (r *Replica) removeOrphanMedia(tx *wtx) error {
	dir := filepath.Join(r.dir, mediaDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	rows, err := tx.query(`SELECT file FROM sdk_media`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			rows.Close()
			return err
		}
		known[f] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range entries {
		if !known[e.Name()] && (strings.HasPrefix(e.Name(), ".tmp-") || !e.IsDir()) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}
