package media_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// A photo in 4:1:1 chroma subsampling carrying GPS in its EXIF (it once
// crashed CompleteUpload, and its original stayed in quarantine for the
// retention): the one cjpeg and exiftool made (testdata/fixtures.sh), and
// one generated in every orientation, at sizes on and off the 4-pixel
// chroma block. Each is accepted and cleaned, upright, without metadata,
// and its original is gone.
func TestSubsampled411PhotoCleaned(t *testing.T) {
	fixture, err := os.ReadFile("testdata/photo-411-gps.jpg")
	if err != nil {
		t.Fatal(err)
	}
	type photo struct {
		name string
		file []byte
		w, h int // stored
		o    int
	}
	photos := []photo{{"cjpeg", fixture, 160, 120, 6}}
	for _, size := range []image.Point{{400, 300}, {401, 299}} {
		enc := mediatest.EncodeJPEG(mediatest.Quadrants(size.X, size.Y),
			mediatest.JPEGLayout{Sampling: []image.Point{{4, 1}, {1, 1}, {1, 1}}})
		for o := 1; o <= 8; o++ {
			photos = append(photos, photo{fmt.Sprintf("%dx%d/%d", size.X, size.Y, o), mediatest.AddJPEGMetadata(enc, mediatest.All(o)), size.X, size.Y, o})
		}
	}
	forEach(t, nil, func(t *testing.T, e *env) {
		d := e.device("doctor-1")
		for _, p := range photos {
			id := newID()
			m := d.Upload(id, p.file)
			w, h := p.w, p.h
			if p.o >= 5 {
				w, h = h, w
			}
			if m.GetStatus() != readyStatus || int(m.GetWidth()) != w || int(m.GetHeight()) != h {
				t.Fatalf("%s: media = %v, want ready, %d×%d", p.name, m, w, h)
			}
			full, err := d.Download(id, imageVariant)
			if err != nil {
				t.Fatal(err)
			}
			img := checkClean(t, full, w, h)
			for i, want := range []color.Color{mediatest.Red, mediatest.Green, mediatest.Blue, mediatest.White} {
				stored := image.Pt(p.w/4+(i%2)*p.w/2, p.h/4+(i/2)*p.h/2)
				q := mediatest.Shown(p.o, p.w, p.h, stored)
				if got := img.At(q.X, q.Y); !near(got, want) {
					t.Fatalf("%s: the quadrant stored around %v shows at %v as %v, want %v", p.name, stored, q, got, want)
				}
			}
			thumb, err := d.Download(id, thumbVariant)
			if err != nil {
				t.Fatal(err)
			}
			checkClean(t, thumb, int(m.GetThumbnailWidth()), int(m.GetThumbnailHeight()))
			if e.objectExists("quarantine/" + id) {
				t.Fatalf("%s: the original is still in quarantine", p.name)
			}
			if got := e.synced("doctor-1")[id]; got.GetStatus() != readyStatus {
				t.Fatalf("%s: synced %v", p.name, got)
			}
		}
	})
}

