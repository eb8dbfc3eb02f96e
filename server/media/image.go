package media

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"

	"github.com/ordinatorhq/ordinator/syncengine"
)

const (
	formatJPEG = "image/jpeg"
	formatPNG  = "image/png"
)

// Limits bound what cleaning accepts and makes.
type Limits struct {
	// MaxPixels refuses larger images before decoding them: a small file
	// can claim dimensions whose pixels would not fit in memory.
	MaxPixels int64
	// Thumbnail is the long side of thumbnails, in pixels.
	Thumbnail int
	// Quality is the JPEG quality of clean images (thumbnails use less).
	Quality int
}

// cleaned is an image rebuilt from its pixels alone.
type cleaned struct {
	ContentType     string
	Image           []byte
	Width, Height   int
	Thumbnail       []byte
	ThumbnailWidth  int
	ThumbnailHeight int
}

// clean decodes a JPEG or PNG, turns it upright as its EXIF orientation
// says, and encodes it again with a thumbnail. Only pixels survive: the
// encoders write no EXIF, XMP, IPTC, comments or text chunks. Every layout
// the decoders accept is cleaned (JPEG of any subsampling, grayscale, CMYK
// or YCCK, baseline or progressive; PNG of any colour type and bit depth).
// Content the server refuses comes back as an EINVALID error saying why;
// nothing else but a fault of the server's own (see Service.clean) fails.
func clean(data []byte, lim Limits) (*cleaned, error) {
	format, err := sniff(data)
	if err != nil {
		return nil, err
	}
	var cfg image.Config
	if format == formatJPEG {
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return nil, unreadable(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, refuse("the image has no pixels")
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxPixels {
		return nil, refuse("the image is %d×%d pixels (%.1f megapixels); at most %.1f megapixels are accepted",
			cfg.Width, cfg.Height, float64(px)/1e6, float64(lim.MaxPixels)/1e6)
	}
	var img image.Image
	if format == formatJPEG {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, unreadable(err)
	}
	img = orient(img, orientation(format, data))
	b := img.Bounds()
	out := &cleaned{ContentType: format, Width: b.Dx(), Height: b.Dy()}
	if out.Image, err = encode(format, img, lim.Quality); err != nil {
		return nil, err
	}
	thumb := thumbnail(img, lim.Thumbnail)
	out.ThumbnailWidth, out.ThumbnailHeight = thumb.Bounds().Dx(), thumb.Bounds().Dy()
	if out.Thumbnail, err = encode(format, thumb, min(lim.Quality, 80)); err != nil {
		return nil, err
	}
	return out, nil
}

func encode(format string, img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if format == formatJPEG {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	}
	if err != nil {
		// The image decoded, so this is not for lack of resources: the
		// same bytes will never clean, and are refused.
		return nil, refuse("the image could not be encoded again: %v", err)
	}
	return buf.Bytes(), nil
}

// unreadable is the refusal of bytes the decoder does not accept: damaged,
// or using a feature it does not implement (12-bit samples, arithmetic
// coding...).
func unreadable(err error) error {
	var ju jpeg.UnsupportedError
	var pu png.UnsupportedError
	if errors.As(err, &ju) || errors.As(err, &pu) {
		return refuse("the image uses a format feature the server cannot read (%v); save it as an ordinary JPEG or PNG", err)
	}
	return refuse("the image is damaged: %v", err)
}

// thumbnail scales img to fit in a size×size square, never enlarging it.
func thumbnail(img image.Image, size int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= size && h <= size {
		return img
	}
	tw, th := size, max(1, (h*size+w/2)/w)
	if h > w {
		tw, th = max(1, (w*size+h/2)/h), size
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.BiLinear.Scale(dst, dst.Rect, img, b, draw.Src, nil)
	return dst
}

// sniff names the format from the first bytes, whatever the device said.
func sniff(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return formatJPEG, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG, nil
	}
	if what := describe(data); what != "" {
		return "", refuse("the file is %s, not a JPEG or PNG image", what)
	}
	return "", refuse("the file is not a JPEG or PNG image")
}

// describe names formats devices are likely to send by mistake.
func describe(data []byte) string {
	has := func(off int, s string) bool {
		return len(data) >= off+len(s) && string(data[off:off+len(s)]) == s
	}
	switch {
	case has(4, "ftypheic"), has(4, "ftypheix"), has(4, "ftypmif1"), has(4, "ftyphevc"):
		return "a HEIC photo"
	case has(4, "ftypavif"):
		return "an AVIF image"
	case has(0, "RIFF") && has(8, "WEBP"):
		return "a WebP image"
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return "a GIF image"
	case has(0, "%PDF-"):
		return "a PDF document"
	case has(4, "ftyp"):
		return "a video"
	}
	return ""
}

func refuse(format string, args ...any) error {
	return syncengine.Errorf(syncengine.EINVALID, format, args...)
}
