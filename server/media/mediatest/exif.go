package mediatest

import "encoding/binary"

// EXIF returns a big-endian TIFF structure as cameras write into APP1: IFD0
// with make, model, orientation (when > 0) and date, and with gps a GPS IFD
// holding a position.
func EXIF(orientation int, gps bool) []byte {
	ifd0 := []entry{
		ascii(0x010F, "OrdinatorCam"),
		ascii(0x0110, "Clinic-7"),
	}
	if orientation > 0 {
		ifd0 = append(ifd0, entry{tag: 0x0112, typ: typeShort, count: 1, data: binary.BigEndian.AppendUint16(nil, uint16(orientation))})
	}
	ifd0 = append(ifd0, ascii(0x0132, "2026:03:01 09:00:00"))
	var gpsIFD []entry
	if gps {
		gpsIFD = []entry{
			{tag: 0x0000, typ: typeByte, count: 4, data: []byte{2, 3, 0, 0}},
			ascii(0x0001, "N"),
			rationals(0x0002, 55, 1, 45, 1, 2100, 100),
			ascii(0x0003, "E"),
			rationals(0x0004, 37, 1, 37, 1, 3600, 100),
		}
		// The pointer's value is filled in below, once offsets are known.
		ifd0 = append(ifd0, entry{tag: 0x8825, typ: typeLong, count: 1, data: make([]byte, 4)})
	}
	ifdSize := func(es []entry) int { return 2 + 12*len(es) + 4 }
	gpsOffset := 8 + ifdSize(ifd0)
	dataOffset := gpsOffset
	if gps {
		binary.BigEndian.PutUint32(ifd0[len(ifd0)-1].data, uint32(gpsOffset))
		dataOffset += ifdSize(gpsIFD)
	}
	out := []byte("MM\x00\x2A\x00\x00\x00\x08")
	var data []byte
	writeIFD := func(es []entry) {
		out = binary.BigEndian.AppendUint16(out, uint16(len(es)))
		for _, e := range es {
			out = binary.BigEndian.AppendUint16(out, e.tag)
			out = binary.BigEndian.AppendUint16(out, e.typ)
			out = binary.BigEndian.AppendUint32(out, e.count)
			if len(e.data) <= 4 {
				v := make([]byte, 4)
				copy(v, e.data)
				out = append(out, v...)
				continue
			}
			out = binary.BigEndian.AppendUint32(out, uint32(dataOffset+len(data)))
			data = append(data, e.data...)
			if len(data)%2 == 1 {
				data = append(data, 0)
			}
		}
		out = binary.BigEndian.AppendUint32(out, 0) // no next IFD
	}
	writeIFD(ifd0)
	if gps {
		writeIFD(gpsIFD)
	}
	return append(out, data...)
}

const (
	typeByte     = 1
	typeASCII    = 2
	typeShort    = 3
	typeLong     = 4
	typeRational = 5
)

type entry struct {
	tag, typ uint16
	count    uint32
	data     []byte
}

func ascii(tag uint16, s string) entry {
	return entry{tag: tag, typ: typeASCII, count: uint32(len(s) + 1), data: append([]byte(s), 0)}
}

func rationals(tag uint16, v ...uint32) entry {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return entry{tag: tag, typ: typeRational, count: uint32(len(v) / 2), data: b}
}
