package media

import (
	"image"
	"math/rand/v2"
	"testing"
)

// noisyYCbCr returns a w×h YCbCr image of ratio r, at min, whose every
// luma and chroma sample is random: a misplaced sample shows.
func noisyYCbCr(rng *rand.Rand, r image.YCbCrSubsampleRatio, min image.Point, w, h int) *image.YCbCr {
	m := image.NewYCbCr(image.Rectangle{Min: min, Max: min.Add(image.Pt(w, h))}, r)
	for _, plane := range [][]byte{m.Y, m.Cb, m.Cr} {
		for i := range plane {
			plane[i] = byte(rng.IntN(256))
		}
	}
	return m
}

// Every subsampling, at sizes that end on a chroma block and sizes that
// do not, at the origin or not: each pixel keeps its exact colour where
// the orientation puts it. The common layouts keep their planes (the
// JPEG encoder's fast path): 4:2:0 stays 4:2:0, 4:2:2 and 4:4:0 swap under
// a quarter turn.
func TestOrientYCbCr(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ratios := []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	}
	for _, r := range ratios {
		for _, c := range []struct {
			min  image.Point
			w, h int
		}{{image.Pt(0, 0), 16, 8}, {image.Pt(0, 0), 7, 5}, {image.Pt(0, 0), 13, 6}, {image.Pt(3, 1), 9, 7}, {image.Pt(0, 0), 1, 1}} {
			img := noisyYCbCr(rng, r, c.min, c.w, c.h)
			for o := 1; o <= 8; o++ {
				if err := oriented(orient(img, o), img, o); err != nil {
					t.Fatalf("%v %v+%dx%d/%d: %v", r, c.min, c.w, c.h, o, err)
				}
			}
		}
	}
	fast := map[image.YCbCrSubsampleRatio]image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444: image.YCbCrSubsampleRatio444,
		image.YCbCrSubsampleRatio420: image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio422: image.YCbCrSubsampleRatio440,
		image.YCbCrSubsampleRatio440: image.YCbCrSubsampleRatio422,
	}
	for r, turned := range fast {
		img := noisyYCbCr(rng, r, image.Point{}, 16, 8)
		for o := 2; o <= 8; o++ {
			want := r
			if o >= 5 {
				want = turned
			}
			if got := orient(img, o).(*image.YCbCr).SubsampleRatio; got != want {
				t.Errorf("%v/%d: turned into %v, want %v", r, o, got, want)
			}
		}
	}
}

// A plane shorter than its bounds say is not moved (its pixels are read
// through the image's accessors instead, which a recovered panic guards).
func TestTransformChecksBounds(t *testing.T) {
	for _, c := range []struct{ n, stride, w, h, bpp int }{
		{11, 4, 4, 3, 1}, {12, 3, 4, 3, 1}, {23, 8, 2, 3, 4}, {0, 0, 0, 0, 1},
	} {
		if _, _, ok := transform(make([]byte, c.n), c.stride, c.w, c.h, c.bpp, 6); ok {
			t.Errorf("%+v: moved", c)
		}
	}
	if _, _, ok := transform(make([]byte, 12), 4, 4, 3, 1, 6); !ok {
		t.Error("a whole plane was not moved")
	}
	short := &image.Gray{Pix: make([]byte, 10), Stride: 4, Rect: image.Rect(0, 0, 4, 3)}
	if orientPacked(short, 6) != nil {
		t.Error("a short gray image was moved")
	}
}
