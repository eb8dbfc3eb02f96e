package media

import (
	"image"
	"image/draw"
)

// orient returns img as it is meant to be displayed under EXIF orientation
// o: 2 mirrored, 3 turned 180°, 4 upside-down mirror, 5 transposed, 6
// turned 90° clockwise, 7 transversed, 8 turned 90° counter-clockwise.
// Planes are moved byte by byte, so YCbCr images stay YCbCr (and keep the
// JPEG encoder's fast path) and nothing is resampled.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	dr := image.Rect(0, 0, w, h)
	if o >= 5 {
		dr = image.Rect(0, 0, h, w)
	}
	plane := func(pix []byte, stride, off, bpp int) ([]byte, int) {
		return transform(pix[off:], stride, w, h, bpp, o)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		if out := orientYCbCr(m, o); out != nil {
			return out
		}
	case *image.Gray:
		pix, stride := plane(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 1)
		return &image.Gray{Pix: pix, Stride: stride, Rect: dr}
	case *image.Gray16:
		pix, stride := plane(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 2)
		return &image.Gray16{Pix: pix, Stride: stride, Rect: dr}
	case *image.RGBA:
		pix, stride := plane(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 4)
		return &image.RGBA{Pix: pix, Stride: stride, Rect: dr}
	case *image.NRGBA:
		pix, stride := plane(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 4)
		return &image.NRGBA{Pix: pix, Stride: stride, Rect: dr}
	case *image.RGBA64:
		pix, stride := plane(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 8)
		return &image.RGBA64{Pix: pix, Stride: stride, Rect: dr}
	case *image.NRGBA64:
		pix, stride := plane(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 8)
		return &image.NRGBA64{Pix: pix, Stride: stride, Rect: dr}
	case *image.CMYK:
		pix, stride := plane(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 4)
		return &image.CMYK{Pix: pix, Stride: stride, Rect: dr}
	case *image.Paletted:
		pix, stride := plane(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), 1)
		return &image.Paletted{Pix: pix, Stride: stride, Rect: dr, Palette: m.Palette}
	}
	// Anything else (an unusual chroma subsampling...) goes through NRGBA.
	n := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(n, n.Rect, img, r.Min, draw.Src)
	return orient(n, o)
}

// transposed maps a chroma subsampling to the one of the image turned by a
// quarter; ratios without a counterpart are missing.
var transposed = map[image.YCbCrSubsampleRatio]image.YCbCrSubsampleRatio{
	image.YCbCrSubsampleRatio444: image.YCbCrSubsampleRatio444,
	image.YCbCrSubsampleRatio420: image.YCbCrSubsampleRatio420,
	image.YCbCrSubsampleRatio422: image.YCbCrSubsampleRatio440,
	image.YCbCrSubsampleRatio440: image.YCbCrSubsampleRatio422,
}

func orientYCbCr(m *image.YCbCr, o int) *image.YCbCr {
	ratio := m.SubsampleRatio
	if o >= 5 {
		var ok bool
		if ratio, ok = transposed[ratio]; !ok {
			return nil
		}
	}
	if m.Rect.Min != (image.Point{}) {
		return nil
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := chromaSize(m.SubsampleRatio, w, h)
	y, ys := transform(m.Y, m.YStride, w, h, 1, o)
	cb, cs := transform(m.Cb, m.CStride, cw, ch, 1, o)
	cr, _ := transform(m.Cr, m.CStride, cw, ch, 1, o)
	dr := image.Rect(0, 0, w, h)
	if o >= 5 {
		dr = image.Rect(0, 0, h, w)
	}
	return &image.YCbCr{Y: y, Cb: cb, Cr: cr, YStride: ys, CStride: cs, SubsampleRatio: ratio, Rect: dr}
}

func chromaSize(r image.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	}
	return w, h
}

// transform returns the w×h plane of bpp-byte pixels in src (rows stride
// bytes apart) under orientation o, packed, with its stride.
func transform(src []byte, stride, w, h, bpp, o int) ([]byte, int) {
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := make([]byte, dw*dh*bpp)
	// The source of destination pixel (dx, dy) is
	// (ax·dx + bx·dy + cx, ay·dx + by·dy + cy).
	var ax, bx, cx, ay, by, cy int
	switch o {
	case 2:
		ax, cx, by = -1, w-1, 1
	case 3:
		ax, cx, by, cy = -1, w-1, -1, h-1
	case 4:
		ax, by, cy = 1, -1, h-1
	case 5:
		bx, ay = 1, 1
	case 6:
		bx, ay, cy = 1, -1, h-1
	case 7:
		bx, cx, ay, cy = -1, w-1, -1, h-1
	case 8:
		bx, cx, ay = -1, w-1, 1
	default:
		ax, by = 1, 1
	}
	step := ax*bpp + ay*stride
	for dy := 0; dy < dh; dy++ {
		s := (by*dy+cy)*stride + (bx*dy+cx)*bpp
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
	return dst, dw * bpp
}
