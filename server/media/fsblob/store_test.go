package fsblob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
)

// serve returns a store in a temp dir whose handler is served on loopback,
// as the main server mounts it.
func serve(t *testing.T, dir string) *fsblob.Store {
	srv := httptest.NewUnstartedServer(nil)
	s, err := fsblob.New(dir, fsblob.Options{BaseURL: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(fsblob.Prefix, s.Handler())
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

func TestBlobStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) media.BlobStore { return serve(t, t.TempDir()) })
}

// URLs signed before a restart still work after it: the key is kept.
func TestSigningKeyPersists(t *testing.T) {
	dir := t.TempDir()
	body := []byte("kept")
	sum := sha256.Sum256(body)
	first := serve(t, dir)
	req, err := first.PresignPut(context.Background(), "quarantine/k", int64(len(body)), sum[:], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	second := serve(t, dir)
	// Point the old request at the new server.
	other, _ := second.PresignGet(context.Background(), "x", time.Minute)
	req.URL = hostOf(other.URL) + req.URL[len(hostOf(req.URL)):]
	if status, _, msg := blobtest.Send(t, req, body, nil); status != http.StatusOK {
		t.Fatalf("after restart: %d %s", status, msg)
	}
	info, err := second.Stat(context.Background(), "quarantine/k")
	if err != nil || !bytes.Equal(info.SHA256, sum[:]) {
		t.Fatalf("stat = %+v, %v", info, err)
	}
}

func hostOf(u string) string {
	i := strings.Index(u, fsblob.Prefix)
	return u[:i]
}

// A process that died mid-write leaves files in tmp/; the next start
// removes them, and objects stay where they were.
func TestLeftoversRemoved(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, dir)
	if err := s.Put(context.Background(), "media/x/image", strings.NewReader("abc"), 3, "image/png"); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "tmp", "half-written")
	if err := os.WriteFile(junk, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	s = serve(t, dir)
	if _, err := os.Stat(junk); !os.IsNotExist(err) {
		t.Fatalf("leftover still there: %v", err)
	}
	if info, err := s.Stat(context.Background(), "media/x/image"); err != nil || info.Size != 3 {
		t.Fatalf("object lost: %+v %v", info, err)
	}
}

func TestBadKeys(t *testing.T) {
	s := serve(t, t.TempDir())
	for _, key := range []string{"", "../etc/passwd", "a//b", "a/./b", "a b", "a%2Fb", strings.Repeat("k", 201)} {
		if err := s.Put(context.Background(), key, strings.NewReader("x"), 1, ""); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "127.0.0.1:8080", "ftp://host"} {
		if _, err := fsblob.New(t.TempDir(), fsblob.Options{BaseURL: base}); err == nil {
			t.Errorf("base URL %q accepted", base)
		}
	}
}
