package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// The media tests run the SDK's queue against the real MediaService
// (server/media) mounted on the test server, over MinIO and over the
// filesystem blob store.

const casePhoto = mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO

func writePhoto(t testing.TB, body []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "photo.jpg")
	must(t, os.WriteFile(p, body, 0o644))
	return p
}

// forEachBlobs runs a test with a media server on each blob store; files
// larger than 5 MiB upload in parts of 5 MiB.
func forEachBlobs(t *testing.T, cfg media.Config, fn func(t *testing.T, s *server)) {
	for _, kind := range blobKinds {
		t.Run(kind, func(t *testing.T) {
			cfg.PartSize = media.MinPartSize
			fn(t, newServer(t, serverConfig{blobs: kind, media: cfg}))
		})
	}
}

// synced returns the media record a device holds.
func synced(t testing.TB, d *sdk.Replica, id string) *mediav1.Media {
	t.Helper()
	rec, ok, err := d.Get(context.Background(), media.Collection, id)
	must(t, err)
	m := &mediav1.Media{}
	if ok {
		must(t, proto.Unmarshal(rec.Payload, m))
	}
	return m
}

// fetched downloads a variant of a media to a device and returns it,
// decoded as a JPEG, failing on any trace of the camera's metadata.
func fetched(t testing.TB, d *sdk.Replica, id string, v mediav1.MediaVariant) image.Config {
	t.Helper()
	path, err := d.FetchMedia(context.Background(), id, v)
	must(t, err)
	b, err := os.ReadFile(path)
	must(t, err)
	for _, secret := range sdktest.Secrets {
		if bytes.Contains(b, []byte(secret)) {
			t.Fatalf("%v of %s contains %q", v, id, secret)
		}
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	must(t, err)
	return cfg
}

// noisyJPEG is a photo that compresses badly, so that a few megapixels make
// a file of several parts.
func noisyJPEG(t testing.TB, w, h int, seed uint64) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	var b bytes.Buffer
	must(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}))
	return b.Bytes()
}

// TestMediaUpload: a photo is stripped on the device, hashed after
// stripping and uploaded with one presigned PUT. The server checks the
// digest, cleans the photo (upright, no metadata) and syncs its record
// READY; another device of the user downloads the clean image and the
// thumbnail, and the same photo added there is stored once, nothing sent.
func TestMediaUpload(t *testing.T) {
	forEachBlobs(t, media.Config{}, func(t *testing.T, s *server) {
		counter := &partCounter{puts: map[string]int{}}
		storage := func(o *sdk.Options) { o.StorageHTTPClient = &http.Client{Transport: counter} }
		d := s.device(t, "u1", "", storage)
		ctx := context.Background()
		var mu sync.Mutex
		var progress []sdk.MediaProgress
		d.ObserveMedia(func(p sdk.MediaProgress) { mu.Lock(); progress = append(progress, p); mu.Unlock() })
		photo := sdktest.JPEG(sdktest.Image(64, 48)) // turned 90° by its EXIF orientation
		id, err := d.AddPhoto(ctx, writePhoto(t, photo), casePhoto)
		must(t, err)
		if st := d.Status(); st.MediaQueued != 1 {
			t.Fatalf("status %+v", st)
		}
		must(t, d.UploadMedia(ctx))
		info, ok, err := d.MediaFile(ctx, id)
		must(t, err)
		if !ok || info.Queued || info.Rejected {
			t.Fatalf("media after upload: %+v", info)
		}
		local, err := os.ReadFile(info.Path)
		must(t, err)
		if sum := sha256.Sum256(local); !bytes.Equal(sum[:], info.SHA256) {
			t.Fatal("the digest is not of the stripped file")
		}
		for _, secret := range sdktest.Secrets {
			if bytes.Contains(local, []byte(secret)) {
				t.Fatalf("the uploaded photo still contains %q", secret)
			}
		}
		if n := counter.count(""); n != 1 {
			t.Fatalf("%d PUTs, want one", n)
		}
		must(t, d.Sync(ctx))
		if m := synced(t, d, id); m.GetStatus() != mediav1.MediaStatus_MEDIA_STATUS_READY || !bytes.Equal(m.GetSha256(), info.SHA256) ||
			m.GetWidth() != 48 || m.GetHeight() != 64 {
			t.Fatalf("the media record on the device: %v", m)
		}

		other := s.device(t, "u1", "", storage)
		must(t, other.Sync(ctx))
		if img := fetched(t, other, id, mediav1.MediaVariant_MEDIA_VARIANT_IMAGE); img.Width != 48 || img.Height != 64 {
			t.Fatalf("the clean image is %dx%d, want 48x64", img.Width, img.Height)
		}
		fetched(t, other, id, mediav1.MediaVariant_MEDIA_VARIANT_THUMBNAIL)
		twin, err := other.AddPhoto(ctx, writePhoto(t, photo), casePhoto)
		must(t, err)
		must(t, other.UploadMedia(ctx))
		if info, _, err := other.MediaFile(ctx, twin); err != nil || info.Queued || info.Rejected {
			t.Fatalf("the same photo again: %+v (%v)", info, err)
		}
		if n := counter.count(""); n != 1 {
			t.Fatalf("the same photo was sent again (%d PUTs)", n)
		}

		d.Close()
		mu.Lock()
		defer mu.Unlock()
		last := progress[len(progress)-1]
		if !last.Done || last.Status != mediav1.MediaStatus_MEDIA_STATUS_READY || last.Sent != info.Size {
			t.Fatalf("last progress %+v", last)
		}
	})
}

