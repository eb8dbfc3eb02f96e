package media

import (
	"bytes"
	"encoding/binary"
)

// orientation returns the EXIF orientation (1 to 8) recorded in an encoded
// JPEG (APP1 "Exif") or PNG (eXIf chunk), or 1 when there is none or it
// cannot be read: a damaged tag must not make a photo unusable.
func orientation(format string, data []byte) int {
	var tiff []byte
	switch format {
	case formatJPEG:
		tiff = jpegExif(data)
	case formatPNG:
		tiff = pngExif(data)
	}
	return tiffOrientation(tiff)
}

var exifPrefix = []byte("Exif\x00\x00")

// jpegExif returns the TIFF structure of the first Exif APP1 segment.
func jpegExif(data []byte) []byte {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return nil
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7):
			i += 2 // no length
			continue
		case marker == 0xDA || marker == 0xD9: // metadata comes before the scan
			return nil
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, exifPrefix) {
			return seg[len(exifPrefix):]
		}
		i += 2 + n
	}
	return nil
}

// pngExif returns the contents of the eXIf chunk.
func pngExif(data []byte) []byte {
	i := uint64(8) // after the signature
	for i+12 <= uint64(len(data)) {
		n := uint64(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if i+12+n > uint64(len(data)) {
			return nil
		}
		switch typ {
		case "eXIf":
			// Some writers keep the JPEG prefix; the PNG spec has none.
			return bytes.TrimPrefix(data[i+8:i+8+n], exifPrefix)
		case "IEND":
			return nil
		}
		i += 12 + n
	}
	return nil
}

// tiffOrientation reads tag 0x0112 of IFD0.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	size := uint64(len(t))
	off := uint64(bo.Uint32(t[4:]))
	if off+2 > size {
		return 1
	}
	n := uint64(bo.Uint16(t[off:]))
	for k := uint64(0); k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > size {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		const typeShort = 3
		if bo.Uint16(t[e+2:]) != typeShort || bo.Uint32(t[e+4:]) < 1 {
			return 1
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
