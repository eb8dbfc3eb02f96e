// Package minio implements media.BlobStore on MinIO, or any S3-compatible
// storage, through minio-go v7. A deployment (one region) keeps its media
// in one bucket, created at start. Presigned PUTs carry the object's
// SHA-256 in their signature (x-amz-checksum-sha256) and multipart uploads
// are created with the SHA-256 checksum algorithm, so storage itself
// refuses a body that does not match.
package minio

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/ordinatorhq/ordinator/server/media"
)

// Config says where the storage is.
type Config struct {
	// Endpoint is host[:port] of the S3 API as the server reaches it.
	Endpoint  string
	AccessKey string
	SecretKey string
	// Secure uses HTTPS.
	Secure bool
	// Bucket is this region's bucket, created if missing.
	Bucket string
	// Region is the signing region (default "us-east-1", MinIO's).
	Region string
	// PublicURL is where devices reach the same storage, e.g.
	// "https://media.example.ru", when it differs from Endpoint (a private
	// address inside the cluster). Presigned requests are signed for it.
	PublicURL string
}

// Store is a media.BlobStore on one bucket.
type Store struct {
	client *miniogo.Client
	core   *miniogo.Core
	signer *miniogo.Client // for presigning, with the public endpoint
	bucket string
}

var _ media.BlobStore = (*Store)(nil)

// New connects to the storage and creates the bucket if it does not exist.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	creds := credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	client, err := miniogo.New(cfg.Endpoint, &miniogo.Options{Creds: creds, Secure: cfg.Secure, Region: cfg.Region})
	if err != nil {
		return nil, fmt.Errorf("object storage %s: %w", cfg.Endpoint, err)
	}
	signer := client
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("object storage public URL %q: want http(s)://host[:port]", cfg.PublicURL)
		}
		// With the region given, presigning is local: this client never
		// connects anywhere.
		signer, err = miniogo.New(u.Host, &miniogo.Options{Creds: creds, Secure: u.Scheme == "https", Region: cfg.Region})
		if err != nil {
			return nil, err
		}
	}
	s := &Store{client: client, core: &miniogo.Core{Client: client}, signer: signer, bucket: cfg.Bucket}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("object storage %s: %w", cfg.Endpoint, err)
	}
	if !exists {
		err := client.MakeBucket(ctx, cfg.Bucket, miniogo.MakeBucketOptions{Region: cfg.Region})
		if err != nil && miniogo.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" {
			return nil, fmt.Errorf("creating bucket %s: %w", cfg.Bucket, err)
		}
	}
	return s, nil
}

// Bucket returns the store's bucket.
func (s *Store) Bucket() string { return s.bucket }

// notFound turns S3's "no such key/upload" into media.ErrNotFound.
func notFound(err error, what string) error {
	switch miniogo.ToErrorResponse(err).Code {
	case "NoSuchKey", "NoSuchUpload":
		return fmt.Errorf("%s: %w", what, media.ErrNotFound)
	}
	return err
}

// Put implements media.BlobStore.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := s.client.PutObject(ctx, s.bucket, key, r, size, miniogo.PutObjectOptions{ContentType: contentType})
	return err
}

// Get implements media.BlobStore.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, _, _, err := s.core.GetObject(ctx, s.bucket, key, miniogo.GetObjectOptions{})
	if err != nil {
		return nil, notFound(err, key)
	}
	return rc, nil
}

// Stat implements media.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (media.ObjectInfo, error) {
	info, err := s.client.StatObject(ctx, s.bucket, key, miniogo.StatObjectOptions{Checksum: true})
	if err != nil {
		return media.ObjectInfo{}, notFound(err, key)
	}
	out := media.ObjectInfo{Size: info.Size, ContentType: info.ContentType}
	// A multipart object has a checksum of its parts' checksums ("...-N"),
	// which says nothing about the whole.
	if sum, err := base64.StdEncoding.DecodeString(info.ChecksumSHA256); err == nil && len(sum) == 32 {
		out.SHA256 = sum
	}
	return out, nil
}

