package sqlstore

import "github.com/ordinatorhq/ordinator/syncengine"

// PageBuilder assembles the changes a fetch reads from raw column bytes
// (which the driver reuses from row to row) with a few allocations per
// page rather than three per row: record ids and payloads are copied into
// blocks that are never moved once written (record ids become one string
// per block), and collection names, which repeat on almost every row, are
// kept once each. Blocks start small and double, since most pulls are a
// device catching up on a few changes; growing one buffer instead would
// copy a big page's payloads several times over.
//
// The changes share their bytes, so nothing may modify a payload; the
// page cache and the encoders only read them.
type PageBuilder struct {
	changes     []syncengine.Change
	spans       []span
	text, data  blocks
	collections map[string]string
	last        string // the collection of the previous row
}

// span locates a change's record id and payload in their blocks; a
// payload of length -1 is none.
type span struct {
	idBlock, idOff, idLen    int32
	payBlock, payOff, payLen int32
}

// NewPageBuilder returns an empty builder.
func NewPageBuilder() *PageBuilder {
	return &PageBuilder{collections: map[string]string{}}
}

// Add appends a change; payload is nil for none (a delete), and all the
// byte slices may be reused by the caller once Add returns.
func (p *PageBuilder) Add(seq int64, bucket syncengine.Bucket, collection, recordID []byte, op syncengine.Op, payload []byte) {
	coll := p.last
	if string(collection) != coll {
		var ok bool
		if coll, ok = p.collections[string(collection)]; !ok {
			coll = string(collection)
			p.collections[coll] = coll
		}
		p.last = coll
	}
	var s span
	s.idBlock, s.idOff = p.text.add(recordID)
	s.idLen = int32(len(recordID))
	s.payLen = -1
	if payload != nil {
		s.payBlock, s.payOff = p.data.add(payload)
		s.payLen = int32(len(payload))
	}
	if len(p.changes) == cap(p.changes) {
		// Doubling copies each change about once in all.
		n := max(2*cap(p.changes), 64)
		p.changes = append(make([]syncengine.Change, 0, n), p.changes...)
		p.spans = append(make([]span, 0, n), p.spans...)
	}
	p.changes = append(p.changes, syncengine.Change{Seq: seq, Bucket: bucket, Collection: coll, Op: op})
	p.spans = append(p.spans, s)
}

// Changes returns the changes added so far, their record ids and payloads
// pointing into the page's blocks. The builder must not be used after.
func (p *PageBuilder) Changes() []syncengine.Change {
	if len(p.changes) == 0 {
		return nil
	}
	texts := make([]string, len(p.text))
	for i, b := range p.text {
		texts[i] = string(b)
	}
	for i, s := range p.spans {
		c := &p.changes[i]
		if s.idLen > 0 {
			c.RecordID = texts[s.idBlock][s.idOff : s.idOff+s.idLen]
		}
		switch {
		case s.payLen == 0:
			c.Payload = []byte{} // empty stays empty, not nil
		case s.payLen > 0:
			end := s.payOff + s.payLen
			c.Payload = p.data[s.payBlock][s.payOff:end:end]
		}
	}
	return p.changes
}

// blocks holds bytes in blocks that each keep their first backing array.
type blocks [][]byte

const (
	firstBlock = 4 << 10
	maxBlock   = 1 << 20
)

// add copies b into the last block, starting a new one (twice the size of
// the last, up to maxBlock, or b's own size if larger) when b does not
// fit, and returns where it went.
func (bs *blocks) add(b []byte) (block, off int32) {
	if len(b) == 0 {
		return 0, 0
	}
	n := len(*bs)
	if n == 0 || len((*bs)[n-1])+len(b) > cap((*bs)[n-1]) {
		size := firstBlock
		if n > 0 {
			size = min(2*cap((*bs)[n-1]), maxBlock)
		}
		*bs = append(*bs, make([]byte, 0, max(size, len(b))))
		n++
	}
	last := &(*bs)[n-1]
	off = int32(len(*last))
	*last = append(*last, b...)
	return int32(n - 1), off
}
