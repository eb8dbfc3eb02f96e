package sdk

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrUnsupportedImage is returned for files that are neither JPEG nor PNG.
var ErrUnsupportedImage = errors.New("sdk: only JPEG and PNG photos are accepted")

// StripMetadata copies the JPEG or PNG image read from src to dst without
// its metadata, losslessly: no pixel is decoded or re-encoded. From a JPEG
// it removes the APP1 (EXIF, XMP: GPS position, camera, times), APP3 to
// APP13 (IPTC, vendor data), APP15 and COM segments, APP2 segments other
// than the ICC colour profile, and anything after the end of the image
// (embedded thumbnails, vendor trailers). The EXIF orientation, if the
// photo has one other than "normal", is kept as a minimal EXIF segment of
// that one tag so the photo still shows upright; the server applies and
// drops it. From a PNG it removes the eXIf, tEXt, iTXt, zTXt and tIME chunks
// and anything after IEND. It returns the image's content type.
func StripMetadata(dst io.Writer, src io.Reader) (contentType string, err error) {
	br := bufio.NewReaderSize(src, 64<<10)
	head, err := br.Peek(8)
	if err != nil && len(head) < 3 {
		return "", ErrUnsupportedImage
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xd8, 0xff}):
		return "image/jpeg", stripJPEG(dst, br)
	case bytes.Equal(head, pngSignature):
		return "image/png", stripPNG(dst, br)
	}
	return "", ErrUnsupportedImage
}

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}

var errBadJPEG = errors.New("sdk: the JPEG is malformed")

// stripJPEG walks the segments. Before the first scan every segment has a
// length; after it, entropy-coded data runs until the next marker that is
// not a restart or a stuffed 0xff, and progressive images add more
// segments and scans before EOI.
func stripJPEG(dst io.Writer, br *bufio.Reader) error {
	w := bufio.NewWriterSize(dst, 64<<10)
	if _, err := io.CopyN(w, br, 2); err != nil { // SOI
		return err
	}
	orientationDone := false
	pending := -1 // a marker copyScan already read
	for {
		var marker byte
		if pending >= 0 {
			marker, pending = byte(pending), -1
		} else {
			m, err := nextMarker(br)
			if err != nil {
				return err
			}
			marker = m
		}
		switch {
		case marker == 0xd9: // EOI: the image ends; trailers are dropped
			w.Write([]byte{0xff, 0xd9})
			return w.Flush()
		case marker >= 0xd0 && marker <= 0xd7, marker == 0x01: // no length
			w.Write([]byte{0xff, marker})
			continue
		case marker == 0xd8:
			return fmt.Errorf("%w: a second start of image", errBadJPEG)
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return fmt.Errorf("%w: %v", errBadJPEG, err)
		}
		n := int(binary.BigEndian.Uint16(l[:]))
		if n < 2 {
			return fmt.Errorf("%w: segment length %d", errBadJPEG, n)
		}
		body := make([]byte, n-2)
		if _, err := io.ReadFull(br, body); err != nil {
			return fmt.Errorf("%w: %v", errBadJPEG, err)
		}
		if metadataSegment(marker, body) {
			if marker == 0xe1 && !orientationDone {
				if o := exifOrientation(body); o > 1 {
					w.Write(orientationSegment(o))
					orientationDone = true
				}
			}
			continue
		}
		w.Write([]byte{0xff, marker})
		w.Write(l[:])
		w.Write(body)
		if marker == 0xda { // SOS: entropy-coded data follows
			m, err := copyScan(w, br)
			if err != nil {
				return err
			}
			pending = int(m)
		}
	}
}

// nextMarker reads fill bytes and a marker: 0xff (0xff...) m.
func nextMarker(br *bufio.Reader) (byte, error) {
	b, err := br.ReadByte()
	if err != nil {
		return 0, fmt.Errorf("%w: ended without an end-of-image marker", errBadJPEG)
	}
	if b != 0xff {
		return 0, fmt.Errorf("%w: expected a marker, found 0x%02x", errBadJPEG, b)
	}
	for {
		b, err = br.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("%w: %v", errBadJPEG, err)
		}
		if b != 0xff {
			return b, nil
		}
	}
}

