package sdk_test

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
)

func strip(t testing.TB, in []byte) ([]byte, string) {
	t.Helper()
	var out bytes.Buffer
	ct, err := sdk.StripMetadata(&out, bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), ct
}

func samePixels(t *testing.T, a, b image.Image) {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v and %v", a.Bounds(), b.Bounds())
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel %d,%d differs", x, y)
			}
		}
	}
}

func TestStripJPEG(t *testing.T) {
	photo := sdktest.JPEG(sdktest.Image(40, 30))
	clean, ct := strip(t, photo)
	if ct != "image/jpeg" {
		t.Fatalf("content type %q", ct)
	}
	for _, secret := range sdktest.Secrets {
		if bytes.Contains(clean, []byte(secret)) {
			t.Fatalf("%q survived", secret)
		}
	}
	// Lossless: the very same pixels, not a re-encoding.
	before, err := jpeg.Decode(bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	after, err := jpeg.Decode(bytes.NewReader(clean))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, before, after)
	// The orientation stays, alone in a minimal EXIF segment.
	if !bytes.Contains(clean, []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06")) {
		t.Fatal("the orientation was lost")
	}
	if again, _ := strip(t, clean); !bytes.Equal(again, clean) {
		t.Fatal("stripping twice changes the file")
	}
	if len(clean) >= len(photo) {
		t.Fatalf("stripped %d bytes, original %d", len(clean), len(photo))
	}
}

func TestStripJPEGWithoutMetadata(t *testing.T) {
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, sdktest.Image(20, 20), nil); err != nil {
		t.Fatal(err)
	}
	clean, _ := strip(t, plain.Bytes())
	if !bytes.Equal(clean, plain.Bytes()) {
		t.Fatal("a photo without metadata changed")
	}
}

func TestStripPNG(t *testing.T) {
	photo := sdktest.PNG(sdktest.Image(33, 17))
	clean, ct := strip(t, photo)
	if ct != "image/png" {
		t.Fatalf("content type %q", ct)
	}
	for _, secret := range sdktest.Secrets {
		if bytes.Contains(clean, []byte(secret)) {
			t.Fatalf("%q survived", secret)
		}
	}
	for _, chunk := range []string{"tEXt", "iTXt", "zTXt", "eXIf", "tIME"} {
		if bytes.Contains(clean, []byte(chunk)) {
			t.Fatalf("chunk %s survived", chunk)
		}
	}
	before, err := png.Decode(bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	after, err := png.Decode(bytes.NewReader(clean))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, before, after)
}

func TestStripRefuses(t *testing.T) {
	for name, in := range map[string][]byte{
		"empty":       nil,
		"gif":         []byte("GIF89a....."),
		"truncated":   sdktest.JPEG(sdktest.Image(8, 8))[:40],
		"no EOI":      bytes.TrimSuffix(bytes.Split(sdktest.JPEG(sdktest.Image(8, 8)), []byte("trailer"))[0], []byte{0xff, 0xd9}),
		"png no IEND": sdktest.PNG(sdktest.Image(4, 4))[:60],
	} {
		var out bytes.Buffer
		if _, err := sdk.StripMetadata(&out, bytes.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "gif" && !errors.Is(err, sdk.ErrUnsupportedImage) {
			t.Errorf("gif: %v", err)
		}
	}
}

// FuzzStripMetadata: whatever the input, stripping never panics, and what
// it produces strips to itself (nothing left to remove).
func FuzzStripMetadata(f *testing.F) {
	f.Add(sdktest.JPEG(sdktest.Image(8, 8)))
	f.Add(sdktest.PNG(sdktest.Image(4, 4)))
	f.Add(sdktest.BigJPEG(300, 1))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe1, 0x00, 0x02, 0xff, 0xd9})
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if _, err := sdk.StripMetadata(&out, bytes.NewReader(in)); err != nil {
			return
		}
		var again bytes.Buffer
		if _, err := sdk.StripMetadata(&again, bytes.NewReader(out.Bytes())); err != nil {
			t.Fatalf("stripped output does not strip: %v", err)
		}
		if !bytes.Equal(again.Bytes(), out.Bytes()) {
			t.Fatal("stripping is not idempotent")
		}
	})
}
