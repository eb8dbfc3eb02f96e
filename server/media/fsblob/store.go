// Package fsblob implements media.BlobStore on a local directory, for
// embedded mode. Its presigned requests are URLs on the Ordinator server
// itself, HMAC-signed, expiring, and bound to their method, key, size and
// SHA-256; Handler serves them and, like S3, refuses a body whose size or
// SHA-256 differs from what was signed or sent in media.ChecksumHeader.
//
// Layout under the root: objects/ (one file per object, named by its
// escaped key), uploads/<id>/ (multipart uploads and their parts), tmp/
// (files being written, renamed into place when complete), signing.key.
package fsblob

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/server/media"
)

// Prefix is the path Handler must be mounted at on the server whose address
// is Options.BaseURL.
const Prefix = "/blobs/"

// Store is a media.BlobStore on a directory.
type Store struct {
	root   string
	base   string
	secret []byte
	now    func() time.Time
}

var _ media.BlobStore = (*Store)(nil)

// Options configure a Store.
type Options struct {
	// BaseURL is where devices reach the server that mounts Handler, e.g.
	// "http://192.168.1.10:8080". Required.
	BaseURL string
	// Now is the clock for URL expiry (default time.Now).
	Now func() time.Time
}

// New opens (creating if needed) a store rooted at dir. The signing key is
// kept in dir, so URLs stay valid across restarts.
func New(dir string, o Options) (*Store, error) {
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("blob base URL %q: want http(s)://host[:port]", o.BaseURL)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	for _, sub := range []string{"objects", "uploads", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("blob directory: %w", err)
		}
	}
	// Whatever is in tmp/ was being written when a previous process died.
	if entries, err := os.ReadDir(filepath.Join(dir, "tmp")); err == nil {
		for _, e := range entries {
			os.RemoveAll(filepath.Join(dir, "tmp", e.Name()))
		}
	}
	secret, err := loadSecret(filepath.Join(dir, "signing.key"))
	if err != nil {
		return nil, err
	}
	return &Store{root: dir, base: strings.TrimRight(o.BaseURL, "/"), secret: secret, now: o.Now}, nil
}

func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob signing key: %w", err)
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := writeFileAtomic(path, b); err != nil {
		return nil, fmt.Errorf("blob signing key: %w", err)
	}
	return b, nil
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// checkKey accepts the keys S3 would that are also safe as one file name:
// printable ASCII, at most 200 bytes, no empty, "." or ".." segment.
func checkKey(key string) error {
	if key == "" || len(key) > 200 {
		return fmt.Errorf("blob key %q: want 1 to 200 bytes", key)
	}
	for _, r := range key {
		if r <= ' ' || r > '~' || r == '%' || r == '\\' {
			return fmt.Errorf("blob key %q: invalid character %q", key, r)
		}
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("blob key %q: empty, . or .. segment", key)
		}
	}
	return nil
}

func (s *Store) objectPath(key string) string {
	return filepath.Join(s.root, "objects", url.PathEscape(key))
}

// Put implements media.BlobStore.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	w, err := s.create(contentType)
	if err != nil {
		return err
	}
	defer w.discard()
	n, err := io.Copy(w, r)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("put %s: read %d bytes, expected %d", key, n, size)
	}
	return w.commit(s.objectPath(key))
}

// Get implements media.BlobStore.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	f, h, err := openBlob(s.objectPath(key))
	if err != nil {
		return nil, notFound(err, key)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, headerSize, h.Size), f}, nil
}

// Stat implements media.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (media.ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return media.ObjectInfo{}, err
	}
	f, h, err := openBlob(s.objectPath(key))
	if err != nil {
		return media.ObjectInfo{}, notFound(err, key)
	}
	f.Close()
	return media.ObjectInfo{Size: h.Size, ContentType: h.ContentType, SHA256: h.SHA256}, nil
}

// Delete implements media.BlobStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := os.Remove(s.objectPath(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func notFound(err error, what string) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", what, media.ErrNotFound)
	}
	return err
}