// Delete implements media.BlobStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.client.RemoveObject(ctx, s.bucket, key, miniogo.RemoveObjectOptions{})
}

// PresignPut implements media.BlobStore: the SHA-256 and the length are
// signed, so MinIO refuses any other body.
func (s *Store) PresignPut(ctx context.Context, key string, size int64, sum []byte, ttl time.Duration) (media.Request, error) {
	if len(sum) != 32 {
		return media.Request{}, errors.New("presign put: want a SHA-256")
	}
	checksum := base64.StdEncoding.EncodeToString(sum)
	h := http.Header{}
	h.Set(media.ChecksumHeader, checksum)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	return s.presign(ctx, http.MethodPut, key, ttl, nil, h, map[string]string{media.ChecksumHeader: checksum})
}

// CreateMultipart implements media.BlobStore.
func (s *Store) CreateMultipart(ctx context.Context, key string) (string, error) {
	return s.core.NewMultipartUpload(ctx, s.bucket, key, miniogo.PutObjectOptions{
		// Every part must then come with its x-amz-checksum-sha256, which
		// MinIO verifies.
		UserMetadata: map[string]string{"X-Amz-Checksum-Algorithm": "SHA256"},
	})
}

// PresignPart implements media.BlobStore.
func (s *Store) PresignPart(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (media.Request, error) {
	q := url.Values{"partNumber": {strconv.Itoa(number)}, "uploadId": {uploadID}}
	h := http.Header{}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	return s.presign(ctx, http.MethodPut, key, ttl, q, h, nil)
}

// ListParts implements media.BlobStore.
func (s *Store) ListParts(ctx context.Context, key, uploadID string) ([]media.Part, error) {
	var parts []media.Part
	marker := 0
	for {
		res, err := s.core.ListObjectParts(ctx, s.bucket, key, uploadID, marker, 1000)
		if err != nil {
			return nil, notFound(err, "upload "+uploadID)
		}
		for _, p := range res.ObjectParts {
			sum, _ := base64.StdEncoding.DecodeString(p.ChecksumSHA256)
			parts = append(parts, media.Part{Number: p.PartNumber, ETag: p.ETag, Size: p.Size, SHA256: sum})
		}
		if !res.IsTruncated {
			return parts, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// CompleteMultipart implements media.BlobStore.
func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []media.Part) error {
	cps := make([]miniogo.CompletePart, len(parts))
	for i, p := range parts {
		cps[i] = miniogo.CompletePart{PartNumber: p.Number, ETag: p.ETag}
		if len(p.SHA256) > 0 {
			cps[i].ChecksumSHA256 = base64.StdEncoding.EncodeToString(p.SHA256)
		}
	}
	_, err := s.core.CompleteMultipartUpload(ctx, s.bucket, key, uploadID, cps, miniogo.PutObjectOptions{})
	return notFound(err, "upload "+uploadID)
}

// AbortMultipart implements media.BlobStore.
func (s *Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	err := s.core.AbortMultipartUpload(ctx, s.bucket, key, uploadID)
	if err != nil && miniogo.ToErrorResponse(err).Code == "NoSuchUpload" {
		return nil
	}
	return err
}

// PresignGet implements media.BlobStore.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (media.Request, error) {
	return s.presign(ctx, http.MethodGet, key, ttl, nil, nil, nil)
}

func (s *Store) presign(ctx context.Context, method, key string, ttl time.Duration, q url.Values, signedHeader http.Header, send map[string]string) (media.Request, error) {
	expires := time.Now().Add(ttl)
	u, err := s.signer.PresignHeader(ctx, method, s.bucket, key, ttl, q, signedHeader)
	if err != nil {
		return media.Request{}, err
	}
	// Content-Length is signed too, but HTTP clients set it from the body.
	return media.Request{Method: method, URL: u.String(), Header: send, Expires: expires.Truncate(time.Second)}, nil
}

// String describes the store for logs.
func (s *Store) String() string {
	return "s3://" + s.bucket + " at " + strings.TrimPrefix(s.client.EndpointURL().String(), "//")
}
