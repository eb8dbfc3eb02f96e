package media

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

var testLimits = Limits{MaxPixels: 50e6, Thumbnail: 320, Quality: 90}

// reference turns img upright the slow, obvious way: EXIF orientations as
// the spec words them, in mirrors and clockwise quarter turns.
func reference(img image.Image, o int) image.Image {
	mirror := func(src image.Image) image.Image {
		b := src.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				dst.Set(x, y, src.At(b.Min.X+b.Dx()-1-x, b.Min.Y+y))
			}
		}
		return dst
	}
	turn := func(src image.Image) image.Image { // 90° clockwise
		b := src.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
		for y := 0; y < b.Dx(); y++ {
			for x := 0; x < b.Dy(); x++ {
				dst.Set(x, y, src.At(b.Min.X+y, b.Min.Y+b.Dy()-1-x))
			}
		}
		return dst
	}
	turns := func(src image.Image, n int) image.Image {
		for range n {
			src = turn(src)
		}
		return src
	}
	switch o {
	case 2:
		return mirror(img)
	case 3:
		return turns(img, 2)
	case 4:
		return turns(mirror(img), 2)
	case 5:
		return turns(mirror(img), 3)
	case 6:
		return turns(img, 1)
	case 7:
		return turns(mirror(img), 1)
	case 8:
		return turns(img, 3)
	}
	return img
}

func near(a, b color.Color, tol int) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) int { return max(int(x>>8)-int(y>>8), int(y>>8)-int(x>>8)) }
	return d(r1, r2) <= tol && d(g1, g2) <= tol && d(b1, b2) <= tol
}

// quadrantCentres samples the middle of each quadrant.
func quadrantCentres(img image.Image) [4]color.Color {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	return [4]color.Color{
		img.At(b.Min.X+w/4, b.Min.Y+h/4), img.At(b.Min.X+3*w/4, b.Min.Y+h/4),
		img.At(b.Min.X+w/4, b.Min.Y+3*h/4), img.At(b.Min.X+3*w/4, b.Min.Y+3*h/4),
	}
}

func noMetadata(t *testing.T, format string, data []byte) {
	t.Helper()
	var found []string
	var err error
	if format == formatJPEG {
		found, err = mediatest.JPEGMetadata(data)
	} else {
		found, err = mediatest.PNGMetadata(data)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Fatalf("metadata left in the clean image: %v", found)
	}
	for _, s := range mediatest.Secrets {
		if bytes.Contains(data, []byte(s)) {
			t.Fatalf("the clean image still contains %q", s)
		}
	}
}

func TestCleanOrientsAndStrips(t *testing.T) {
	src := mediatest.Quadrants(80, 60)
	for _, format := range []string{formatJPEG, formatPNG} {
		for o := 1; o <= 8; o++ {
			t.Run(fmt.Sprintf("%s/%d", format, o), func(t *testing.T) {
				var in []byte
				if format == formatJPEG {
					in = mediatest.JPEG(src, 95, mediatest.All(o))
				} else {
					in = mediatest.PNG(src, mediatest.All(o))
				}
				if found, _ := mediatest.JPEGMetadata(in); format == formatJPEG && len(found) < 4 {
					t.Fatalf("test photo carries only %v", found)
				}
				out, err := clean(in, testLimits)
				if err != nil {
					t.Fatal(err)
				}
				if out.ContentType != format {
					t.Fatalf("content type %s, want %s", out.ContentType, format)
				}
				noMetadata(t, format, out.Image)
				noMetadata(t, format, out.Thumbnail)
				img, _, err := image.Decode(bytes.NewReader(out.Image))
				if err != nil {
					t.Fatal(err)
				}
				want := reference(src, o)
				if img.Bounds().Size() != want.Bounds().Size() || out.Width != want.Bounds().Dx() || out.Height != want.Bounds().Dy() {
					t.Fatalf("clean image is %v (%d×%d), want %v", img.Bounds().Size(), out.Width, out.Height, want.Bounds().Size())
				}
				got, exp := quadrantCentres(img), quadrantCentres(want)
				for i := range got {
					if !near(got[i], exp[i], 40) {
						t.Fatalf("quadrant %d is %v, want %v", i, got[i], exp[i])
					}
				}
			})
		}
	}
}

