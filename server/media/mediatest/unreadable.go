package mediatest

import (
	"bytes"
	"image"
	"image/color"
)

// Unreadable is a well-formed image in a layout Go's decoders do not
// implement, and words of the decoder's refusal.
type Unreadable struct {
	Name string
	File []byte
	Want string
}

// UnreadableLayouts returns one small image of each layout the JPEG and
// PNG decoders refuse as unsupported.
func UnreadableLayouts() []Unreadable {
	src := Quadrants(24, 16)
	p := func(x, y int) image.Point { return image.Point{x, y} }
	baseline := EncodeJPEG(src, JPEGLayout{})
	sof := bytes.Index(baseline, []byte{0xFF, 0xC0})
	patched := func(at int, v byte) []byte {
		b := bytes.Clone(baseline)
		b[at] = v
		return b
	}
	cmyk := EncodeJPEG(src, JPEGLayout{Colour: CMYK})
	// EncodeJPEG writes the Adobe segment first: FF EE, length 14.
	noAdobe := append(cmyk[:2:2], cmyk[2+2+14:]...)
	pal := image.NewPaletted(src.Rect, color.Palette{White, Red})
	return []Unreadable{
		{"jpeg 3×1 luma", EncodeJPEG(src, JPEGLayout{Sampling: []image.Point{p(3, 1), p(1, 1), p(1, 1)}}), "luma/chroma subsampling ratio"},
		{"jpeg Cb and Cr sampled apart", EncodeJPEG(src, JPEGLayout{Sampling: []image.Point{p(2, 2), p(1, 1), p(2, 1)}}), "luma/chroma subsampling ratio"},
		{"jpeg cmyk 2×1", EncodeJPEG(src, JPEGLayout{Colour: CMYK, Sampling: []image.Point{p(2, 1), p(1, 1), p(1, 1), p(2, 1)}}), "luma/chroma subsampling ratio"},
		{"jpeg 12-bit", patched(sof+4, 12), "precision"},
		{"jpeg arithmetic coding", patched(sof+1, 0xC9), "unknown marker"},
		{"jpeg lossless", patched(sof+1, 0xC3), "unknown marker"},
		{"jpeg cmyk without its Adobe segment", noAdobe, "unknown color model"},
		{"png rgb 4-bit", EncodePNG(src, PNGLayout{ColourType: PNGRGB, Depth: 4}), "bit depth 4, color type 2"},
		{"png paletted 16-bit", EncodePNG(pal, PNGLayout{ColourType: PNGPaletted, Depth: 16}), "bit depth 16, color type 3"},
		{"png colour type 1", EncodePNG(src, PNGLayout{ColourType: 1, Depth: 8}), "color type 1"},
	}
}