// partCounter counts presigned PUTs by part and can fail one.
type partCounter struct {
	mu     sync.Mutex
	puts   map[string]int // by partNumber ("" for single uploads)
	failOn string         // fail the first PUT of this part ("": none)
	failed bool
}

// part names the part a PUT sends: "partNumber" in a MinIO URL, "part" in
// an fsblob one.
func part(req *http.Request) string {
	if n := req.URL.Query().Get("partNumber"); n != "" {
		return n
	}
	return req.URL.Query().Get("part")
}

func (c *partCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	part := part(req)
	c.mu.Lock()
	if req.Method == http.MethodPut {
		c.puts[part]++
	}
	fail := req.Method == http.MethodPut && c.failOn != "" && part == c.failOn && !c.failed
	if fail {
		c.failed = true
	}
	c.mu.Unlock()
	if fail {
		return nil, errors.New("network lost")
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (c *partCounter) count(part string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts[part]
}

// TestMultipartResume: a large photo uploads in parts; the connection drops
// during part 2 and the app restarts. On reopening, the parts storage
// acknowledged are not sent again, even by a server that does not list
// them (the device kept their ETags), and the server accepts the joined
// file as the device's.
func TestMultipartResume(t *testing.T) {
	photo := noisyJPEG(t, 2400, 1800, 7)
	if len(photo) <= media.MinPartSize {
		t.Fatalf("the photo is %d bytes, not enough for two parts", len(photo))
	}
	for _, hide := range []bool{false, true} {
		name := "ServerListsParts"
		if hide {
			name = "DeviceRemembersParts"
		}
		t.Run(name, func(t *testing.T) {
			forEachBlobs(t, media.Config{}, func(t *testing.T, s *server) {
				if hide {
					s.hooks.set(func(h *hooks) {
						h.afterCreateUpload = func(res *mediav1.CreateUploadResponse) {
							if mp := res.GetMultipart(); mp != nil {
								mp.Uploaded = nil
							}
						}
					})
				}
				dir := t.TempDir()
				counter := &partCounter{puts: map[string]int{}, failOn: "2"}
				storage := func(o *sdk.Options) { o.StorageHTTPClient = &http.Client{Transport: counter} }
				d := s.device(t, "u1", dir, storage)
				ctx := context.Background()
				id, err := d.AddPhoto(ctx, writePhoto(t, photo), casePhoto)
				must(t, err)
				if err := d.UploadMedia(ctx); err == nil || !strings.Contains(err.Error(), "network lost") {
					t.Fatalf("first attempt: %v", err)
				}
				d.Close() // the app is killed
				d = s.device(t, "u1", dir, storage)
				var mu sync.Mutex
				var sent []int64
				d.ObserveMedia(func(p sdk.MediaProgress) { mu.Lock(); sent = append(sent, p.Sent); mu.Unlock() })
				must(t, d.UploadMedia(ctx))
				if n := counter.count("1"); n != 1 {
					t.Fatalf("part 1 was sent %d times", n)
				}
				if n := counter.count("2"); n != 2 {
					t.Fatalf("part 2 was sent %d times, want 2 (one failed)", n)
				}
				info, _, err := d.MediaFile(ctx, id)
				must(t, err)
				if info.Queued || info.Rejected {
					t.Fatalf("media %+v", info)
				}
				// Ready: the server found the joined parts of the size and
				// the SHA-256 the device registered.
				must(t, d.Sync(ctx))
				if m := synced(t, d, id); m.GetStatus() != mediav1.MediaStatus_MEDIA_STATUS_READY || !bytes.Equal(m.GetSha256(), info.SHA256) {
					t.Fatalf("the server holds %v for the device's file", m)
				}
				d.Close()
				mu.Lock()
				defer mu.Unlock()
				for i := 1; i < len(sent); i++ {
					if sent[i] < sent[i-1] {
						t.Fatalf("progress went backwards: %v", sent)
					}
				}
				if sent[0] < media.MinPartSize {
					t.Fatalf("resumed progress started at %d, before the part already sent", sent[0])
				}
			})
		})
	}
}

// TestMediaRejected: a photo the server refuses ends rejected with the
// reason, and the queue moves on to the next one.
func TestMediaRejected(t *testing.T) {
	forEachBlobs(t, media.Config{MaxBytes: 1 << 20}, func(t *testing.T, s *server) {
		d := s.device(t, "u1", "")
		ctx := context.Background()
		big, err := d.AddPhoto(ctx, writePhoto(t, sdktest.BigJPEG(2<<20, 1)), casePhoto)
		must(t, err)
		small, err := d.AddPhoto(ctx, writePhoto(t, sdktest.JPEG(sdktest.Image(16, 16))), casePhoto)
		must(t, err)
		must(t, d.UploadMedia(ctx))
		info, _, err := d.MediaFile(ctx, big)
		must(t, err)
		if !info.Rejected || !strings.Contains(info.LastError, "invalid upload") {
			t.Fatalf("big photo: %+v", info)
		}
		if info, _, _ = d.MediaFile(ctx, small); info.Queued || info.Rejected {
			t.Fatalf("small photo: %+v", info)
		}
		if d.Status().MediaQueued != 0 {
			t.Fatalf("status %+v", d.Status())
		}
	})
}

// TestMediaQueueInBackground: the running loop uploads queued photos by
// itself, but not on a metered network unless allowed.
func TestMediaQueueInBackground(t *testing.T) {
	forEachBlobs(t, media.Config{}, func(t *testing.T, s *server) {
		d := s.device(t, "u1", "")
		ctx := context.Background()
		d.SetConnectivity(sdk.Metered)
		must(t, d.Start())
		id, err := d.AddPhoto(ctx, writePhoto(t, sdktest.JPEG(sdktest.Image(32, 32))), casePhoto)
		must(t, err)
		servertest.Eventually(t, "the sync loop to settle", func() bool { return !d.Status().InitialSync })
		if info, _, _ := d.MediaFile(ctx, id); !info.Queued {
			t.Fatal("uploaded on a metered network")
		}
		d.SetConnectivity(sdk.Online)
		servertest.Eventually(t, "the background upload", func() bool { info, _, _ := d.MediaFile(ctx, id); return !info.Queued })
	})
}

// TestAccessRemovedDeletesMedia: another user's photo, referenced by a
// record of a bucket the user may read, downloads; someone who may not read
// the bucket is refused it; and when the user loses the bucket, the photo
// leaves the device with the record.
func TestAccessRemovedDeletesMedia(t *testing.T) {
	forEachBlobs(t, media.Config{}, func(t *testing.T, s *server) {
		s.h.Grant("writer", "room:b")
		s.h.Grant("u1", "room:a")
		s.h.Grant("u1", "room:b")
		ctx := context.Background()
		writer := s.device(t, "writer", "")
		mediaID, err := writer.AddPhoto(ctx, writePhoto(t, sdktest.JPEG(sdktest.Image(8, 8))), casePhoto)
		must(t, err)
		must(t, writer.UploadMedia(ctx))
		s.attach(mediaID, "writer", "room:b")
		w := s.h.NewDevice("writer")
		w.Put("with-photo", "media:"+mediaID, "room:b")

		d := s.device(t, "u1", "")
		must(t, d.Sync(ctx))
		if img := fetched(t, d, mediaID, mediav1.MediaVariant_MEDIA_VARIANT_IMAGE); img.Width != 8 || img.Height != 8 {
			t.Fatalf("the downloaded photo is %dx%d", img.Width, img.Height)
		}
		path, err := d.FetchMedia(ctx, mediaID, mediav1.MediaVariant_MEDIA_VARIANT_IMAGE)
		must(t, err)
		stranger := s.device(t, "u2", "")
		must(t, stranger.Sync(ctx))
		if _, err := stranger.FetchMedia(ctx, mediaID, mediav1.MediaVariant_MEDIA_VARIANT_IMAGE); err == nil || !strings.Contains(err.Error(), "may not read") {
			t.Fatalf("a stranger fetching the photo: %v", err)
		}

		s.h.Revoke("u1", "room:b")
		must(t, d.Sync(ctx))
		if n, _ := notes(t, d); len(n) != 0 {
			t.Fatalf("notes left: %v", n)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("the photo of a dropped record is still on the device (%v)", err)
		}
		if _, ok, _ := d.MediaFile(ctx, mediaID); ok {
			t.Fatal("the replica still lists the photo")
		}
	})
}
