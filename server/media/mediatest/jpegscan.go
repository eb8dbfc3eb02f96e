package mediatest

import (
	"bytes"
	"math"
)

// block returns the quantized coefficients of block (bx, by) of component
// c, in zigzag order; samples past the component's edge repeat the edge.
func (e *jpegEncoder) block(c, bx, by int) *[64]int {
	if e.coeffs == nil {
		e.coeffs = map[[3]int]*[64]int{}
	}
	key := [3]int{c, bx, by}
	if b, ok := e.coeffs[key]; ok {
		return b
	}
	p := e.planes[c]
	var out [64]int
	for v := range 8 {
		for u := range 8 {
			var sum float64
			for y := range 8 {
				for x := range 8 {
					sum += (p.at(bx*8+x, by*8+y) - 128) * cosine[x][u] * cosine[y][v]
				}
			}
			cu, cv := 1.0, 1.0
			if u == 0 {
				cu = 1 / math.Sqrt2
			}
			if v == 0 {
				cv = 1 / math.Sqrt2
			}
			out[zigzagIndex[v*8+u]] = int(math.Round(sum * cu * cv / 4))
		}
	}
	e.coeffs[key] = &out
	return &out
}

// scan codes the entropy-coded data of one scan over the components cs:
// interleaved in MCUs if there are several, else the component's own
// blocks in raster order.
func (e *jpegEncoder) scan(cs []int, dc, ac bool) []byte {
	var bw bitWriter
	pred := make([]int, len(e.planes))
	code := func(c, bx, by int) {
		blk := e.block(c, bx, by)
		if dc {
			d := blk[0] - pred[c]
			pred[c] = blk[0]
			size, bits := magnitude(d)
			bw.write(uint32(size), 4)
			bw.write(bits, size)
		}
		if ac {
			run := 0
			for k := 1; k < 64; k++ {
				if blk[k] == 0 {
					run++
					continue
				}
				for run >= 16 {
					bw.write(acSymbol(0xF0), 8)
					run -= 16
				}
				size, bits := magnitude(blk[k])
				bw.write(acSymbol(byte(run<<4|size)), 8)
				bw.write(bits, size)
				run = 0
			}
			if run > 0 {
				bw.write(acSymbol(0x00), 8)
			}
		}
	}
	if len(cs) == 1 {
		c := cs[0]
		p := e.planes[c]
		// A scan of one component codes the blocks its samples cover,
		// not whole MCUs.
		for by := range (p.h + 7) / 8 {
			for bx := range (p.w + 7) / 8 {
				code(c, bx, by)
			}
		}
		return bw.flush()
	}
	mx, my := (e.w+8*e.hmax-1)/(8*e.hmax), (e.h+8*e.vmax-1)/(8*e.vmax)
	for y := range my {
		for x := range mx {
			for _, c := range cs {
				s := e.blockSampling[c]
				for j := range s.Y {
					for i := range s.X {
						code(c, x*s.X+i, y*s.Y+j)
					}
				}
			}
		}
	}
	return bw.flush()
}

func scanHeader(cs []int, ss, se byte) []byte {
	h := []byte{byte(len(cs))}
	for _, c := range cs {
		h = append(h, byte(c+1), 0x00)
	}
	return append(h, ss, se, 0)
}

// magnitude returns a coefficient's size category and its bits.
func magnitude(v int) (int, uint32) {
	a := max(v, -v)
	size := 0
	for a >= 1<<size {
		size++
	}
	if v < 0 {
		v += 1<<size - 1
	}
	return size, uint32(v)
}

// The Huffman tables give every symbol a code of one length: 4 bits for
// the 12 DC sizes, 8 for the 162 AC symbols (EOB, ZRL, run/size), in
// table order. Valid, and simple to write.
var acSymbols = func() []byte {
	s := []byte{0x00, 0xF0}
	for run := range 16 {
		for size := 1; size <= 10; size++ {
			s = append(s, byte(run<<4|size))
		}
	}
	return s
}()

func acSymbol(s byte) uint32 { return uint32(bytes.IndexByte(acSymbols, s)) }

func huffmanTables() []byte {
	dc := make([]byte, 17)
	dc[4] = 12 // class 0, id 0; twelve 4-bit codes
	for v := range 12 {
		dc = append(dc, byte(v))
	}
	ac := make([]byte, 17)
	ac[0], ac[8] = 0x10, byte(len(acSymbols)) // class 1, id 0; 8-bit codes
	return append(append(dc, ac...), acSymbols...)
}

// cosine[x][u] is the DCT's cos((2x+1)uπ/16).
var cosine = func() (c [8][8]float64) {
	for x := range 8 {
		for u := range 8 {
			c[x][u] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / 16)
		}
	}
	return c
}()

// zigzagIndex maps a natural-order coefficient index to its zigzag one.
var zigzagIndex = func() [64]int {
	var z [64]int
	i := 0
	for s := range 15 {
		for k := range s + 1 {
			u, v := k, s-k // even diagonals run up and to the right
			if s%2 == 1 {
				u, v = s-k, k
			}
			if u < 8 && v < 8 {
				z[v*8+u] = i
				i++
			}
		}
	}
	return z
}()

// bitWriter packs entropy-coded bits, stuffing a zero after every 0xFF.
type bitWriter struct {
	out   []byte
	acc   uint32
	nbits int
}

func (b *bitWriter) write(bits uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		b.acc = b.acc<<1 | (bits>>i)&1
		b.nbits++
		if b.nbits == 8 {
			b.out = append(b.out, byte(b.acc))
			if byte(b.acc) == 0xFF {
				b.out = append(b.out, 0)
			}
			b.acc, b.nbits = 0, 0
		}
	}
}

// flush pads the last byte with ones, as the standard says.
func (b *bitWriter) flush() []byte {
	if b.nbits > 0 {
		b.write(1<<(8-b.nbits)-1, 8-b.nbits)
	}
	return b.out
}
