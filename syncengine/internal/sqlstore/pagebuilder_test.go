package sqlstore

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestPageBuilder checks that changes built from reused row buffers keep
// their own bytes across blocks, that a missing payload stays nil and an
// empty one empty, and that a collection's name is stored once.
func TestPageBuilder(t *testing.T) {
	p := NewPageBuilder()
	row := make([]byte, 0, 64)
	var want []syncengine.Change
	for i := range 3000 {
		id := fmt.Sprintf("r%05d", i)
		var payload []byte
		switch i % 3 {
		case 0:
			payload = bytes.Repeat([]byte{byte(i)}, i%200)
		case 1:
			payload = nil
		case 2:
			payload = []byte{}
		}
		coll := []byte("note")
		if i%2 == 0 {
			coll = []byte("task")
		}
		row = append(row[:0], id...)
		buf := append([]byte(nil), payload...)
		if payload != nil && buf == nil {
			buf = []byte{}
		}
		p.Add(int64(i+1), "room:a", coll, row, syncengine.OpUpsert, buf)
		for j := range buf {
			buf[j] = 0xff // the caller reuses its buffer
		}
		clear(row)
		want = append(want, syncengine.Change{Seq: int64(i + 1), Bucket: "room:a", Collection: string(coll), RecordID: id, Op: syncengine.OpUpsert, Payload: payload})
	}
	got := p.Changes()
	if len(got) != len(want) {
		t.Fatalf("%d changes, want %d", len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		if g.Seq != w.Seq || g.Bucket != w.Bucket || g.Collection != w.Collection || g.RecordID != w.RecordID || g.Op != w.Op || !bytes.Equal(g.Payload, w.Payload) {
			t.Fatalf("change %d: %+v, want %+v", i, g, w)
		}
		if (g.Payload == nil) != (w.Payload == nil) {
			t.Fatalf("change %d: payload nil is %v, want %v", i, g.Payload == nil, w.Payload == nil)
		}
		if len(g.Payload) > 0 && cap(g.Payload) != len(g.Payload) {
			t.Fatalf("change %d: payload has room to append into its neighbour", i)
		}
	}
	if len(p.collections) != 2 {
		t.Errorf("%d collection names kept, want 2", len(p.collections))
	}
	if len(p.data) < 2 {
		t.Errorf("payloads in %d blocks; the test means to cross blocks", len(p.data))
	}
}
