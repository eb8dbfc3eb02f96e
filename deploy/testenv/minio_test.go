package testenv_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestMinIOSmoke proves the test MinIO works through minio-go: a bucket, a
// presigned PUT done with plain HTTP, and a stat of what arrived.
func TestMinIOSmoke(t *testing.T) {
	srv := testenv.StartMinIO(t)
	ctx := context.Background()
	c, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""), Secure: false})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MakeBucket(ctx, "smoke", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	u, err := c.PresignedPutObject(ctx, "smoke", "hello.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("hello from a device")
	req, _ := http.NewRequest(http.MethodPut, u.String(), bytes.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %s", res.Status)
	}
	info, err := c.StatObject(ctx, "smoke", "hello.txt", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(body)) {
		t.Fatalf("stored %d bytes, sent %d", info.Size, len(body))
	}
	obj, err := c.GetObject(ctx, "smoke", "hello.txt", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	got.ReadFrom(obj)
	if sha256.Sum256(got.Bytes()) != sha256.Sum256(body) {
		t.Fatal("the object read back differs")
	}
}

// TestPostgresDatabases gives each test its own database from a template.
func TestPostgresDatabases(t *testing.T) {
	tmpl := testenv.Template{Name: "smoke", Version: "1", Migrate: func(ctx context.Context, url string) error {
		return nil
	}}
	a := testenv.PostgresURL(t, tmpl)
	b := testenv.PostgresURL(t, tmpl)
	if a == b {
		t.Fatal("two tests got the same database")
	}
}
