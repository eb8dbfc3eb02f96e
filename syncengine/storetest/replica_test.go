package storetest_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// FuzzReplicaApply drives a replica with pages cut from a random history:
// whatever the history and wherever the pages split, the replica ends equal
// to the model and agrees with the checkpoint. Random garbage pages must
// fail cleanly, never panic.
func FuzzReplicaApply(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(3))
	f.Add([]byte{200, 17, 4, 4, 4, 99, 1, 0, 255, 128, 64}, uint8(1))
	f.Add([]byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, ops []byte, pageSize uint8) {
		buckets := []syncengine.Bucket{"room:a", "room:b", "room:c"}
		model := map[syncengine.Bucket]map[storetest.RecordKey][]byte{}
		var log []syncengine.Change
		seq := int64(0)
		for i := 0; i+1 < len(ops); i += 2 {
			b := buckets[int(ops[i])%len(buckets)]
			key := storetest.RecordKey{Collection: "note", ID: fmt.Sprint(ops[i+1] % 8)}
			seq++
			c := syncengine.Change{Seq: seq, Bucket: b, Collection: key.Collection, RecordID: key.ID}
			if model[b] == nil {
				model[b] = map[storetest.RecordKey][]byte{}
			}
			if ops[i]&0x80 != 0 {
				c.Op = syncengine.OpDelete
				delete(model[b], key)
			} else {
				c.Op = syncengine.OpUpsert
				c.Payload = []byte{ops[i], ops[i+1]}
				model[b][key] = c.Payload
			}
			log = append(log, c)
		}
		cursors := make([]syncengine.Cursor, len(buckets))
		for i, b := range buckets {
			cursors[i] = syncengine.Cursor{Bucket: b, After: seq}
		}
		cp := &syncengine.Checkpoint{Seq: seq}
		for _, b := range buckets {
			var c syncengine.Checksum
			for k, p := range model[b] {
				c.Add(syncengine.RecordHash(k.Collection, k.ID, p))
			}
			cp.Buckets = append(cp.Buckets, syncengine.BucketChecksum{Bucket: b, Checksum: c})
		}
		r := storetest.NewReplica()
		size := int(pageSize%16) + 1
		for start := 0; ; start += size {
			end := min(start+size, len(log))
			page := &syncengine.PullResult{ReadResult: syncengine.ReadResult{Changes: log[start:end], Cursors: cursors, HasMore: end < len(log)}}
			if !page.HasMore {
				page.Checkpoint = cp
			}
			bad, err := r.Apply(page)
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) > 0 {
				t.Fatalf("checksums disagree for %v", bad)
			}
			if !page.HasMore {
				break
			}
		}
		for _, b := range buckets {
			if !maps.EqualFunc(r.Records(b), model[b], func(a, b []byte) bool { return string(a) == string(b) }) {
				t.Fatalf("bucket %s differs from the model", b)
			}
		}
		// Garbage: a change for a bucket the page has no cursor for, or an
		// unknown op, is an error.
		if len(ops) > 0 {
			junk := &syncengine.PullResult{ReadResult: syncengine.ReadResult{
				Changes: []syncengine.Change{{Seq: 1, Bucket: "room:zzz", Op: syncengine.Op(ops[0])}},
				Cursors: cursors[:1],
			}}
			if _, err := storetest.NewReplica().Apply(junk); err == nil {
				t.Fatal("a change for an unknown bucket was accepted")
			}
		}
	})
}