// logBuffer collects what the services log, from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Every refusal of CompleteUpload deletes the quarantined original at
// once, on both blob stores: layouts the decoders cannot read and a panic
// while cleaning reject the media; bytes in storage that are not the file
// announced (another size, another SHA-256) are discarded and the upload
// can start over; and an original sent again after the media was
// finished is deleted by the next completion.
func TestRefusalsDeleteTheOriginal(t *testing.T) {
	var logs logBuffer
	forEach(t, func(c *media.Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) }, func(t *testing.T, e *env) {
		d := e.device("doctor-1")
		gone := func(what, id string) {
			t.Helper()
			if e.objectExists("quarantine/" + id) {
				t.Fatalf("%s: the original is still in quarantine", what)
			}
			if e.objectExists("media/"+id+"/image") || e.objectExists("media/"+id+"/thumbnail") {
				t.Fatalf("%s: clean objects were stored", what)
			}
		}
		sent := func(file []byte) (string, *mediav1.CreateUploadResponse) {
			t.Helper()
			id := newID()
			res := d.MustCreate(id, file)
			if status := d.Put(res, file); status != http.StatusOK {
				t.Fatalf("PUT: %d", status)
			}
			return id, res
		}
		rejected := func(what, id, reason string) {
			t.Helper()
			if got := e.synced("doctor-1")[id]; got.GetStatus() != rejectedStatus || !strings.Contains(got.GetRejectionReason(), reason) {
				t.Fatalf("%s: synced %v, want rejected mentioning %q", what, got, reason)
			}
		}

		for _, u := range mediatest.UnreadableLayouts() {
			id, _ := sent(u.File)
			_, err := d.Complete(id)
			wantError(t, err, syncengine.EINVALID, "uses a format feature the server cannot read")
			wantError(t, err, syncengine.EINVALID, u.Want)
			rejected(u.Name, id, u.Want)
			gone(u.Name, id)
		}

		// Photos differ, so that none is taken for a twin of one ready.
		photos := 0
		newPhoto := func() []byte {
			photos++
			return mediatest.JPEG(mediatest.Quadrants(100+photos, 80), 90, mediatest.All(6))
		}
		photo := newPhoto()
		id, res := sent(photo)
		undo := media.CrashCleaning(e.svc)
		_, err := d.Complete(id)
		undo()
		const failed = "the server failed to process this image and discarded it"
		wantError(t, err, syncengine.EINVALID, failed)
		rejected("panic", id, failed)
		gone("panic", id)
		if l := logs.String(); !strings.Contains(l, "cleaning panicked") || !strings.Contains(l, id) {
			t.Fatalf("the panic was not logged with the media id: %s", l)
		}
		// The device sends the original again with its still valid
		// request: the next completion deletes it.
		if status := d.Put(res, photo); status != http.StatusOK || !e.objectExists("quarantine/"+id) {
			t.Fatalf("PUT after the rejection: %d", status)
		}
		_, err = d.Complete(id)
		wantError(t, err, syncengine.EINVALID, failed)
		gone("PUT after the rejection", id)

		for _, c := range []struct {
			name  string
			alter func([]byte) []byte
			want  string
		}{
			{"another size", func(b []byte) []byte { return append(b, 0) }, "storage received %d bytes, not the %d announced"},
			{"other bytes", func(b []byte) []byte { b[len(b)/2] ^= 0xFF; return b }, "the bytes received do not match the SHA-256 announced"},
		} {
			photo := newPhoto()
			stored := c.alter(bytes.Clone(photo))
			if strings.Contains(c.want, "%d") {
				c.want = fmt.Sprintf(c.want, len(stored), len(photo))
			}
			id := newID()
			d.MustCreate(id, photo)
			// Storage holding what the presigned request would have
			// refused: a store that checks less, or an object written
			// around it.
			if err := e.blobs.Put(ctx, "quarantine/"+id, bytes.NewReader(stored), int64(len(stored)), "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			_, err := d.Complete(id)
			wantError(t, err, syncengine.EINVALID, c.want)
			gone(c.name, id)
			if got := e.synced("doctor-1")[id].GetStatus(); got != mediav1.MediaStatus_MEDIA_STATUS_UPLOADING {
				t.Fatalf("%s: status %v, want still uploading", c.name, got)
			}
			if m := d.Upload(id, photo); m.GetStatus() != readyStatus {
				t.Fatalf("%s: the upload after the mismatch = %v", c.name, m)
			}
		}

		photo = newPhoto()
		id, res = sent(photo)
		if m, err := d.Complete(id); err != nil || m.GetStatus() != readyStatus {
			t.Fatalf("CompleteUpload = %v, %v", m, err)
		}
		if status := d.Put(res, photo); status != http.StatusOK || !e.objectExists("quarantine/"+id) {
			t.Fatalf("PUT after ready: %d", status)
		}
		if m, err := d.Complete(id); err != nil || m.GetStatus() != readyStatus {
			t.Fatalf("CompleteUpload again = %v, %v", m, err)
		}
		if e.objectExists("quarantine/" + id) {
			t.Fatal("an original sent after the media was ready stayed in quarantine")
		}
	})
}

// An original sent again after its media was refused, and never
// completed, goes when collection removes the media.
func TestCollectionDeletesALateOriginal(t *testing.T) {
	forEach(t, nil, func(t *testing.T, e *env) {
		d := e.device("doctor-1")
		file := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 1000)...)
		id := newID()
		res := d.MustCreate(id, file)
		if status := d.Put(res, file); status != http.StatusOK {
			t.Fatalf("PUT: %d", status)
		}
		_, err := d.Complete(id)
		wantError(t, err, syncengine.EINVALID, "a PDF document")
		if status := d.Put(res, file); status != http.StatusOK || !e.objectExists("quarantine/"+id) {
			t.Fatalf("PUT after the rejection: %d", status)
		}
		e.clock.Advance(25 * time.Hour)
		e.collect(0, 1)
		if e.objectExists("quarantine/" + id) {
			t.Fatal("the original outlived its media")
		}
	})
}
