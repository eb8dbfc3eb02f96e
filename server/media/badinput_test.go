package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

const rejectedStatus = mediav1.MediaStatus_MEDIA_STATUS_REJECTED

// Content that is not an acceptable image is refused with a clear reason:
// the media is rejected (which syncs), nothing clean is stored, the upload
// is discarded, and asking again answers the same.
func TestContentRefused(t *testing.T) {
	forEach(t, nil, func(t *testing.T, e *env) {
		d := e.device("doctor-1")
		cases := []struct {
			name string
			file []byte
			want string
		}{
			{"pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 5000)...), "the file is a PDF document, not a JPEG or PNG image"},
			{"heic", append([]byte("\x00\x00\x00\x18ftypheic"), bytes.Repeat([]byte{0}, 5000)...), "the file is a HEIC photo, not a JPEG or PNG image"},
			{"decompression bomb", mediatest.PNGHeader(60000, 60000), "the image is 60000×60000 pixels (3600.0 megapixels); at most 50.0 megapixels are accepted"},
			{"damaged jpeg", mediatest.JPEG(mediatest.Quadrants(100, 100), 90, mediatest.Metadata{})[:400], "the image is damaged"},
		}
		for _, c := range cases {
			id := newID()
			res := d.MustCreate(id, c.file)
			if status := d.Put(res, c.file); status != http.StatusOK {
				t.Fatalf("%s: PUT %d", c.name, status)
			}
			_, err := d.Complete(id)
			wantError(t, err, syncengine.EINVALID, c.want)
			synced := e.synced("doctor-1")[id]
			if synced.GetStatus() != rejectedStatus || !strings.Contains(synced.GetRejectionReason(), c.want) {
				t.Fatalf("%s: synced %v", c.name, synced)
			}
			if e.objectExists("media/"+id+"/image") || e.objectExists("media/"+id+"/thumbnail") || e.objectExists("quarantine/"+id) {
				t.Fatalf("%s: objects left in storage", c.name)
			}
			_, err = d.Complete(id)
			wantError(t, err, syncengine.EINVALID, c.want)
			again := d.MustCreate(id, c.file)
			if again.GetUpload() != nil || again.GetMedia().GetStatus() != rejectedStatus {
				t.Fatalf("%s: CreateUpload after rejection = %v", c.name, again)
			}
			_, err = d.Download(id, imageVariant)
			wantError(t, err, syncengine.EPRECONDITION, "was rejected")
		}
	})
}

// A file over the size limit is refused before anything is written.
func TestOversizedRefused(t *testing.T) {
	forEach(t, func(c *media.Config) { c.MaxBytes = 1 << 20 }, func(t *testing.T, e *env) {
		d := e.device("doctor-1")
		big := bytes.Repeat([]byte{0xFF}, 1<<20+1)
		_, err := d.Create(newID(), big, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
		wantError(t, err, syncengine.EINVALID, "size: the file is 1048577 bytes; at most 1048576 are accepted")
		if n := e.count(); n != 0 {
			t.Fatalf("%d media written", n)
		}
	})
}

// Bytes that do not match the announced SHA-256: storage refuses a single
// PUT outright; parts each match their own checksum, so the whole is
// caught at completion, discarded, and the upload can start over.
func TestWrongDigest(t *testing.T) {
	forEach(t, func(c *media.Config) { c.PartSize = media.MinPartSize }, func(t *testing.T, e *env) {
		d := e.device("doctor-1")
		small := mediatest.JPEG(mediatest.Quadrants(120, 80), 90, mediatest.Metadata{})
		other := bytes.Clone(small)
		other[len(other)/2] ^= 0xFF
		id := newID()
		res := d.MustCreate(id, small)
		if status := d.Put(res, other); status == http.StatusOK {
			t.Fatal("storage accepted bytes of another digest")
		}
		_, err := d.Complete(id)
		wantError(t, err, syncengine.EPRECONDITION, "has not been uploaded yet")

		big := mediatest.Pad(mediatest.JPEG(mediatest.Quadrants(300, 200), 90, mediatest.Metadata{}), media.MinPartSize+1000)
		impostor := bytes.Clone(big)
		impostor[len(impostor)-100] ^= 0xFF
		id = newID()
		res = d.MustCreate(id, big)
		if res.GetMultipart() == nil {
			t.Fatalf("a %d-byte file did not go multipart", len(big))
		}
		parts := d.PutParts(res, impostor)
		_, err = d.Complete(id, parts...)
		wantError(t, err, syncengine.EINVALID, "the bytes received do not match the SHA-256 announced")
		if e.objectExists("quarantine/"+id) || e.objectExists("media/"+id+"/image") {
			t.Fatal("the impostor's bytes were kept")
		}
		if got := e.synced("doctor-1")[id].GetStatus(); got != mediav1.MediaStatus_MEDIA_STATUS_UPLOADING {
			t.Fatalf("status %v, want still uploading", got)
		}
		again := d.MustCreate(id, big)
		if again.GetMultipart().GetUploadId() == res.GetMultipart().GetUploadId() || len(again.GetMultipart().GetUploaded()) != 0 {
			t.Fatalf("after a mismatch CreateUpload = %v, want a fresh upload", again.GetMultipart())
		}
		if m, err := d.Complete(id, d.PutParts(again, big)...); err != nil || m.GetStatus() != readyStatus {
			t.Fatalf("upload after the mismatch: %v, %v", m, err)
		}
	})
}

// Unknown media, someone else's media, malformed requests, no credentials.
func TestRequestsRefused(t *testing.T) {
	forEach(t, func(c *media.Config) { c.MaxPending = 2 }, func(t *testing.T, e *env) {
		owner, stranger := e.device("doctor-1"), e.device("doctor-2")
		photo := mediatest.JPEG(mediatest.Quadrants(120, 80), 90, mediatest.Metadata{})
		id := newID()
		owner.Upload(id, photo)

		unknown := newID()
		_, err := owner.Complete(unknown)
		wantError(t, err, syncengine.ENOTFOUND, "there is no media "+unknown)
		_, err = owner.Download(unknown, imageVariant)
		wantError(t, err, syncengine.ENOTFOUND, "there is no media")

		_, err = stranger.Complete(id)
		wantError(t, err, syncengine.EPERMISSION, "belongs to another user")
		_, err = stranger.Download(id, imageVariant)
		wantError(t, err, syncengine.EPERMISSION, "you may not read media "+id)
		_, err = stranger.Create(id, photo, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
		wantError(t, err, syncengine.EPERMISSION, "belongs to another user")

		_, err = owner.Create(id, append(bytes.Clone(photo), 0), mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
		wantError(t, err, syncengine.ECONFLICT, "created for another file")

		sum := sha256.Sum256(photo)
		bad := []*mediav1.CreateUploadRequest{
			{MediaId: "not-a-uuid", Sha256: sum[:], Size: 10, ContentType: "image/jpeg", Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO},
			{MediaId: newID(), Sha256: sum[:5], Size: 10, ContentType: "image/jpeg", Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO},
			{MediaId: newID(), Sha256: sum[:], Size: 10, ContentType: "image/gif", Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO},
			{MediaId: newID(), Sha256: sum[:], Size: 0, ContentType: "image/jpeg", Purpose: mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO},
			{MediaId: newID(), Sha256: sum[:], Size: 10, ContentType: "image/jpeg"},
		}
		for _, req := range bad {
			_, err := owner.CreateUpload(ctx, connect.NewRequest(req))
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("%v: %v, want invalid_argument", req, err)
			}
		}

		_, err = e.device("").Complete(id)
		if connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Fatalf("no credentials: %v", err)
		}

		// At most MaxPending uploads in progress per user.
		for i := range 2 {
			owner.MustCreate(newID(), []byte{byte(i), 1, 2})
		}
		_, err = owner.Create(newID(), []byte{9, 9, 9}, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
		wantError(t, err, syncengine.ERATELIMIT, "2 uploads in progress")
		if n := e.count(); n != 3 {
			t.Fatalf("%d media, want 3", n)
		}
	})
}

// The domain refuses bad input by itself too, not only through the RPC
// layer's validation.
func TestServiceValidates(t *testing.T) {
	e := newEnv(t, servertest.Backends[0], nil)
	p := syncengine.Principal{UserID: "doctor-1"}
	sum := sha256.Sum256([]byte("x"))
	_, err := e.svc.CreateUpload(context.Background(), p, media.UploadRequest{MediaID: "x", SHA256: sum[:1], Size: -1, ContentType: "text/plain"})
	var de *syncengine.Error
	if syncengine.ErrorCode(err) != syncengine.EINVALID || !asError(err, &de) || len(de.Violations) != 5 {
		t.Fatalf("CreateUpload = %v", err)
	}
	if _, err := e.svc.CreateUpload(context.Background(), syncengine.Principal{}, media.UploadRequest{}); syncengine.ErrorCode(err) != syncengine.EUNAUTHENTICATED {
		t.Fatalf("anonymous CreateUpload = %v", err)
	}
	if _, err := e.svc.DownloadURL(context.Background(), p, newID(), 0); syncengine.ErrorCode(err) != syncengine.EINVALID {
		t.Fatalf("DownloadURL without a variant = %v", err)
	}
}

func asError(err error, target **syncengine.Error) bool {
	e, ok := err.(*syncengine.Error)
	*target = e
	return ok
}
