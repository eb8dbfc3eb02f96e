// Package media implements Ordinator's photo pipeline: uploads bound to a
// SHA-256 that devices send straight to object storage, verification and
// cleaning of what arrives (JPEG and PNG only, EXIF orientation applied, all
// metadata removed, a thumbnail made), read access through short-lived
// presigned GETs, and collection of uploads and media nobody used.
//
// Bytes live in a BlobStore (server/media/minio in production,
// server/media/fsblob embedded); the media table and the synced "media"
// records live in the sync engine's store. Other modules reference media
// with Attach inside their own transactions and decide who else may read it
// with a ReadPolicy.
package media

import (
	"time"

	"google.golang.org/protobuf/proto"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Collection is the sync collection media records are written to; they
// live in their owner's user bucket.
const Collection = mediav1.MediaCollection

// Media is one uploaded file as the server keeps it.
type Media struct {
	ID          string
	OwnerID     string
	Purpose     mediav1.MediaPurpose
	Status      mediav1.MediaStatus
	ContentType string
	Size        int64
	SHA256      []byte

	// UploadID is the storage's multipart upload, empty for a single PUT;
	// PartSize is its part size.
	UploadID string
	PartSize int64
	// BlobID names the clean objects holding this media's bytes: its own ID
	// once processed, or the ID of an identical media of the same owner.
	BlobID string

	Width, Height                   int
	ThumbnailWidth, ThumbnailHeight int
	RejectionReason                 string

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Proto returns the media as it syncs and travels over the API.
func (m *Media) Proto() *mediav1.Media {
	return &mediav1.Media{
		Id:              m.ID,
		OwnerId:         m.OwnerID,
		Purpose:         m.Purpose,
		Status:          m.Status,
		ContentType:     m.ContentType,
		Size:            m.Size,
		Sha256:          m.SHA256,
		Width:           int32(m.Width),
		Height:          int32(m.Height),
		ThumbnailWidth:  int32(m.ThumbnailWidth),
		ThumbnailHeight: int32(m.ThumbnailHeight),
		RejectionReason: m.RejectionReason,
		CreatedAtUnixMs: m.CreatedAt.UnixMilli(),
		UpdatedAtUnixMs: m.UpdatedAt.UnixMilli(),
	}
}

// sync records the media's current state in its owner's bucket.
func (m *Media) sync(tx syncengine.Tx) {
	b, err := proto.Marshal(m.Proto())
	if err != nil {
		panic(err) // a plain message always marshals
	}
	tx.Put(Collection, m.ID, b, syncengine.UserBucket(m.OwnerID))
}

// Ready reports whether the media is verified and cleaned.
func (m *Media) Ready() bool { return m.Status == mediav1.MediaStatus_MEDIA_STATUS_READY }

// Variant selects one of the stored images of a ready media.
type Variant int

const (
	Image Variant = iota + 1
	Thumbnail
)

// Object keys. Devices upload into the quarantine prefix; only the server
// writes under media/.
func quarantineKey(mediaID string) string { return "quarantine/" + mediaID }

func blobKey(blobID string, v Variant) string {
	if v == Thumbnail {
		return "media/" + blobID + "/thumbnail"
	}
	return "media/" + blobID + "/image"
}
