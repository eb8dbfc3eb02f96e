package fsblob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/server/media"
)

// An upload is a directory uploads/<id>/ holding "key" (the object it
// will become) and one file per part received, "part-<n>".

func (s *Store) uploadDir(uploadID string) (string, error) {
	if len(uploadID) != 32 {
		return "", fmt.Errorf("upload %q: %w", uploadID, media.ErrNotFound)
	}
	if _, err := hex.DecodeString(uploadID); err != nil {
		return "", fmt.Errorf("upload %q: %w", uploadID, media.ErrNotFound)
	}
	return filepath.Join(s.root, "uploads", uploadID), nil
}

// openUpload returns the directory of an upload to key.
func (s *Store) openUpload(key, uploadID string) (string, error) {
	dir, err := s.uploadDir(uploadID)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(dir, "key"))
	if err != nil {
		return "", notFound(err, "upload "+uploadID)
	}
	if string(b) != key {
		return "", fmt.Errorf("upload %s is not for %s: %w", uploadID, key, media.ErrNotFound)
	}
	return dir, nil
}

// CreateMultipart implements media.BlobStore.
func (s *Store) CreateMultipart(ctx context.Context, key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	dir := filepath.Join(s.root, "uploads", id)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, "key"), []byte(key)); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return id, nil
}

// ListParts implements media.BlobStore.
func (s *Store) ListParts(ctx context.Context, key, uploadID string) ([]media.Part, error) {
	dir, err := s.openUpload(key, uploadID)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, notFound(err, "upload "+uploadID)
	}
	var parts []media.Part
	for _, e := range entries {
		n, ok := strings.CutPrefix(e.Name(), "part-")
		if !ok {
			continue
		}
		number, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		f, h, err := openBlob(filepath.Join(dir, e.Name()))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		f.Close()
		parts = append(parts, media.Part{Number: number, ETag: h.etag(), Size: h.Size, SHA256: h.SHA256})
	}
	slices.SortFunc(parts, func(a, b media.Part) int { return a.Number - b.Number })
	return parts, nil
}

// CompleteMultipart implements media.BlobStore.
func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []media.Part) error {
	dir, err := s.openUpload(key, uploadID)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return errors.New("complete multipart: no parts")
	}
	files := make([]*os.File, 0, len(parts))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		if i > 0 && p.Number <= parts[i-1].Number {
			return fmt.Errorf("complete multipart: part %d follows part %d", p.Number, parts[i-1].Number)
		}
		f, h, err := openBlob(filepath.Join(dir, "part-"+strconv.Itoa(p.Number)))
		if err != nil {
			return fmt.Errorf("complete multipart: part %d: %w", p.Number, notFound(err, "part"))
		}
		files = append(files, f)
		if strings.Trim(p.ETag, `"`) != strings.Trim(h.etag(), `"`) {
			return fmt.Errorf("complete multipart: part %d: ETag %s does not match %s", p.Number, p.ETag, h.etag())
		}
		if i < len(parts)-1 && h.Size < media.MinPartSize {
			return fmt.Errorf("complete multipart: part %d is %d bytes, smaller than the minimum %d", p.Number, h.Size, media.MinPartSize)
		}
		sizes[i] = h.Size
	}
	w, err := s.create("")
	if err != nil {
		return err
	}
	defer w.discard()
	for i, f := range files {
		if _, err := io.Copy(w, io.NewSectionReader(f, headerSize, sizes[i])); err != nil {
			return err
		}
	}
	if err := w.commit(s.objectPath(key)); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// AbortMultipart implements media.BlobStore.
func (s *Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	dir, err := s.openUpload(key, uploadID)
	if errors.Is(err, media.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// putPart stores a part received by Handler.
func (s *Store) putPart(key, uploadID string, number int, w *blobWriter) error {
	dir, err := s.openUpload(key, uploadID)
	if err != nil {
		return err
	}
	return w.commit(filepath.Join(dir, "part-"+strconv.Itoa(number)))
}
