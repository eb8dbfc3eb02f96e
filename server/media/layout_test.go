package media

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The test picture: four coloured quadrants split at (32, 16), and a
// marker, an 8×8 square at (4, 4), off every axis of symmetry, so that
// where it ends up tells the orientation applied. Layouts of four colours
// or fewer carry the marker on white.
var (
	marker      = image.Rect(4, 4, 12, 12)
	markerColor = color.NRGBA{0, 0, 0, 255}
	// Layouts with alpha get a half-transparent marker.
	clearMarker = color.NRGBA{0, 0, 0, 0x80}
	// samples are points away from every edge of the picture, the marker's
	// centre first.
	samples = []image.Point{{8, 8}, {22, 8}, {46, 8}, {16, 28}, {46, 28}}
)

func picture(w, h int, twoTone bool, mark color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var c color.Color = mediatest.White
			switch {
			case twoTone:
			case x < 32 && y < 16:
				c = mediatest.Red
			case y < 16:
				c = mediatest.Green
			case x < 32:
				c = mediatest.Blue
			}
			if (image.Point{x, y}).In(marker) {
				c = mark
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// paletted is img as a paletted image of its colours.
func paletted(img *image.NRGBA) *image.Paletted {
	var pal color.Palette
	seen := map[color.NRGBA]bool{}
	for i := 0; i < len(img.Pix); i += 4 {
		c := color.NRGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3]}
		if !seen[c] {
			seen[c] = true
			pal = append(pal, c)
		}
	}
	p := image.NewPaletted(img.Rect, pal)
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			p.Set(x, y, img.At(x, y))
		}
	}
	return p
}

// A layout is one way a JPEG or PNG stores the test picture.
type layout struct {
	name    string
	format  string
	twoTone bool // four colours or fewer
	gray    bool
	alpha   bool
	// decoded is how the decoder returns it, as kind names it.
	decoded string
	encode  func(image.Image) []byte
}

