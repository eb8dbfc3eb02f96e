// Package mediatest makes images for tests of the media pipeline: photos
// whose orientation is easy to check, carrying the metadata a phone camera
// writes (EXIF with GPS, XMP, IPTC, comments, PNG text chunks), written
// byte by byte; JPEGs and PNGs of the layouts Go's encoders never write
// (EncodeJPEG, EncodePNG); and tools to list the metadata an encoded image
// carries.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
)

// Quadrant colours: a photo made by Quadrants shows them in this order
// (top-left, top-right, bottom-left, bottom-right) when stored upright.
var (
	Red   = color.RGBA{220, 30, 30, 255}
	Green = color.RGBA{30, 200, 30, 255}
	Blue  = color.RGBA{30, 30, 220, 255}
	White = color.RGBA{250, 250, 250, 255}
)

// Quadrants returns a w×h image of four coloured quadrants: red, green /
// blue, white.
func Quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := Red
			switch {
			case x >= w/2 && y < h/2:
				c = Green
			case x < w/2 && y >= h/2:
				c = Blue
			case x >= w/2 && y >= h/2:
				c = White
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// Photo returns a w×h image with the texture of a photo (gradients and
// noise), so encoders work as hard as on a real one.
func Photo(w, h int, seed uint64) *image.YCbCr {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Y[y*img.YStride+x] = uint8((x*255/w+y*255/h)/2) ^ uint8(r.IntN(24))
		}
	}
	for i := range img.Cb {
		img.Cb[i] = 128 + uint8(r.IntN(16))
		img.Cr[i] = 120 + uint8(r.IntN(16))
	}
	return img
}

// Secrets are strings the metadata written by this package carries; none
// may be found in a cleaned image.
var Secrets = []string{"OrdinatorCam", "Clinic-7", "2026:03:01", "Ivanov", "xmpmeta", "Photoshop", "8BIM", "Exif", "GPS"}

// Metadata says what to write into an image besides its pixels.
type Metadata struct {
	// Orientation is the EXIF orientation (0 writes no EXIF).
	Orientation int
	// GPS adds a GPS IFD (55°45'21" N, 37°37'36" E) to the EXIF.
	GPS bool
	// XMP, IPTC and Comment add those segments (JPEG) or text chunks (PNG).
	XMP, IPTC, Comment bool
}

// All is every kind of metadata with the given orientation.
func All(orientation int) Metadata {
	return Metadata{Orientation: orientation, GPS: true, XMP: true, IPTC: true, Comment: true}
}

const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
	`<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="55,45.35N" exif:GPSLongitude="37,37.6E" ` +
	`xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Dr Ivanov"/></rdf:RDF></x:xmpmeta>`

// JPEG encodes img and inserts the metadata segments after SOI, as cameras
// do.
func JPEG(img image.Image, quality int, md Metadata) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return AddJPEGMetadata(buf.Bytes(), md)
}

// AddJPEGMetadata inserts the metadata segments into an encoded JPEG,
// right after SOI.
func AddJPEGMetadata(enc []byte, md Metadata) []byte {
	out := append([]byte{}, enc[:2]...)
	if md.Orientation > 0 || md.GPS {
		out = appendSegment(out, 0xE1, append([]byte("Exif\x00\x00"), EXIF(md.Orientation, md.GPS)...))
	}
	if md.XMP {
		out = appendSegment(out, 0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), xmp...))
	}
	if md.IPTC {
		out = appendSegment(out, 0xED, iptc())
	}
	if md.Comment {
		out = appendSegment(out, 0xFE, []byte("patient Ivanov, Clinic-7"))
	}
	return append(out, enc[2:]...)
}

func appendSegment(b []byte, marker byte, payload []byte) []byte {
	b = append(b, 0xFF, marker)
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)+2))
	return append(b, payload...)
}

// iptc is a Photoshop APP13 segment with one IPTC caption record.
func iptc() []byte {
	caption := []byte("Patient Ivanov, left cheek")
	rec := []byte{0x1C, 0x02, 0x78}
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(caption)))
	rec = append(rec, caption...)
	b := []byte("Photoshop 3.0\x00")
	b = append(b, "8BIM"...)
	b = append(b, 0x04, 0x04, 0, 0) // IPTC resource, empty name
	b = binary.BigEndian.AppendUint32(b, uint32(len(rec)))
	b = append(b, rec...)
	if len(rec)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// PNG encodes img and inserts eXIf, tEXt and iTXt (XMP) chunks after IHDR.
func PNG(img image.Image, md Metadata) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return AddPNGMetadata(buf.Bytes(), md)
}

// AddPNGMetadata inserts the metadata chunks into an encoded PNG, right
// after IHDR.
func AddPNGMetadata(enc []byte, md Metadata) []byte {
	ihdrEnd := 8 + 12 + int(binary.BigEndian.Uint32(enc[8:]))
	out := append([]byte{}, enc[:ihdrEnd]...)
	if md.Orientation > 0 || md.GPS {
		out = appendChunk(out, "eXIf", EXIF(md.Orientation, md.GPS))
	}
	if md.Comment || md.IPTC {
		out = appendChunk(out, "tEXt", []byte("Comment\x00patient Ivanov, Clinic-7"))
	}
	if md.XMP {
		out = appendChunk(out, "iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), xmp...))
	}
	return append(out, enc[ihdrEnd:]...)
}

func appendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// PNGHeader returns a PNG that claims to be w×h pixels: a decompression
// bomb as far as its header tells (its pixel data is a few bytes).
func PNGHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit grey
	b := appendChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	b = appendChunk(b, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	return appendChunk(b, "IEND", nil)
}

// Pad inserts APP2 segments of filler after the metadata of a JPEG until it
// is at least size bytes, as cameras embed previews and multi-picture data:
// a big file that decodes fast.
func Pad(jpeg []byte, size int) []byte {
	out := append([]byte{}, jpeg[:2]...)
	filler := bytes.Repeat([]byte("MPF-preview-filler"), 65000/18)
	for len(out)+len(jpeg)-2 < size {
		out = appendSegment(out, 0xE2, filler)
	}
	return append(out, jpeg[2:]...)
}

// Shown is where the stored pixel p of a w×h image is displayed under
// EXIF orientation o, as the EXIF specification words each.
func Shown(o, w, h int, p image.Point) image.Point {
	x, y := p.X, p.Y
	switch o {
	case 2: // mirrored
		return image.Pt(w-1-x, y)
	case 3: // turned 180°
		return image.Pt(w-1-x, h-1-y)
	case 4: // flipped upside down
		return image.Pt(x, h-1-y)
	case 5: // transposed
		return image.Pt(y, x)
	case 6: // turned 90° clockwise
		return image.Pt(h-1-y, x)
	case 7: // transversed
		return image.Pt(h-1-y, w-1-x)
	case 8: // turned 90° counter-clockwise
		return image.Pt(y, w-1-x)
	}
	return p
}
