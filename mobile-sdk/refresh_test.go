package sdk

import (
	"context"
	"fmt"
	"testing"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestFreshBucketsFillTables downloads two buckets into an empty table (its
// column index is dropped and built again after the copy) and then a
// second bucket sharing records with the first into the filled table: the
// index is there after each, and queries through it see every record once.
func TestFreshBucketsFillTables(t *testing.T) {
	schema := NewSchema().AddCollection(Collection{
		Name:    "note",
		Columns: []Column{{Name: "text", Type: Text}},
		Extract: func(p []byte) ([]any, error) { return []any{string(p)}, nil },
	})
	r, err := Open(context.Background(), Options{Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: schema})
	noErr(t, err)
	defer r.Close()
	sums := map[string]*syncengine.Checksum{}
	page := func(bucket string, from, to int, cursors ...*syncv1.BucketCursor) *syncv1.PullResponse {
		p := &syncv1.PullResponse{Cursors: cursors}
		s := &syncengine.Checksum{}
		sums[bucket] = s
		for i := from; i < to; i++ {
			id, payload := fmt.Sprintf("n%05d", i), []byte(fmt.Sprintf("text %05d", i))
			s.Add(syncengine.RecordHash("note", id, payload))
			p.Changes = append(p.Changes, &syncv1.Change{Seq: int64(i + 1), Bucket: bucket, Collection: "note", RecordId: id, Op: syncv1.Op_OP_UPSERT, Payload: payload})
		}
		cp := &syncv1.Checkpoint{}
		for _, c := range cursors {
			cp.Buckets = append(cp.Buckets, &syncv1.BucketChecksum{Bucket: c.GetBucket(), Checksum: sums[c.GetBucket()].Sum, Count: sums[c.GetBucket()].Count})
		}
		p.Checkpoint = cp
		return p
	}
	check := func(want int) {
		t.Helper()
		var indexed bool
		noErr(t, r.db.r.QueryRow(`SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'c_note_text')`).Scan(&indexed))
		if !indexed {
			t.Fatal("the table's column index is missing")
		}
		n, err := r.Count(context.Background(), Query{Collection: "note", Where: []Filter{{Column: "text", Op: Prefix, Value: "text"}}})
		noErr(t, err)
		if n != want {
			t.Fatalf("%d records by the index, want %d", n, want)
		}
	}
	// Two fresh buckets sharing a thousand records.
	first := page("room:c", 1000, 2000)
	both := page("room:a", 0, 3000, &syncv1.BucketCursor{Bucket: "room:a", After: 3000}, &syncv1.BucketCursor{Bucket: "room:c", After: 3000})
	both.Changes = append(both.Changes, first.Changes...)
	res, err := r.applyForTest(both)
	noErr(t, err)
	if len(res.mismatched) > 0 {
		t.Fatal(res.mismatched)
	}
	check(3000)
	p := page("room:b", 2000, 4000, &syncv1.BucketCursor{Bucket: "room:a", After: 3000}, &syncv1.BucketCursor{Bucket: "room:b", After: 4000})
	res, err = r.applyForTest(p)
	noErr(t, err)
	if len(res.mismatched) > 0 {
		t.Fatal(res.mismatched)
	}
	check(4000)
}
