package sqlstore

import "github.com/ordinatorhq/ordinator/syncengine"

// PageBuilder assembles the changes a fetch reads from raw column bytes
// (which the driver reuses from row to row) with a few allocations per
// page rather than three per row: record ids go into one text buffer that
// becomes one string, payloads into one byte buffer, and collection names,
// which repeat on almost every row, are kept once each. The buffers only
// grow while rows come in; Changes points the changes into them.
//
// The changes share their bytes, so nothing may modify a payload; the
// page cache and the encoders only read them.
type PageBuilder struct {
	changes     []syncengine.Change
	spans       []span
	text, data  []byte
	collections map[string]string
}

// span locates a change's record id in text and its payload in data
// (payload < 0 for none).
type span struct{ id, idEnd, payload, payloadEnd int }

// NewPageBuilder returns an empty builder. Its buffers start small and
// double as rows come in: most pulls are a device catching up on a few
// changes, and a big page costs a few dozen allocations in all.
func NewPageBuilder() *PageBuilder {
	return &PageBuilder{collections: map[string]string{}}
}

// Add appends a change; payload is nil for none (a delete), and all the
// byte slices may be reused by the caller once Add returns.
func (p *PageBuilder) Add(seq int64, bucket syncengine.Bucket, collection, recordID []byte, op syncengine.Op, payload []byte) {
	coll, ok := p.collections[string(collection)]
	if !ok {
		coll = string(collection)
		p.collections[coll] = coll
	}
	s := span{id: len(p.text), payload: -1}
	p.text = append(p.text, recordID...)
	s.idEnd = len(p.text)
	if payload != nil {
		s.payload = len(p.data)
		p.data = append(p.data, payload...)
		s.payloadEnd = len(p.data)
	}
	p.changes = append(p.changes, syncengine.Change{Seq: seq, Bucket: bucket, Collection: coll, Op: op})
	p.spans = append(p.spans, s)
}

// Changes returns the changes added so far, their record ids and payloads
// pointing into the page's buffers. The builder must not be used after.
func (p *PageBuilder) Changes() []syncengine.Change {
	if len(p.changes) == 0 {
		return nil
	}
	text := string(p.text)
	data := p.data[:len(p.data):len(p.data)]
	if data == nil {
		data = []byte{} // empty payloads stay empty, not nil
	}
	for i, s := range p.spans {
		c := &p.changes[i]
		c.RecordID = text[s.id:s.idEnd]
		if s.payload >= 0 {
			c.Payload = data[s.payload:s.payloadEnd:s.payloadEnd]
		}
	}
	return p.changes
}