func kind(img image.Image) string {
	if m, ok := img.(*image.YCbCr); ok {
		return "YCbCr " + m.SubsampleRatio.String()
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", img), "*image.")
}

// sof1 rewrites a baseline JPEG as extended sequential (SOF1), which
// differs only in its marker.
func sof1(b []byte) []byte {
	b = bytes.Clone(b)
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	b[i+1] = 0xC1
	return b
}

func jpegLayouts() []layout {
	p := func(x, y int) image.Point { return image.Point{x, y} }
	type base struct {
		name    string
		l       mediatest.JPEGLayout
		decoded string
	}
	bases := []base{
		{"4:4:4", mediatest.JPEGLayout{}, "YCbCr YCbCrSubsampleRatio444"},
		{"4:2:2", mediatest.JPEGLayout{Sampling: []image.Point{p(2, 1), p(1, 1), p(1, 1)}}, "YCbCr YCbCrSubsampleRatio422"},
		{"4:2:0", mediatest.JPEGLayout{Sampling: []image.Point{p(2, 2), p(1, 1), p(1, 1)}}, "YCbCr YCbCrSubsampleRatio420"},
		{"4:4:0", mediatest.JPEGLayout{Sampling: []image.Point{p(1, 2), p(1, 1), p(1, 1)}}, "YCbCr YCbCrSubsampleRatio440"},
		{"4:1:1", mediatest.JPEGLayout{Sampling: []image.Point{p(4, 1), p(1, 1), p(1, 1)}}, "YCbCr YCbCrSubsampleRatio411"},
		{"4:1:0", mediatest.JPEGLayout{Sampling: []image.Point{p(4, 2), p(1, 1), p(1, 1)}}, "YCbCr YCbCrSubsampleRatio410"},
		{"4:4:0 of 2×2 luma", mediatest.JPEGLayout{Sampling: []image.Point{p(2, 2), p(2, 1), p(2, 1)}}, "YCbCr YCbCrSubsampleRatio440"},
		{"gray", mediatest.JPEGLayout{Colour: mediatest.Gray}, "Gray"},
		{"gray nominally 2×2", mediatest.JPEGLayout{Colour: mediatest.Gray, Sampling: []image.Point{p(2, 2)}}, "Gray"},
		{"rgb", mediatest.JPEGLayout{Colour: mediatest.RGB}, "RGBA"},
		{"cmyk", mediatest.JPEGLayout{Colour: mediatest.CMYK}, "CMYK"},
		{"cmyk subsampled", mediatest.JPEGLayout{Colour: mediatest.CMYK, Sampling: []image.Point{p(2, 2), p(1, 1), p(1, 1), p(2, 2)}}, "CMYK"},
		{"ycck", mediatest.JPEGLayout{Colour: mediatest.YCCK}, "CMYK"},
		{"ycck subsampled", mediatest.JPEGLayout{Colour: mediatest.YCCK, Sampling: []image.Point{p(2, 2), p(1, 1), p(1, 1), p(2, 2)}}, "CMYK"},
	}
	var out []layout
	for _, b := range bases {
		for _, progressive := range []bool{false, true} {
			l := b.l
			l.Progressive = progressive
			name := "jpeg " + b.name
			if progressive {
				name += " progressive"
			}
			out = append(out, layout{name: name, format: formatJPEG, decoded: b.decoded, gray: l.Colour == mediatest.Gray,
				encode: func(img image.Image) []byte { return mediatest.EncodeJPEG(img, l) }})
		}
	}
	l420 := bases[2].l
	out = append(out, layout{name: "jpeg 4:2:0 extended sequential", format: formatJPEG, decoded: bases[2].decoded,
		encode: func(img image.Image) []byte { return sof1(mediatest.EncodeJPEG(img, l420)) }})
	return out
}

func pngLayouts() []layout {
	type pl = mediatest.PNGLayout
	cases := []struct {
		l       pl
		decoded string
	}{
		{pl{ColourType: mediatest.PNGGray, Depth: 1}, "Gray"},
		{pl{ColourType: mediatest.PNGGray, Depth: 2}, "Gray"},
		{pl{ColourType: mediatest.PNGGray, Depth: 4}, "Gray"},
		{pl{ColourType: mediatest.PNGGray, Depth: 8}, "Gray"},
		{pl{ColourType: mediatest.PNGGray, Depth: 16}, "Gray16"},
		{pl{ColourType: mediatest.PNGGray, Depth: 2, Transparent: true}, "NRGBA"},
		{pl{ColourType: mediatest.PNGGray, Depth: 8, Transparent: true}, "NRGBA"},
		{pl{ColourType: mediatest.PNGGray, Depth: 16, Transparent: true}, "NRGBA64"},
		{pl{ColourType: mediatest.PNGGrayAlpha, Depth: 8}, "NRGBA"},
		{pl{ColourType: mediatest.PNGGrayAlpha, Depth: 16}, "NRGBA64"},
		{pl{ColourType: mediatest.PNGRGB, Depth: 8}, "RGBA"},
		{pl{ColourType: mediatest.PNGRGB, Depth: 16}, "RGBA64"},
		{pl{ColourType: mediatest.PNGRGB, Depth: 8, Transparent: true}, "NRGBA"},
		{pl{ColourType: mediatest.PNGRGB, Depth: 16, Transparent: true}, "NRGBA64"},
		{pl{ColourType: mediatest.PNGRGBA, Depth: 8}, "NRGBA"},
		{pl{ColourType: mediatest.PNGRGBA, Depth: 16}, "NRGBA64"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 1}, "Paletted"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 2}, "Paletted"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 4}, "Paletted"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 8}, "Paletted"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 1, Transparent: true}, "Paletted"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 2, Transparent: true}, "Paletted"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 4, Transparent: true}, "Paletted"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 8, Transparent: true}, "Paletted"},
		{pl{ColourType: mediatest.PNGGray, Depth: 1, Interlaced: true}, "Gray"},
		{pl{ColourType: mediatest.PNGRGB, Depth: 8, Interlaced: true}, "RGBA"},
		{pl{ColourType: mediatest.PNGRGBA, Depth: 16, Interlaced: true}, "NRGBA64"},
		{pl{ColourType: mediatest.PNGPaletted, Depth: 4, Transparent: true, Interlaced: true}, "Paletted"},
	}
	types := map[int]string{0: "gray", 2: "rgb", 3: "paletted", 4: "gray+alpha", 6: "rgba"}
	var out []layout
	for _, c := range cases {
		name := fmt.Sprintf("png %s %d-bit", types[c.l.ColourType], c.l.Depth)
		if c.l.Transparent {
			name += " transparent"
		}
		if c.l.Interlaced {
			name += " interlaced"
		}
		l := c.l
		out = append(out, layout{
			name: name, format: formatPNG, decoded: c.decoded,
			twoTone: l.Depth <= 2,
			gray:    l.ColourType == mediatest.PNGGray || l.ColourType == mediatest.PNGGrayAlpha,
			alpha:   l.ColourType == mediatest.PNGGrayAlpha || l.ColourType == mediatest.PNGRGBA || (l.ColourType == mediatest.PNGPaletted && l.Transparent),
			encode: func(img image.Image) []byte {
				if l.ColourType == mediatest.PNGPaletted {
					img = paletted(img.(*image.NRGBA))
				}
				return mediatest.EncodePNG(img, l)
			},
		})
	}
	return out
}

func same(a, b color.Color) bool {
	return color.NRGBA64Model.Convert(a) == color.NRGBA64Model.Convert(b)
}

// oriented reports how got is not src under orientation o, pixel for
// pixel and exactly.
func oriented(got, src image.Image, o int) error {
	gb, sb := got.Bounds(), src.Bounds()
	if gb.Size() != turnedBounds(o, sb.Dx(), sb.Dy()).Size() {
		return fmt.Errorf("size %v for a %v image under orientation %d", gb.Size(), sb.Size(), o)
	}
	for y := range sb.Dy() {
		for x := range sb.Dx() {
			q := gb.Min.Add(mediatest.Shown(o, sb.Dx(), sb.Dy(), image.Pt(x, y)))
			if g, s := got.At(q.X, q.Y), src.At(sb.Min.X+x, sb.Min.Y+y); !same(g, s) {
				return fmt.Errorf("stored pixel (%d,%d), %v, shows at %v as %v", x, y, s, q, g)
			}
		}
	}
	return nil
}

