package mediatest

import (
	"encoding/binary"
	"fmt"
)

// JPEGMetadata lists the segments of a JPEG before its first scan that can
// carry metadata: APP0 to APP15 and COM, as "APP1", "COM"...
func JPEGMetadata(data []byte) ([]string, error) {
	if len(data) < 2 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, fmt.Errorf("not a JPEG")
	}
	var found []string
	for i := 2; ; {
		if i+4 > len(data) || data[i] != 0xFF {
			return nil, fmt.Errorf("malformed JPEG at byte %d", i)
		}
		marker := data[i+1]
		if marker == 0xDA {
			return found, nil
		}
		switch {
		case marker >= 0xE0 && marker <= 0xEF:
			found = append(found, fmt.Sprintf("APP%d", marker-0xE0))
		case marker == 0xFE:
			found = append(found, "COM")
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
}

// PNGMetadata lists the chunks of a PNG other than those that hold the
// picture (IHDR, PLTE, tRNS, IDAT, IEND).
func PNGMetadata(data []byte) ([]string, error) {
	if len(data) < 8 || string(data[:8]) != "\x89PNG\r\n\x1a\n" {
		return nil, fmt.Errorf("not a PNG")
	}
	var found []string
	for i := 8; i < len(data); {
		if i+12 > len(data) {
			return nil, fmt.Errorf("malformed PNG at byte %d", i)
		}
		n := int(binary.BigEndian.Uint32(data[i:]))
		switch typ := string(data[i+4 : i+8]); typ {
		case "IHDR", "PLTE", "tRNS", "IDAT", "IEND":
		default:
			found = append(found, typ)
		}
		i += 12 + n
	}
	return found, nil
}