// Orientation 6 (a phone held upright) spelled out: the photo is stored
// lying on its left side and must come out turned clockwise.
func TestOrientation6(t *testing.T) {
	out, err := clean(mediatest.JPEG(mediatest.Quadrants(80, 60), 95, mediatest.Metadata{Orientation: 6}), testLimits)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(out.Image))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 60 || img.Bounds().Dy() != 80 {
		t.Fatalf("size %v, want 60×80", img.Bounds().Size())
	}
	want := [4]color.Color{mediatest.Blue, mediatest.Red, mediatest.White, mediatest.Green}
	for i, c := range quadrantCentres(img) {
		if !near(c, want[i], 40) {
			t.Fatalf("quadrant %d is %v, want %v", i, c, want[i])
		}
	}
}

// orient must agree with the reference for every kind of decoded image.
func TestOrientImageTypes(t *testing.T) {
	q := mediatest.Quadrants(7, 5) // odd sizes catch off-by-ones
	ycc := func(r image.YCbCrSubsampleRatio) image.Image {
		m := image.NewYCbCr(q.Rect, r)
		for y := 0; y < 5; y++ {
			for x := 0; x < 7; x++ {
				c := q.RGBAAt(x, y)
				yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
				m.Y[m.YOffset(x, y)] = yy
				m.Cb[m.COffset(x, y)], m.Cr[m.COffset(x, y)] = cb, cr
			}
		}
		return m
	}
	convert := func(dst settable) image.Image {
		for y := 0; y < 5; y++ {
			for x := 0; x < 7; x++ {
				dst.Set(x, y, q.At(x, y))
			}
		}
		return dst
	}
	pal := image.NewPaletted(q.Rect, color.Palette{mediatest.Red, mediatest.Green, mediatest.Blue, mediatest.White})
	images := map[string]image.Image{
		"rgba":     q,
		"nrgba":    convert(image.NewNRGBA(q.Rect)),
		"rgba64":   convert(image.NewRGBA64(q.Rect)),
		"nrgba64":  convert(image.NewNRGBA64(q.Rect)),
		"gray":     convert(image.NewGray(q.Rect)),
		"gray16":   convert(image.NewGray16(q.Rect)),
		"cmyk":     convert(image.NewCMYK(q.Rect)),
		"paletted": convert(pal),
		"ycc444":   ycc(image.YCbCrSubsampleRatio444),
		"alpha":    convert(image.NewAlpha(q.Rect)), // through the NRGBA fallback
		"sub":      q.SubImage(image.Rect(1, 1, 6, 4)),
	}
	for name, img := range images {
		for o := 1; o <= 8; o++ {
			got, want := orient(img, o), reference(img, o)
			if got.Bounds().Size() != want.Bounds().Size() {
				t.Fatalf("%s/%d: size %v, want %v", name, o, got.Bounds().Size(), want.Bounds().Size())
			}
			gb, wb := got.Bounds(), want.Bounds()
			for y := 0; y < wb.Dy(); y++ {
				for x := 0; x < wb.Dx(); x++ {
					if !near(got.At(gb.Min.X+x, gb.Min.Y+y), want.At(wb.Min.X+x, wb.Min.Y+y), 0) {
						t.Fatalf("%s/%d: pixel (%d,%d) is %v, want %v", name, o, x, y, got.At(gb.Min.X+x, gb.Min.Y+y), want.At(wb.Min.X+x, wb.Min.Y+y))
					}
				}
			}
		}
	}
}

type settable interface {
	image.Image
	Set(x, y int, c color.Color)
}

func TestThumbnailSize(t *testing.T) {
	for _, c := range []struct{ w, h, tw, th int }{
		{800, 600, 320, 240},
		{600, 800, 240, 320},
		{4000, 300, 320, 24},
		{320, 100, 320, 100},
		{100, 50, 100, 50},
		{4000, 3, 320, 1},
	} {
		got := thumbnail(image.NewGray(image.Rect(0, 0, c.w, c.h)), 320).Bounds()
		if got.Dx() != c.tw || got.Dy() != c.th {
			t.Errorf("%d×%d: thumbnail %d×%d, want %d×%d", c.w, c.h, got.Dx(), got.Dy(), c.tw, c.th)
		}
	}
}

