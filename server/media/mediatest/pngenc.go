package mediatest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
)

// PNG colour types.
const (
	PNGGray      = 0
	PNGRGB       = 2
	PNGPaletted  = 3
	PNGGrayAlpha = 4
	PNGRGBA      = 6
)

// PNGLayout says how EncodePNG stores an image: the layouts Go's encoder
// never writes (gray below 8 bits, gray with alpha, colour keys,
// interlacing).
type PNGLayout struct {
	ColourType int
	// Depth is the bits per sample: 1, 2, 4 or 8 for gray and paletted,
	// 8 or 16 for the others and for gray.
	Depth int
	// Transparent adds a tRNS chunk: for paletted images the palette's
	// alphas, for gray and RGB the colour of the image's top-left pixel
	// as the transparent one.
	Transparent bool
	// Interlaced stores the rows in Adam7 passes.
	Interlaced bool
}

// EncodePNG writes img as a PNG of the given layout, byte by byte.
// Samples are img's colours cut to the depth; a paletted layout needs an
// *image.Paletted whose palette fits it.
func EncodePNG(img image.Image, l PNGLayout) []byte {
	b := img.Bounds()
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(b.Dx()))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(b.Dy()))
	interlace := byte(0)
	if l.Interlaced {
		interlace = 1
	}
	ihdr = append(ihdr, byte(l.Depth), byte(l.ColourType), 0, 0, interlace)
	out := appendChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	if l.ColourType == PNGPaletted {
		pal := img.(*image.Paletted).Palette
		var plte, trns []byte
		for _, c := range pal {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			plte = append(plte, n.R, n.G, n.B)
			trns = append(trns, n.A)
		}
		out = appendChunk(out, "PLTE", plte)
		if l.Transparent {
			out = appendChunk(out, "tRNS", trns)
		}
	} else if l.Transparent {
		key := l.samples(img.At(b.Min.X, b.Min.Y))
		var trns []byte
		for _, v := range key {
			trns = binary.BigEndian.AppendUint16(trns, uint16(v))
		}
		out = appendChunk(out, "tRNS", trns)
	}
	var raw bytes.Buffer
	passes := []struct{ x, y, dx, dy int }{{0, 0, 1, 1}}
	if l.Interlaced {
		passes = []struct{ x, y, dx, dy int }{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	}
	for _, p := range passes {
		for y := p.y; y < b.Dy(); y += p.dy {
			var row rowWriter
			for x := p.x; x < b.Dx(); x += p.dx {
				for _, v := range l.pixel(img, b.Min.X+x, b.Min.Y+y) {
					row.put(v, l.Depth)
				}
			}
			if len(row.out) == 0 && row.n == 0 {
				continue // a pass with no pixel in this row
			}
			raw.WriteByte(0) // filter: none
			raw.Write(row.bytes())
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()
	out = appendChunk(out, "IDAT", z.Bytes())
	return appendChunk(out, "IEND", nil)
}

// pixel returns the samples stored for the pixel at (x, y).
func (l PNGLayout) pixel(img image.Image, x, y int) []int {
	if l.ColourType == PNGPaletted {
		return []int{int(img.(*image.Paletted).ColorIndexAt(x, y))}
	}
	return l.samples(img.At(x, y))
}

// samples returns the samples of c, cut to the layout's depth.
func (l PNGLayout) samples(c color.Color) []int {
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	cut := func(v uint16) int { return int(v >> (16 - l.Depth)) }
	g := cut(color.Gray16Model.Convert(color.NRGBA64{R: n.R, G: n.G, B: n.B, A: 0xFFFF}).(color.Gray16).Y)
	switch l.ColourType {
	case PNGGray:
		return []int{g}
	case PNGGrayAlpha:
		return []int{g, cut(n.A)}
	case PNGRGB:
		return []int{cut(n.R), cut(n.G), cut(n.B)}
	}
	return []int{cut(n.R), cut(n.G), cut(n.B), cut(n.A)}
}

// rowWriter packs samples of 1 to 16 bits, most significant first.
type rowWriter struct {
	out []byte
	acc byte
	n   int // bits in acc
}

func (r *rowWriter) put(v, depth int) {
	switch depth {
	case 16:
		r.out = binary.BigEndian.AppendUint16(r.out, uint16(v))
	case 8:
		r.out = append(r.out, byte(v))
	default:
		r.acc |= byte(v) << (8 - depth - r.n)
		if r.n += depth; r.n == 8 {
			r.out, r.acc, r.n = append(r.out, r.acc), 0, 0
		}
	}
}

// bytes ends the row: a partial byte is padded with zeros.
func (r *rowWriter) bytes() []byte {
	if r.n > 0 {
		return append(r.out, r.acc)
	}
	return r.out
}
