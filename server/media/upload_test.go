package media_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"slices"
	"sync"
	"testing"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/blobtest"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

const (
	imageVariant = mediav1.MediaVariant_MEDIA_VARIANT_IMAGE
	thumbVariant = mediav1.MediaVariant_MEDIA_VARIANT_THUMBNAIL
	readyStatus  = mediav1.MediaStatus_MEDIA_STATUS_READY
)

func near(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) int { return max(int(x>>8)-int(y>>8), int(y>>8)-int(x>>8)) }
	return d(r1, r2) <= 40 && d(g1, g2) <= 40 && d(b1, b2) <= 40
}

// checkClean decodes a downloaded JPEG and checks it carries no metadata
// and has the given size.
func checkClean(t *testing.T, data []byte, w, h int) image.Image {
	t.Helper()
	found, err := mediatest.JPEGMetadata(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Fatalf("metadata survived: %v", found)
	}
	for _, s := range mediatest.Secrets {
		if bytes.Contains(data, []byte(s)) {
			t.Fatalf("%q survived", s)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Fatalf("image is %v, want %d×%d", img.Bounds().Size(), w, h)
	}
	return img
}

// A phone photo taken upright (stored turned, EXIF orientation 6) with GPS
// and other EXIF tags, XMP, IPTC and a comment: it is uploaded with a
// presigned PUT, comes out upright with none of them, with a 320-pixel
// thumbnail, and the ready media syncs to its owner.
func TestPhotoUploadedAndCleaned(t *testing.T) {
	forEach(t, nil, func(t *testing.T, e *env) {
		photo := mediatest.JPEG(mediatest.Quadrants(800, 600), 95, mediatest.All(6))
		if found, _ := mediatest.JPEGMetadata(photo); !slices.Equal(found, []string{"APP1", "APP1", "APP13", "COM"}) {
			t.Fatalf("test photo carries %v", found)
		}
		d := e.device("doctor-1")
		id := newID()
		res := d.MustCreate(id, photo)
		if res.GetSingle() == nil || res.GetMedia().GetStatus() != mediav1.MediaStatus_MEDIA_STATUS_UPLOADING {
			t.Fatalf("CreateUpload = %v", res)
		}
		req := res.GetSingle().GetRequest()
		if req.GetMethod() != http.MethodPut || req.GetHeaders()[media.ChecksumHeader] != blobtest.Checksum(photo) {
			t.Fatalf("presigned request %v is not bound to the digest", req)
		}
		if status := d.Put(res, photo); status != http.StatusOK {
			t.Fatalf("PUT: %d", status)
		}
		m, err := d.Complete(id)
		if err != nil {
			t.Fatal(err)
		}
		if m.GetStatus() != readyStatus || m.GetWidth() != 600 || m.GetHeight() != 800 ||
			m.GetThumbnailWidth() != 240 || m.GetThumbnailHeight() != 320 || m.GetContentType() != "image/jpeg" {
			t.Fatalf("media = %v", m)
		}
		full, err := d.Download(id, imageVariant)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(full)) != m.GetSize() {
			t.Fatalf("downloaded %d bytes, media says %d", len(full), m.GetSize())
		}
		img := checkClean(t, full, 600, 800)
		// Turned clockwise: what was stored top-left is now top-right.
		b := img.Bounds()
		for i, want := range []color.Color{mediatest.Blue, mediatest.Red, mediatest.White, mediatest.Green} {
			x, y := b.Dx()/4+(i%2)*b.Dx()/2, b.Dy()/4+(i/2)*b.Dy()/2
			if got := img.At(x, y); !near(got, want) {
				t.Fatalf("quadrant %d is %v, want %v", i, got, want)
			}
		}
		thumb, err := d.Download(id, thumbVariant)
		if err != nil {
			t.Fatal(err)
		}
		checkClean(t, thumb, 240, 320)
		if e.objectExists("quarantine/" + id) {
			t.Fatal("the quarantine object is still there")
		}
		synced := e.synced("doctor-1")[id]
		if synced.GetStatus() != readyStatus || synced.GetWidth() != 600 || synced.GetThumbnailHeight() != 320 {
			t.Fatalf("synced media = %v", synced)
		}
		// Completing again answers the same.
		again, err := d.Complete(id)
		if err != nil || again.GetStatus() != readyStatus || again.GetUpdatedAtUnixMs() != m.GetUpdatedAtUnixMs() {
			t.Fatalf("second CompleteUpload = %v, %v", again, err)
		}
	})
}

// A body other than the one announced never reaches storage; the right one
// still can.
func TestTamperedBodyRefused(t *testing.T) {
	forEach(t, nil, func(t *testing.T, e *env) {
		photo := mediatest.JPEG(mediatest.Quadrants(200, 100), 90, mediatest.All(1))
		d := e.device("doctor-1")
		id := newID()
		res := d.MustCreate(id, photo)
		tampered := bytes.Clone(photo)
		tampered[len(tampered)-10] ^= 0xFF
		if status := d.Put(res, tampered); status == http.StatusOK {
			t.Fatal("storage accepted a tampered body")
		}
		if e.objectExists("quarantine/" + id) {
			t.Fatal("the tampered body was stored")
		}
		_, err := d.Complete(id)
		wantError(t, err, syncengine.EPRECONDITION, "has not been uploaded yet")
		if got := e.synced("doctor-1")[id].GetStatus(); got != mediav1.MediaStatus_MEDIA_STATUS_UPLOADING {
			t.Fatalf("status %v after a refused body", got)
		}
		if status := d.Put(res, photo); status != http.StatusOK {
			t.Fatalf("PUT of the right body: %d", status)
		}
		if m, err := d.Complete(id); err != nil || m.GetStatus() != readyStatus {
			t.Fatalf("CompleteUpload = %v, %v", m, err)
		}
	})
}

