package media

import (
	"context"
	"errors"
	"io"
	"time"
)

// BlobStore keeps objects (the bytes of media) under keys such as
// "quarantine/<id>" and "media/<id>/image". The server writes and reads
// objects directly; devices read and write only through presigned requests,
// which the store itself checks: a presigned PUT is bound to the size and
// SHA-256 of its body, a presigned part to its size and to the SHA-256 the
// device sends in ChecksumHeader.
//
// Implementations: server/media/minio and server/media/fsblob, both held to
// server/media/blobtest.
type BlobStore interface {
	// Put stores an object written by the server.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens an object; ErrNotFound if there is none.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes an object; ErrNotFound if there is none.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Delete removes an object; deleting a missing one is not an error.
	Delete(ctx context.Context, key string) error

	// PresignPut returns a request that stores exactly size bytes whose
	// SHA-256 is sum at key, valid for ttl.
	PresignPut(ctx context.Context, key string, size int64, sum []byte, ttl time.Duration) (Request, error)
	// CreateMultipart starts a multipart upload to key whose parts are each
	// checked against the SHA-256 sent with them.
	CreateMultipart(ctx context.Context, key string) (uploadID string, err error)
	// PresignPart returns a request that uploads part number (from 1) of
	// exactly size bytes.
	PresignPart(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (Request, error)
	// ListParts returns the parts received so far, by number; ErrNotFound
	// if the upload does not exist (never created, completed or aborted).
	ListParts(ctx context.Context, key, uploadID string) ([]Part, error)
	// CompleteMultipart joins the parts, in order, into the object at key.
	// Every part but the last must be at least MinPartSize bytes.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error
	// AbortMultipart discards an upload and its parts; aborting a missing
	// upload is not an error.
	AbortMultipart(ctx context.Context, key, uploadID string) error

	// PresignGet returns a request that reads the object at key.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (Request, error)
}

// ChecksumHeader carries the base64 SHA-256 of a request's body: signed
// into presigned PUTs, and sent by the device with every part.
const ChecksumHeader = "x-amz-checksum-sha256"

// MinPartSize is the smallest part of a multipart upload but the last (the
// S3 limit).
const MinPartSize = 5 << 20

// ErrNotFound says an object or a multipart upload does not exist.
var ErrNotFound = errors.New("no such object or upload")

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Size        int64
	ContentType string
	// SHA256 is the object's SHA-256 when the store knows it; nil
	// otherwise (S3 keeps only a checksum of part checksums for multipart
	// objects).
	SHA256 []byte
}

// Part is a part a multipart upload has received.
type Part struct {
	Number int
	ETag   string
	Size   int64
	// SHA256 is the part's checksum as the store verified it.
	SHA256 []byte
}

// Request is a presigned HTTP request a device sends as given.
type Request struct {
	Method string
	URL    string
	// Header holds headers the signature covers: they must be sent
	// unchanged.
	Header  map[string]string
	Expires time.Time
}
