package media

import "image"

// chromaBlock is the size, in luma pixels, of the block sharing one chroma
// sample under each subsampling the JPEG decoder produces.
var chromaBlock = map[image.YCbCrSubsampleRatio]image.Point{
	image.YCbCrSubsampleRatio444: {1, 1},
	image.YCbCrSubsampleRatio422: {2, 1},
	image.YCbCrSubsampleRatio420: {2, 2},
	image.YCbCrSubsampleRatio440: {1, 2},
	image.YCbCrSubsampleRatio411: {4, 1},
	image.YCbCrSubsampleRatio410: {4, 2},
}

// ratioOf is the subsampling whose chroma blocks are b, if there is one.
func ratioOf(b image.Point) (image.YCbCrSubsampleRatio, bool) {
	for r, rb := range chromaBlock {
		if rb == b {
			return r, true
		}
	}
	return 0, false
}

// orientSubsampled moves the three planes of a YCbCr image as they are,
// when that is exact: the image starts at the origin, a quarter turn has a
// subsampling to turn into (4:2:2 and 4:4:0 swap; 4:1:1 and 4:1:0 have
// none), and every edge the orientation brings to the origin ends on a
// chroma block boundary, so that no block is split. It returns nil
// otherwise, or if a plane is shorter than its bounds say.
func orientSubsampled(m *image.YCbCr, o int) *image.YCbCr {
	b, ok := chromaBlock[m.SubsampleRatio]
	if !ok || m.Rect.Min != (image.Point{}) {
		return nil
	}
	ratio := m.SubsampleRatio
	if o >= 5 {
		if ratio, ok = ratioOf(image.Point{b.Y, b.X}); !ok {
			return nil
		}
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	flipsX := o == 2 || o == 3 || o == 7 || o == 8
	flipsY := o == 3 || o == 4 || o == 6 || o == 7
	if (flipsX && w%b.X != 0) || (flipsY && h%b.Y != 0) {
		return nil
	}
	cw, ch := (w+b.X-1)/b.X, (h+b.Y-1)/b.Y
	y, ys, okY := transform(m.Y, m.YStride, w, h, 1, o)
	cb, cs, okB := transform(m.Cb, m.CStride, cw, ch, 1, o)
	cr, _, okR := transform(m.Cr, m.CStride, cw, ch, 1, o)
	if !okY || !okB || !okR {
		return nil
	}
	return &image.YCbCr{Y: y, Cb: cb, Cr: cr, YStride: ys, CStride: cs, SubsampleRatio: ratio, Rect: turnedBounds(o, w, h)}
}

// orientYCbCr turns a YCbCr image of any subsampling and bounds into a
// 4:4:4 one, reading every pixel through the image's own offsets: each
// keeps its exact luma and chroma, and the JPEG encoder subsamples again.
func orientYCbCr(m *image.YCbCr, o int) *image.YCbCr {
	r := m.Rect
	w, h := r.Dx(), r.Dy()
	out := image.NewYCbCr(turnedBounds(o, w, h), image.YCbCrSubsampleRatio444)
	t := newTurn(o, w, h)
	for dy := 0; dy < out.Rect.Dy(); dy++ {
		row := dy * out.YStride
		for dx := 0; dx < out.Rect.Dx(); dx++ {
			sx, sy := t.source(dx, dy)
			yi, ci := m.YOffset(r.Min.X+sx, r.Min.Y+sy), m.COffset(r.Min.X+sx, r.Min.Y+sy)
			out.Y[row+dx], out.Cb[row+dx], out.Cr[row+dx] = m.Y[yi], m.Cb[ci], m.Cr[ci]
		}
	}
	return out
}