// A big photo uploads in parts; the app is killed after the first, and on
// restart CreateUpload resumes the same upload: the finished part is
// listed as uploaded and only the others are sent.
func TestMultipartResumes(t *testing.T) {
	forEach(t, func(c *media.Config) { c.PartSize = media.MinPartSize }, func(t *testing.T, e *env) {
		photo := mediatest.Pad(mediatest.JPEG(mediatest.Quadrants(800, 600), 90, mediatest.All(8)), 2*media.MinPartSize+1000)
		if len(photo) <= 2*media.MinPartSize {
			t.Fatalf("photo of %d bytes is too small for three parts", len(photo))
		}
		d := e.device("doctor-1")
		id := newID()
		res := d.MustCreate(id, photo)
		mp := res.GetMultipart()
		if mp == nil || len(mp.GetParts()) != 3 || len(mp.GetUploaded()) != 0 || mp.GetPartChecksumHeader() != media.ChecksumHeader {
			t.Fatalf("CreateUpload = %v", res)
		}
		first := d.PutParts(res, photo, 1)
		_, err := d.Complete(id, first...)
		wantError(t, err, syncengine.EPRECONDITION, "parts 2, 3 of 3")

		// The app restarts and asks again.
		again := d.MustCreate(id, photo)
		mp2 := again.GetMultipart()
		if mp2.GetUploadId() != mp.GetUploadId() {
			t.Fatalf("resumed upload %s, want %s", mp2.GetUploadId(), mp.GetUploadId())
		}
		if len(mp2.GetUploaded()) != 1 || mp2.GetUploaded()[0].GetNumber() != 1 || mp2.GetUploaded()[0].GetEtag() != first[0].GetEtag() {
			t.Fatalf("uploaded = %v, want part 1 with ETag %s", mp2.GetUploaded(), first[0].GetEtag())
		}
		var left []int32
		for _, p := range mp2.GetParts() {
			left = append(left, p.GetNumber())
		}
		if !slices.Equal(left, []int32{2, 3}) {
			t.Fatalf("parts to send %v, want [2 3]", left)
		}
		rest := d.PutParts(again, photo)
		m, err := d.Complete(id, append(mp2.GetUploaded(), rest...)...)
		if err != nil {
			t.Fatal(err)
		}
		if d.Sent[1] != 1 || d.Sent[2] != 1 || d.Sent[3] != 1 {
			t.Fatalf("parts sent %v, want each once", d.Sent)
		}
		// Orientation 8: stored 800×600, shown 600×800.
		if m.GetStatus() != readyStatus || m.GetWidth() != 600 || m.GetHeight() != 800 {
			t.Fatalf("media = %v", m)
		}
		full, err := d.Download(id, imageVariant)
		if err != nil {
			t.Fatal(err)
		}
		checkClean(t, full, 600, 800)
		if e.objectExists("quarantine/" + id) {
			t.Fatal("the quarantine object is still there")
		}
	})
}

// One owner uploading the same file twice stores it once; another owner
// uploads their own copy.
func TestSameFileStoredOnce(t *testing.T) {
	forEach(t, nil, func(t *testing.T, e *env) {
		photo := mediatest.JPEG(mediatest.Quadrants(300, 200), 90, mediatest.All(1))
		d := e.device("doctor-1")
		first := newID()
		d.Upload(first, photo)
		second := newID()
		res := d.MustCreate(second, photo)
		if res.GetUpload() != nil || res.GetMedia().GetStatus() != readyStatus || res.GetMedia().GetWidth() != 300 || res.GetMedia().GetId() != second {
			t.Fatalf("second CreateUpload = %v, want ready with nothing to upload", res)
		}
		if e.objectExists("media/"+second+"/image") || e.objectExists("quarantine/"+second) {
			t.Fatal("the second copy was stored")
		}
		a, err1 := d.Download(first, imageVariant)
		b, err2 := d.Download(second, imageVariant)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("downloads differ (%v, %v)", err1, err2)
		}
		if e.synced("doctor-1")[second].GetStatus() != readyStatus {
			t.Fatal("the second media did not sync as ready")
		}
		other := e.device("doctor-2").MustCreate(newID(), photo)
		if other.GetSingle() == nil {
			t.Fatalf("another owner's CreateUpload = %v, want an upload", other)
		}
	})
}

// Two completions of the same upload at once both answer with the ready
// media.
func TestConcurrentCompletions(t *testing.T) {
	forEach(t, nil, func(t *testing.T, e *env) {
		photo := mediatest.JPEG(mediatest.Quadrants(400, 300), 90, mediatest.All(3))
		d := e.device("doctor-1")
		id := newID()
		res := d.MustCreate(id, photo)
		if status := d.Put(res, photo); status != http.StatusOK {
			t.Fatalf("PUT: %d", status)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				m, err := d.Complete(id)
				if err == nil && m.GetStatus() != readyStatus {
					t.Errorf("completion %d: %v", i, m)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("completion %d: %v", i, err)
			}
		}
	})
}