// copyScan copies entropy-coded data up to the next marker (0xff followed
// by neither 0x00 nor a restart marker), which it consumes and returns.
func copyScan(w *bufio.Writer, br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("%w: scan data ended early", errBadJPEG)
		}
		if b != 0xff {
			w.WriteByte(b)
			continue
		}
		m, err := br.Peek(1)
		if err != nil {
			return 0, fmt.Errorf("%w: scan data ended early", errBadJPEG)
		}
		if m[0] == 0x00 || (m[0] >= 0xd0 && m[0] <= 0xd7) {
			w.WriteByte(0xff)
			c, _ := br.ReadByte()
			w.WriteByte(c)
			continue
		}
		if m[0] == 0xff { // fill byte before a marker
			continue
		}
		br.ReadByte()
		return m[0], nil
	}
}

// metadataSegment reports whether a segment carries metadata to remove.
func metadataSegment(marker byte, body []byte) bool {
	switch {
	case marker == 0xfe: // COM
		return true
	case marker == 0xe1, marker >= 0xe3 && marker <= 0xed, marker == 0xef:
		return true
	case marker == 0xe2: // APP2: keep only the ICC colour profile
		return !bytes.HasPrefix(body, []byte("ICC_PROFILE\x00"))
	}
	return false
}

// exifOrientation returns the Orientation tag of an APP1 EXIF segment, or 0.
func exifOrientation(body []byte) int {
	if !bytes.HasPrefix(body, []byte("Exif\x00\x00")) {
		return 0
	}
	tiff := body[6:]
	if len(tiff) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0
	}
	ifd := int64(order.Uint32(tiff[4:8]))
	if ifd < 8 || ifd+2 > int64(len(tiff)) {
		return 0
	}
	count := int64(order.Uint16(tiff[ifd:]))
	for i := int64(0); i < count; i++ {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(tiff)) {
			return 0
		}
		if order.Uint16(tiff[e:]) == 0x0112 && order.Uint16(tiff[e+2:]) == 3 {
			o := int(order.Uint16(tiff[e+8:]))
			if o >= 1 && o <= 8 {
				return o
			}
			return 0
		}
	}
	return 0
}

// orientationSegment is an APP1 EXIF segment holding only the Orientation
// tag: a big-endian TIFF header, one IFD with one entry, no next IFD.
func orientationSegment(o int) []byte {
	tiff := []byte{
		'M', 'M', 0x00, 0x2a, 0, 0, 0, 8, // header, IFD0 at 8
		0x00, 0x01, // one entry
		0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, byte(o >> 8), byte(o), 0, 0, // Orientation, SHORT, 1
		0, 0, 0, 0, // no next IFD
	}
	body := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	return append(seg, body...)
}

// PNG chunks that carry metadata.
var pngMetadata = map[string]bool{"eXIf": true, "tEXt": true, "iTXt": true, "zTXt": true, "tIME": true}

var errBadPNG = errors.New("sdk: the PNG is malformed")

// maxPNGChunk bounds one chunk (the format allows 2^31-1; photos never
// come near).
const maxPNGChunk = 64 << 20

func stripPNG(dst io.Writer, br *bufio.Reader) error {
	w := bufio.NewWriterSize(dst, 64<<10)
	if _, err := io.CopyN(w, br, 8); err != nil {
		return err
	}
	for {
		var head [8]byte
		if _, err := io.ReadFull(br, head[:]); err != nil {
			return fmt.Errorf("%w: ended without IEND", errBadPNG)
		}
		n := binary.BigEndian.Uint32(head[:4])
		if n > maxPNGChunk {
			return fmt.Errorf("%w: chunk of %d bytes", errBadPNG, n)
		}
		typ := string(head[4:8])
		if pngMetadata[typ] {
			if _, err := br.Discard(int(n) + 4); err != nil {
				return fmt.Errorf("%w: %v", errBadPNG, err)
			}
			continue
		}
		w.Write(head[:])
		if _, err := io.CopyN(w, br, int64(n)+4); err != nil {
			return fmt.Errorf("%w: %v", errBadPNG, err)
		}
		if typ == "IEND" {
			return w.Flush()
		}
	}
}