// Every layout the decoders accept, in each EXIF orientation, at a size
// that is a multiple of every block and one that is not: cleaning never
// panics, and gives a decodable image and thumbnail, upright, with the
// original's pixels (exactly for PNG) and no metadata.
func TestCleanEveryLayout(t *testing.T) {
	lim := Limits{MaxPixels: 1 << 20, Thumbnail: 16, Quality: 90}
	for _, l := range append(jpegLayouts(), pngLayouts()...) {
		for _, size := range []image.Point{{64, 40}, {61, 37}} {
			mark := color.Color(markerColor)
			if l.alpha {
				mark = clearMarker
			}
			pic := picture(size.X, size.Y, l.twoTone, mark)
			enc := l.encode(pic)
			src, _, err := image.Decode(bytes.NewReader(enc))
			if err != nil {
				t.Fatalf("%s: the test image does not decode: %v", l.name, err)
			}
			if kind(src) != l.decoded {
				t.Fatalf("%s: the test image decodes as %s, want %s", l.name, kind(src), l.decoded)
			}
			// Colours as stored, before any alpha (a tRNS colour key makes
			// the top-left colour transparent).
			opaque := func(c color.Color) color.Color {
				switch n := c.(type) {
				case color.NRGBA:
					n.A = 0xFF
					return n
				case color.NRGBA64:
					n.A = 0xFFFF
					return n
				}
				return c
			}
			for _, p := range samples {
				want := pic.At(p.X, p.Y)
				if l.gray {
					want = color.GrayModel.Convert(want)
				}
				if !near(opaque(src.At(p.X, p.Y)), opaque(want), 40) {
					t.Fatalf("%s: the test image shows %v at %v, want %v", l.name, src.At(p.X, p.Y), p, want)
				}
			}
			for o := 1; o <= 8; o++ {
				t.Run(fmt.Sprintf("%s/%dx%d/%d", l.name, size.X, size.Y, o), func(t *testing.T) {
					checkLayout(t, l, enc, src, o, lim)
				})
			}
		}
	}
}

func checkLayout(t *testing.T, l layout, enc []byte, src image.Image, o int, lim Limits) {
	var in []byte
	if l.format == formatJPEG {
		in = mediatest.AddJPEGMetadata(enc, mediatest.All(o))
	} else {
		in = mediatest.AddPNGMetadata(enc, mediatest.All(o))
	}
	out, err := clean(in, lim)
	if err != nil {
		t.Fatal(err)
	}
	noMetadata(t, l.format, out.Image)
	noMetadata(t, l.format, out.Thumbnail)
	img, format, err := image.Decode(bytes.NewReader(out.Image))
	if err != nil || "image/"+format != l.format {
		t.Fatalf("the clean image decodes as %q: %v", format, err)
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	want := turnedBounds(o, w, h)
	if img.Bounds() != want || out.Width != want.Dx() || out.Height != want.Dy() {
		t.Fatalf("the clean image is %v, reported %d×%d, want %v", img.Bounds(), out.Width, out.Height, want)
	}
	for i, p := range samples {
		q := mediatest.Shown(o, w, h, p)
		got, exp := img.At(q.X, q.Y), src.At(p.X, p.Y)
		if (l.format == formatPNG && !same(got, exp)) || !near(got, exp, 40) {
			what := "the marker"
			if i > 0 {
				what = fmt.Sprintf("stored pixel %v", p)
			}
			t.Fatalf("%s should show at %v as %v, found %v", what, q, exp, got)
		}
	}
	if l.format == formatPNG {
		if err := oriented(img, src, o); err != nil {
			t.Fatal(err)
		}
	}
	thumb, _, err := image.Decode(bytes.NewReader(out.Thumbnail))
	if err != nil {
		t.Fatalf("the thumbnail does not decode: %v", err)
	}
	tb := thumb.Bounds()
	if max(tb.Dx(), tb.Dy()) != lim.Thumbnail || (tb.Dx() > tb.Dy()) != (want.Dx() > want.Dy()) ||
		tb.Dx() != out.ThumbnailWidth || tb.Dy() != out.ThumbnailHeight {
		t.Fatalf("thumbnail %v (reported %d×%d) for a %v image", tb, out.ThumbnailWidth, out.ThumbnailHeight, want)
	}
}

// Layouts the decoders do not implement are refused saying so; damaged
// ones as damaged.
func TestCleanRefusesUnreadableLayouts(t *testing.T) {
	for _, c := range mediatest.UnreadableLayouts() {
		_, err := clean(c.File, testLimits)
		if syncengine.ErrorCode(err) != syncengine.EINVALID || !strings.Contains(err.Error(), "uses a format feature the server cannot read") ||
			!strings.Contains(err.Error(), c.Want) {
			t.Errorf("%s: %v, want EINVALID naming the unsupported feature (%q)", c.Name, err, c.Want)
		}
	}
}
