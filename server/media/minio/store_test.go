package minio_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/minio"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var buckets atomic.Int64

func newStore(t *testing.T) *minio.Store {
	srv := testenv.StartMinIO(t)
	s, err := minio.New(context.Background(), minio.Config{
		Endpoint:  srv.Endpoint,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
		Bucket:    fmt.Sprintf("blobtest-%d", buckets.Add(1)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBlobStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) media.BlobStore { return newStore(t) })
}

// The bucket is created at start, and starting again finds it.
func TestBucketCreatedOnce(t *testing.T) {
	srv := testenv.StartMinIO(t)
	cfg := minio.Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Bucket: "ordinator-kz"}
	for i := 0; i < 2; i++ {
		if _, err := minio.New(context.Background(), cfg); err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
	}
	cfg.SecretKey = "wrong"
	if _, err := minio.New(context.Background(), cfg); err == nil {
		t.Fatal("bad credentials accepted")
	}
}

// Presigned requests are signed for the public URL devices use.
func TestPublicURL(t *testing.T) {
	srv := testenv.StartMinIO(t)
	s, err := minio.New(context.Background(), minio.Config{
		Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
		Bucket: "ordinator-pub", PublicURL: "https://media.example.ru",
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := s.PresignGet(context.Background(), "media/x/image", 60e9)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(req.URL, "https://media.example.ru/ordinator-pub/media/x/image?") {
		t.Fatalf("URL %s", req.URL)
	}
}
