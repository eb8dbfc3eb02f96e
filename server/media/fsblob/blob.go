package fsblob

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
)

// headerSize is the fixed JSON header (space-padded, newline-terminated)
// at the start of every object and part file; the bytes follow. A fixed
// size lets the header be written last, once the SHA-256 is known.
const headerSize = 256

type header struct {
	Size        int64  `json:"size"`
	SHA256      []byte `json:"sha256"`
	ContentType string `json:"content_type,omitempty"`
}

// etag is how a part is named back to the device: derived from its bytes,
// quoted as HTTP and S3 do.
func (h header) etag() string { return `"` + hex.EncodeToString(h.SHA256[:16]) + `"` }

func openBlob(path string) (*os.File, header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, header{}, err
	}
	buf := make([]byte, headerSize)
	var h header
	if _, err := f.ReadAt(buf, 0); err != nil {
		f.Close()
		return nil, header{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(buf))), &h); err != nil {
		f.Close()
		return nil, header{}, fmt.Errorf("%s: corrupt header: %w", path, err)
	}
	return f, h, nil
}

// blobWriter writes a file in tmp/, hashing what it writes; commit fills in
// the header and renames it into place.
type blobWriter struct {
	f           *os.File
	sum         hash.Hash
	n           int64
	contentType string
	done        bool
}

func (s *Store) create(contentType string) (*blobWriter, error) {
	if len(contentType) > 100 {
		contentType = "application/octet-stream"
	}
	name := make([]byte, 12)
	rand.Read(name)
	f, err := os.OpenFile(filepath.Join(s.root, "tmp", hex.EncodeToString(name)), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(headerSize, 0); err != nil {
		f.Close()
		return nil, err
	}
	return &blobWriter{f: f, sum: sha256.New(), contentType: contentType}, nil
}

func (w *blobWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.sum.Write(p[:n])
	w.n += int64(n)
	return n, err
}

func (w *blobWriter) header() header {
	return header{Size: w.n, SHA256: w.sum.Sum(nil), ContentType: w.contentType}
}

// commit makes the file durable at path, replacing what was there.
func (w *blobWriter) commit(path string) error {
	b, err := json.Marshal(w.header())
	if err != nil {
		return err
	}
	if len(b) > headerSize-1 {
		return errors.New("blob header too large")
	}
	buf := []byte(fmt.Sprintf("%-*s\n", headerSize-1, b))
	if _, err := w.f.WriteAt(buf, 0); err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return err
	}
	if err := w.f.Close(); err != nil {
		return err
	}
	w.done = true
	if err := os.Rename(w.f.Name(), path); err != nil {
		os.Remove(w.f.Name())
		return err
	}
	return nil
}

// discard removes the file unless it was committed.
func (w *blobWriter) discard() {
	if !w.done {
		w.f.Close()
		os.Remove(w.f.Name())
	}
}
