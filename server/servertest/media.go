package servertest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/media/minio"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Blob stores media tests run on.
const (
	FSBlob = "fsblob"
	MinIO  = "minio"
)

// Backend is a database and a blob store a test runs on.
type Backend struct {
	DB    syncengine.Dialect
	Blobs string // FSBlob or MinIO
}

func (b Backend) String() string { return string(b.DB) + "+" + b.Blobs }

// Backends are the pairs tests of a module that stores photos run on: each
// dialect and each blob store, the production pair and the embedded one
// among them, crossed so that neither pairing is assumed.
var Backends = []Backend{
	{syncengine.SQLite, FSBlob},
	{syncengine.SQLite, MinIO},
	{syncengine.Postgres, MinIO},
	{syncengine.Postgres, FSBlob},
}

var buckets atomic.Int64

// Blobs opens an empty blob store of a kind: FSBlob, a directory whose
// presigned requests go to baseURL and are served by the handler returned
// (mount it at fsblob.Prefix), or MinIO, a new bucket of the test MinIO
// (no handler).
func Blobs(t testing.TB, kind, baseURL string) (media.BlobStore, http.Handler) {
	t.Helper()
	switch kind {
	case FSBlob:
		s, err := fsblob.New(t.TempDir(), fsblob.Options{BaseURL: baseURL})
		if err != nil {
			t.Fatal(err)
		}
		return s, s.Handler()
	case MinIO:
		m := testenv.StartMinIO(t)
		s, err := minio.New(context.Background(), minio.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey,
			Bucket: fmt.Sprintf("blobs-%d", buckets.Add(1))})
		if err != nil {
			t.Fatal(err)
		}
		return s, nil
	}
	t.Fatalf("unknown blob store %q", kind)
	return nil, nil
}

// MediaClient is a device's MediaService client doing what the SDK's media
// queue does: register a file by digest, send its bytes with the presigned
// requests (in one PUT or in parts), confirm, and download.
type MediaClient struct {
	t testing.TB
	mediav1connect.MediaServiceClient
	// Purpose is what MustCreate and Upload register files for.
	Purpose mediav1.MediaPurpose
	// Sent counts the parts sent, by number.
	Sent map[int32]int
}

// NewMediaClient returns a client of the MediaService at url registering
// case photos.
func NewMediaClient(t testing.TB, url string, opts ...connect.ClientOption) *MediaClient {
	return &MediaClient{t: t, MediaServiceClient: mediav1connect.NewMediaServiceClient(http.DefaultClient, url, opts...),
		Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO, Sent: map[int32]int{}}
}

// Create registers a file for an upload.
func (c *MediaClient) Create(id string, file []byte, purpose mediav1.MediaPurpose) (*mediav1.CreateUploadResponse, error) {
	sum := sha256.Sum256(file)
	res, err := c.CreateUpload(context.Background(), connect.NewRequest(&mediav1.CreateUploadRequest{
		MediaId: id, Sha256: sum[:], Size: int64(len(file)), ContentType: "image/jpeg", Purpose: purpose,
	}))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

// MustCreate registers a file for c.Purpose and fails the test if it
// cannot.
func (c *MediaClient) MustCreate(id string, file []byte) *mediav1.CreateUploadResponse {
	c.t.Helper()
	res, err := c.Create(id, file, c.Purpose)
	if err != nil {
		c.t.Fatalf("CreateUpload %s: %v", id, err)
	}
	return res
}

// Request is a presigned request as the media service made it.
func Request(r *mediav1.HTTPRequest) media.Request {
	return media.Request{Method: r.GetMethod(), URL: r.GetUrl(), Header: r.GetHeaders(), Expires: time.UnixMilli(r.GetExpiresAtUnixMs())}
}

// Put sends body with a single upload's request and returns the status.
func (c *MediaClient) Put(res *mediav1.CreateUploadResponse, body []byte) int {
	c.t.Helper()
	status, _, _ := blobtest.Send(c.t, Request(res.GetSingle().GetRequest()), body, nil)
	return status
}

// PutParts sends the parts of a multipart upload whose numbers are given
// (all it asks for if none), cut from file, and returns what it sent.
func (c *MediaClient) PutParts(res *mediav1.CreateUploadResponse, file []byte, numbers ...int32) []*mediav1.CompletedPart {
	c.t.Helper()
	mp := res.GetMultipart()
	var out []*mediav1.CompletedPart
	for _, p := range mp.GetParts() {
		if len(numbers) > 0 && !slices.Contains(numbers, p.GetNumber()) {
			continue
		}
		chunk := file[p.GetOffset() : p.GetOffset()+p.GetSize()]
		status, h, msg := blobtest.Send(c.t, Request(p.GetRequest()), chunk, map[string]string{mp.GetPartChecksumHeader(): blobtest.Checksum(chunk)})
		if status != http.StatusOK {
			c.t.Fatalf("part %d: %d %s", p.GetNumber(), status, msg)
		}
		c.Sent[p.GetNumber()]++
		out = append(out, &mediav1.CompletedPart{Number: p.GetNumber(), Etag: h.Get("ETag")})
	}
	return out
}

// Complete confirms an upload.
func (c *MediaClient) Complete(id string, parts ...*mediav1.CompletedPart) (*mediav1.Media, error) {
	res, err := c.CompleteUpload(context.Background(), connect.NewRequest(&mediav1.CompleteUploadRequest{MediaId: id, Parts: parts}))
	if err != nil {
		return nil, err
	}
	return res.Msg.GetMedia(), nil
}

// Send sends a registered file's bytes as the upload asks (one PUT or its
// parts) and confirms it, failing the test on an error.
func (c *MediaClient) Send(id string, file []byte, res *mediav1.CreateUploadResponse) *mediav1.Media {
	c.t.Helper()
	var parts []*mediav1.CompletedPart
	switch {
	case res.GetSingle() != nil:
		if status := c.Put(res, file); status != http.StatusOK {
			c.t.Fatalf("PUT %s: %d", id, status)
		}
	case res.GetMultipart() != nil:
		parts = c.PutParts(res, file)
	}
	m, err := c.Complete(id, parts...)
	if err != nil {
		c.t.Fatalf("CompleteUpload %s: %v", id, err)
	}
	return m
}

// Upload registers a file for c.Purpose, sends it and confirms it.
func (c *MediaClient) Upload(id string, file []byte) *mediav1.Media {
	c.t.Helper()
	return c.Send(id, file, c.MustCreate(id, file))
}

// Download fetches a variant of a media through a download URL.
func (c *MediaClient) Download(id string, v mediav1.MediaVariant) ([]byte, error) {
	res, err := c.GetDownloadUrl(context.Background(), connect.NewRequest(&mediav1.GetDownloadUrlRequest{MediaId: id, Variant: v}))
	if err != nil {
		return nil, err
	}
	status, _, body := blobtest.Send(c.t, Request(res.Msg.GetRequest()), nil, nil)
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET: %d %s", status, body)
	}
	return body, nil
}