func TestCleanRefuses(t *testing.T) {
	photo := mediatest.JPEG(mediatest.Quadrants(64, 64), 90, mediatest.Metadata{})
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n"), "a PDF document, not a JPEG or PNG image"},
		{"heic", append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 100)...), "a HEIC photo"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "a GIF image"},
		{"text", []byte("hello"), "not a JPEG or PNG image"},
		{"empty", nil, "not a JPEG or PNG image"},
		{"truncated jpeg", photo[:len(photo)/2], "damaged"},
		{"jpeg header only", photo[:20], "damaged"},
		{"bomb", mediatest.PNGHeader(40000, 40000), "40000×40000 pixels (1600.0 megapixels); at most 50.0 megapixels"},
		{"zero width", mediatest.PNGHeader(0, 10), "damaged"},
	}
	for _, c := range cases {
		_, err := clean(c.data, testLimits)
		if syncengine.ErrorCode(err) != syncengine.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want EINVALID mentioning %q", c.name, err, c.want)
		}
	}
}

func FuzzOrientation(f *testing.F) {
	for o := 0; o <= 8; o++ {
		f.Add(mediatest.EXIF(o, o%2 == 0))
	}
	f.Add([]byte("II*\x00\x08\x00\x00\x00\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, tiff := range [][]byte{data, jpegExif(append([]byte{0xFF, 0xD8}, data...)), pngExif(append([]byte("\x89PNG\r\n\x1a\n"), data...))} {
			if o := tiffOrientation(tiff); o < 1 || o > 8 {
				t.Fatalf("orientation %d", o)
			}
		}
	})
}

// FuzzClean: whatever arrives is refused with a reason, or comes out as a
// decodable image and thumbnail of the sizes reported, without metadata;
// cleaning never panics. Besides the seeds below, testdata/fuzz/FuzzClean
// holds images of many layouts as cjpeg, ImageMagick and exiftool write
// them (see testdata/fixtures.sh).
func FuzzClean(f *testing.F) {
	img := mediatest.Quadrants(24, 16)
	f.Add(mediatest.JPEG(img, 80, mediatest.All(6)))
	f.Add(mediatest.PNG(img, mediatest.All(3)))
	f.Add(mediatest.PNGHeader(5000, 5000))
	p := func(x, y int) image.Point { return image.Point{x, y} }
	for o, l := range []mediatest.JPEGLayout{
		{Sampling: []image.Point{p(4, 1), p(1, 1), p(1, 1)}},
		{Sampling: []image.Point{p(4, 2), p(1, 1), p(1, 1)}, Progressive: true},
		{Colour: mediatest.YCCK, Sampling: []image.Point{p(2, 2), p(1, 1), p(1, 1), p(2, 2)}},
		{Colour: mediatest.Gray, Progressive: true},
	} {
		f.Add(mediatest.AddJPEGMetadata(mediatest.EncodeJPEG(img, l), mediatest.All(o+5)))
	}
	for o, l := range []mediatest.PNGLayout{
		{ColourType: mediatest.PNGGray, Depth: 2, Transparent: true},
		{ColourType: mediatest.PNGGrayAlpha, Depth: 16, Interlaced: true},
	} {
		f.Add(mediatest.AddPNGMetadata(mediatest.EncodePNG(img, l), mediatest.All(o+7)))
	}
	for _, u := range mediatest.UnreadableLayouts() {
		f.Add(u.File)
	}
	lim := Limits{MaxPixels: 1 << 16, Thumbnail: 8, Quality: 80}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := clean(data, lim)
		if err != nil {
			if syncengine.ErrorCode(err) != syncengine.EINVALID {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		for _, c := range []struct {
			data []byte
			w, h int
		}{{out.Image, out.Width, out.Height}, {out.Thumbnail, out.ThumbnailWidth, out.ThumbnailHeight}} {
			noMetadata(t, out.ContentType, c.data)
			var decoded image.Config
			if out.ContentType == formatJPEG {
				decoded, err = jpeg.DecodeConfig(bytes.NewReader(c.data))
			} else {
				decoded, err = png.DecodeConfig(bytes.NewReader(c.data))
			}
			if err != nil || decoded.Width != c.w || decoded.Height != c.h {
				t.Fatalf("clean image %+v, %v; reported %d×%d", decoded, err, c.w, c.h)
			}
		}
	})
}
