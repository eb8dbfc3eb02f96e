package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
)

// JPEGColour is the colour space a JPEG stores its components in.
type JPEGColour int

const (
	// YCbCr: three components, with a JFIF APP0 segment.
	YCbCr JPEGColour = iota
	// Gray: one component, with a JFIF APP0 segment.
	Gray
	// RGB: three components, Adobe APP14 transform 0.
	RGB
	// CMYK: four inverted components, Adobe APP14 transform 0, as
	// Photoshop writes them.
	CMYK
	// YCCK: YCbCr and inverted black, Adobe APP14 transform 2.
	YCCK
)

// JPEGLayout says how EncodeJPEG stores an image: the layouts Go's
// encoder never writes (it writes baseline 4:2:0 or grayscale only).
type JPEGLayout struct {
	Colour JPEGColour
	// Sampling holds each component's horizontal and vertical sampling
	// factors: {{4, 1}, {1, 1}, {1, 1}} is 4:1:1. Nil samples every
	// component 1×1. A grayscale JPEG's factors are written as given and
	// mean nothing, as the standard says.
	Sampling []image.Point
	// Progressive writes a DC scan, then one AC scan per component
	// (spectral selection), instead of one baseline scan.
	Progressive bool
}

// EncodeJPEG writes img as a JPEG of the given layout, byte by byte, with
// every quantizer 1 so that the decoded pixels are close to img's.
func EncodeJPEG(img image.Image, l JPEGLayout) []byte {
	n := map[JPEGColour]int{YCbCr: 3, Gray: 1, RGB: 3, CMYK: 4, YCCK: 4}[l.Colour]
	sampling := l.Sampling
	if sampling == nil {
		sampling = make([]image.Point, n)
		for i := range sampling {
			sampling[i] = image.Point{1, 1}
		}
	}
	if len(sampling) != n {
		panic("mediatest: one sampling factor pair per component")
	}
	b := img.Bounds()
	e := &jpegEncoder{w: b.Dx(), h: b.Dy(), sampling: sampling}
	if n == 1 {
		e.blockSampling = []image.Point{{1, 1}}
	} else {
		e.blockSampling = sampling
	}
	for _, s := range e.blockSampling {
		e.hmax, e.vmax = max(e.hmax, s.X), max(e.vmax, s.Y)
	}
	full := componentPlanes(img, l.Colour, n)
	for i := range full {
		e.planes = append(e.planes, e.downsample(full[i], e.blockSampling[i]))
	}

	out := []byte{0xFF, 0xD8}
	switch l.Colour {
	case YCbCr, Gray:
		out = appendSegment(out, 0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
	case RGB, CMYK:
		out = appendSegment(out, 0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))
	case YCCK:
		out = appendSegment(out, 0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x02"))
	}
	out = appendSegment(out, 0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))
	sof := binary.BigEndian.AppendUint16([]byte{8}, uint16(e.h))
	sof = binary.BigEndian.AppendUint16(sof, uint16(e.w))
	sof = append(sof, byte(n))
	for i, s := range sampling {
		sof = append(sof, byte(i+1), byte(s.X<<4|s.Y), 0)
	}
	if l.Progressive {
		out = appendSegment(out, 0xC2, sof)
	} else {
		out = appendSegment(out, 0xC0, sof)
	}
	out = appendSegment(out, 0xC4, huffmanTables())
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	if !l.Progressive {
		out = appendSegment(out, 0xDA, scanHeader(all, 0, 63))
		out = append(out, e.scan(all, true, true)...)
	} else {
		out = appendSegment(out, 0xDA, scanHeader(all, 0, 0))
		out = append(out, e.scan(all, true, false)...)
		for c := range n {
			out = appendSegment(out, 0xDA, scanHeader([]int{c}, 1, 63))
			out = append(out, e.scan([]int{c}, false, true)...)
		}
	}
	return append(out, 0xFF, 0xD9)
}

// plane is one component's samples, w×h.
type plane struct {
	w, h int
	v    []float64
}

func (p plane) at(x, y int) float64 {
	return p.v[min(max(y, 0), p.h-1)*p.w+min(max(x, 0), p.w-1)]
}

// componentPlanes returns the stored value of each component at every
// pixel.
func componentPlanes(img image.Image, c JPEGColour, n int) []plane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	planes := make([]plane, n)
	for i := range planes {
		planes[i] = plane{w: w, h: h, v: make([]float64, w*h)}
	}
	for y := range h {
		for x := range w {
			rgba := color.RGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
			var v []uint8
			switch c {
			case Gray:
				v = []uint8{color.GrayModel.Convert(rgba).(color.Gray).Y}
			case YCbCr:
				yy, cb, cr := color.RGBToYCbCr(rgba.R, rgba.G, rgba.B)
				v = []uint8{yy, cb, cr}
			case RGB:
				v = []uint8{rgba.R, rgba.G, rgba.B}
			case CMYK:
				cc, m, yl, k := color.RGBToCMYK(rgba.R, rgba.G, rgba.B)
				v = []uint8{255 - cc, 255 - m, 255 - yl, 255 - k}
			case YCCK:
				cc, m, yl, k := color.RGBToCMYK(rgba.R, rgba.G, rgba.B)
				yy, cb, cr := color.RGBToYCbCr(cc, m, yl)
				v = []uint8{yy, cb, cr, 255 - k}
			}
			for i := range planes {
				planes[i].v[y*w+x] = float64(v[i])
			}
		}
	}
	return planes
}

type jpegEncoder struct {
	w, h       int
	hmax, vmax int
	// sampling is written in the frame header; blockSampling lays out
	// the blocks (1×1 for a single component, whatever was written).
	sampling, blockSampling []image.Point
	planes                  []plane
	// coeffs caches the quantized coefficients of each component's
	// blocks: a progressive JPEG codes them in several scans.
	coeffs map[[3]int]*[64]int
}

// downsample averages full into a component sampled s of hmax×vmax.
func (e *jpegEncoder) downsample(full plane, s image.Point) plane {
	fx, fy := e.hmax/s.X, e.vmax/s.Y
	p := plane{w: (e.w*s.X + e.hmax - 1) / e.hmax, h: (e.h*s.Y + e.vmax - 1) / e.vmax}
	p.v = make([]float64, p.w*p.h)
	for y := range p.h {
		for x := range p.w {
			var sum float64
			var k int
			for j := y * fy; j < min((y+1)*fy, e.h); j++ {
				for i := x * fx; i < min((x+1)*fx, e.w); i++ {
					sum += full.v[j*e.w+i]
					k++
				}
			}
			p.v[y*p.w+x] = sum / float64(k)
		}
	}
	return p
}
