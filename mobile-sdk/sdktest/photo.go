package sdktest

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

// Secrets are the strings the test photos carry in their metadata; none may
// survive stripping.
var Secrets = []string{"GPS", "Exif\x00\x00II", "Canon EOS", "secret comment", "Photoshop 3.0", "patient-name", "http://ns.adobe.com/xap"}

// Image is a small gradient picture.
func Image(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

// JPEG encodes img and adds what a phone camera adds: an EXIF segment with
// the camera, a GPS position and orientation 6 (rotate 90°), XMP, an IPTC
// block, a comment, and a trailer after the end of the image.
func JPEG(img image.Image) []byte {
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	raw := enc.Bytes()
	var out bytes.Buffer
	out.Write(raw[:2]) // SOI
	out.Write(segment(0xe1, exifBlock()))
	out.Write(segment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>patient-name</x:xmpmeta>")))
	out.Write(segment(0xed, []byte("Photoshop 3.0\x008BIM\x04\x04patient-name")))
	out.Write(segment(0xfe, []byte("secret comment")))
	out.Write(raw[2:])
	out.WriteString("trailer: Exif\x00\x00II GPS")
	return out.Bytes()
}

// BigJPEG is a JPEG-shaped file of about size bytes with camera metadata:
// the segment structure of a photo around random scan data. Decoders would
// refuse it; it exercises uploads, which never decode.
func BigJPEG(size int, seed uint64) []byte {
	var out bytes.Buffer
	out.Write([]byte{0xff, 0xd8})
	out.Write(segment(0xe1, exifBlock()))
	out.Write(segment(0xdb, make([]byte, 65)))
	out.Write(segment(0xda, []byte{1, 1, 0, 0, 63, 0}))
	rng := rand.New(rand.NewPCG(seed, seed))
	scan := make([]byte, size)
	for i := range scan {
		b := byte(rng.Uint32())
		if b == 0xff {
			b = 0xfe
		}
		scan[i] = b
	}
	out.Write(scan)
	out.Write([]byte{0xff, 0xd9})
	return out.Bytes()
}

func segment(marker byte, body []byte) []byte {
	s := []byte{0xff, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(body)+2))
	return append(s, body...)
}

// exifBlock is an APP1 EXIF body: little-endian TIFF with IFD0 holding Make
// ("Canon EOS"), Orientation 6 and a pointer to a GPS IFD.
func exifBlock() []byte {
	le := binary.LittleEndian
	var t bytes.Buffer
	t.WriteString("II")
	binary.Write(&t, le, uint16(42))
	binary.Write(&t, le, uint32(8))
	// IFD0 at 8: 3 entries (12 bytes each) + next-IFD offset = 2+36+4 = 42 bytes
	// → data after it at 50.
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&t, le, tag)
		binary.Write(&t, le, typ)
		binary.Write(&t, le, count)
		binary.Write(&t, le, value)
	}
	binary.Write(&t, le, uint16(3))
	entry(0x010f, 2, 10, 50) // Make -> "Canon EOS\x00" at 50
	entry(0x0112, 3, 1, 6)   // Orientation = 6
	entry(0x8825, 4, 1, 60)  // GPS IFD at 60
	binary.Write(&t, le, uint32(0))
	t.WriteString("Canon EOS\x00") // 50..60
	// GPS IFD at 60: GPSLatitudeRef "N".
	binary.Write(&t, le, uint16(1))
	entry(0x0001, 2, 2, uint32('N'))
	binary.Write(&t, le, uint32(0))
	return append([]byte("Exif\x00\x00"), t.Bytes()...)
}

// PNG encodes img and adds text, international text, compressed text,
// EXIF and time chunks before IEND, and a trailer after it.
func PNG(img image.Image) []byte {
	var enc bytes.Buffer
	if err := png.Encode(&enc, img); err != nil {
		panic(err)
	}
	raw := enc.Bytes()
	iend := len(raw) - 12
	var out bytes.Buffer
	out.Write(raw[:iend])
	out.Write(chunk("tEXt", []byte("Comment\x00secret comment")))
	out.Write(chunk("iTXt", []byte("Author\x00\x00\x00\x00\x00patient-name")))
	out.Write(chunk("zTXt", []byte("Software\x00\x00x\x9c")))
	out.Write(chunk("eXIf", exifBlock()[6:]))
	out.Write(chunk("tIME", []byte{0x07, 0xea, 3, 1, 9, 0, 0}))
	out.Write(raw[iend:])
	out.WriteString("trailer GPS")
	return out.Bytes()
}

func chunk(typ string, data []byte) []byte {
	var c bytes.Buffer
	binary.Write(&c, binary.BigEndian, uint32(len(data)))
	c.WriteString(typ)
	c.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.Write(&c, binary.BigEndian, crc.Sum32())
	return c.Bytes()
}
