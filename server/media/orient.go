package media

import (
	"image"
	"image/draw"
)

// orient returns img as it is meant to be displayed under EXIF orientation
// o: 2 mirrored, 3 turned 180°, 4 upside-down mirror, 5 transposed, 6
// turned 90° clockwise, 7 transversed, 8 turned 90° counter-clockwise.
//
// It handles every image the JPEG and PNG decoders return, and nothing is
// resampled. The common layouts move plane by plane, after checking each
// plane holds every byte the move reads (a YCbCr image stays YCbCr and
// keeps the JPEG encoder's fast path); any other layout, or geometry where
// a plane move would not be exact, goes pixel by pixel through the image's
// own accessors.
func orient(img image.Image, o int) image.Image {
	r := img.Bounds()
	if o < 2 || o > 8 || r.Empty() {
		return img
	}
	if out := orientPacked(img, o); out != nil {
		return out
	}
	if m, ok := img.(*image.YCbCr); ok {
		if out := orientSubsampled(m, o); out != nil {
			return out
		}
		return orientYCbCr(m, o)
	}
	n := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(n, n.Rect, img, r.Min, draw.Src)
	return orientPacked(n, o)
}

// turnedBounds is the rectangle of a w×h image under orientation o.
func turnedBounds(o, w, h int) image.Rectangle {
	if o >= 5 {
		return image.Rect(0, 0, h, w)
	}
	return image.Rect(0, 0, w, h)
}

// orientPacked moves the pixels of the layouts stored as one plane of
// fixed-size pixels; it returns nil for other layouts, or a plane too
// short for its bounds.
func orientPacked(img image.Image, o int) image.Image {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	dr := turnedBounds(o, w, h)
	move := func(pix []byte, stride, off, bpp int) ([]byte, int, bool) {
		if off < 0 || off > len(pix) {
			return nil, 0, false
		}
		return transform(pix[off:], stride, w, h, bpp, o)
	}
	switch m := img.(type) {
	case *image.Gray:
		if pix, stride, ok := move(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 1); ok {
			return &image.Gray{Pix: pix, Stride: stride, Rect: dr}
		}
	case *image.Gray16:
		if pix, stride, ok := move(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 2); ok {
			return &image.Gray16{Pix: pix, Stride: stride, Rect: dr}
		}
	case *image.RGBA:
		if pix, stride, ok := move(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 4); ok {
			return &image.RGBA{Pix: pix, Stride: stride, Rect: dr}
		}
	case *image.NRGBA:
		if pix, stride, ok := move(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 4); ok {
			return &image.NRGBA{Pix: pix, Stride: stride, Rect: dr}
		}
	case *image.RGBA64:
		if pix, stride, ok := move(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 8); ok {
			return &image.RGBA64{Pix: pix, Stride: stride, Rect: dr}
		}
	case *image.NRGBA64:
		if pix, stride, ok := move(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 8); ok {
			return &image.NRGBA64{Pix: pix, Stride: stride, Rect: dr}
		}
	case *image.CMYK:
		if pix, stride, ok := move(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 4); ok {
			return &image.CMYK{Pix: pix, Stride: stride, Rect: dr}
		}
	case *image.Paletted:
		if pix, stride, ok := move(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 1); ok {
			return &image.Paletted{Pix: pix, Stride: stride, Rect: dr, Palette: m.Palette}
		}
	}
	return nil
}

// transform returns the w×h plane of bpp-byte pixels in src (rows stride
// bytes apart) under orientation o, packed, with its stride. It reports
// false, having read nothing, if src does not hold the whole plane.
func transform(src []byte, stride, w, h, bpp, o int) ([]byte, int, bool) {
	if w <= 0 || h <= 0 || stride < w*bpp || len(src) < (h-1)*stride+w*bpp {
		return nil, 0, false
	}
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := make([]byte, dw*dh*bpp)
	t := newTurn(o, w, h)
	step := t.ax*bpp + t.ay*stride
	for dy := 0; dy < dh; dy++ {
		s := (t.by*dy+t.cy)*stride + (t.bx*dy+t.cx)*bpp
		row := dst[dy*dw*bpp : (dy+1)*dw*bpp]
		if bpp == 1 {
			for dx := range row {
				row[dx] = src[s]
				s += step
			}
			continue
		}
		for d := 0; d < len(row); d += bpp {
			copy(row[d:d+bpp], src[s:s+bpp])
			s += step
		}
	}
	return dst, dw * bpp, true
}

// turn maps a pixel (dx, dy) of the upright image to the pixel
// (ax·dx + bx·dy + cx, ay·dx + by·dy + cy) of a w×h stored one.
type turn struct{ ax, bx, cx, ay, by, cy int }

func newTurn(o, w, h int) turn {
	switch o {
	case 2:
		return turn{ax: -1, cx: w - 1, by: 1}
	case 3:
		return turn{ax: -1, cx: w - 1, by: -1, cy: h - 1}
	case 4:
		return turn{ax: 1, by: -1, cy: h - 1}
	case 5:
		return turn{bx: 1, ay: 1}
	case 6:
		return turn{bx: 1, ay: -1, cy: h - 1}
	case 7:
		return turn{bx: -1, cx: w - 1, ay: -1, cy: h - 1}
	case 8:
		return turn{bx: -1, cx: w - 1, ay: 1}
	}
	return turn{ax: 1, by: 1}
}

// source returns the stored pixel shown at (dx, dy).
func (t turn) source(dx, dy int) (int, int) {
	return t.ax*dx + t.bx*dy + t.cx, t.ay*dx + t.by*dy + t.cy
}
