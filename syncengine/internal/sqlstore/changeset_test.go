package sqlstore_test

import (
	"reflect"
	"testing"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// TestPlan: a record that moves from buckets a and c to a and b gets a new
// change in a and b and a tombstone in c, numbered after the base; the
// changes it had in a and c are superseded, and only the final write of
// the record counts. The checksum deltas swap its hash in a, add it to b
// and take it out of c.
func TestPlan(t *testing.T) {
	key := sqlstore.RecordKey{"note", "1"}
	oldHash := syncengine.RecordHash("note", "1", []byte("old"))
	current := []sqlstore.RecordState{
		{Bucket: "room:a", Key: key, Seq: 5, Hash: oldHash},
		{Bucket: "room:c", Key: key, Seq: 3, Hash: oldHash},
		{Bucket: "room:d", Key: key, Seq: 2, Deleted: true}, // left d long ago
	}
	var set sqlstore.ChangeSet
	set.Put("note", "1", []byte("draft"), "room:a")
	set.Put("note", "1", []byte("new"), "room:b", "room:a", "room:b")
	p := set.Plan(10, current)

	newHash := syncengine.RecordHash("note", "1", []byte("new"))
	wantChanges := []syncengine.Change{
		{Seq: 11, Bucket: "room:a", Collection: "note", RecordID: "1", Op: syncengine.OpUpsert, Payload: []byte("new")},
		{Seq: 12, Bucket: "room:b", Collection: "note", RecordID: "1", Op: syncengine.OpUpsert, Payload: []byte("new")},
		{Seq: 13, Bucket: "room:c", Collection: "note", RecordID: "1", Op: syncengine.OpDelete},
	}
	if !reflect.DeepEqual(p.Changes, wantChanges) {
		t.Fatalf("changes %+v, want %+v", p.Changes, wantChanges)
	}
	if want := []sqlstore.ChangeRef{{"room:a", 5}, {"room:c", 3}}; !reflect.DeepEqual(p.Superseded, want) {
		t.Fatalf("superseded %v, want %v", p.Superseded, want)
	}
	wantRecords := []sqlstore.RecordState{
		{Bucket: "room:a", Key: key, Seq: 11, Hash: newHash},
		{Bucket: "room:b", Key: key, Seq: 12, Hash: newHash},
		{Bucket: "room:c", Key: key, Seq: 13, Deleted: true},
	}
	if !reflect.DeepEqual(p.Records, wantRecords) {
		t.Fatalf("records %+v, want %+v", p.Records, wantRecords)
	}
	wantBuckets := []sqlstore.BucketDelta{
		{Bucket: "room:a", Xor: oldHash ^ newHash},
		{Bucket: "room:b", Xor: newHash, Count: 1},
		{Bucket: "room:c", Xor: oldHash, Count: -1},
	}
	if !reflect.DeepEqual(p.Buckets, wantBuckets) {
		t.Fatalf("bucket deltas %+v, want %+v", p.Buckets, wantBuckets)
	}
	if p.LastSeq != 13 {
		t.Fatalf("last seq %d, want 13", p.LastSeq)
	}
}

// TestPlanRollback: writes undone to a savepoint's mark leave the plan.
func TestPlanRollback(t *testing.T) {
	var set sqlstore.ChangeSet
	set.Put("note", "1", []byte("kept"), "room:a")
	mark := set.Mark()
	set.Put("note", "2", []byte("undone"), "room:a")
	set.Delete("note", "1")
	set.Rollback(mark)
	p := set.Plan(0, nil)
	if len(p.Changes) != 1 || p.Changes[0].RecordID != "1" || p.Changes[0].Op != syncengine.OpUpsert {
		t.Fatalf("changes %+v, want the kept put alone", p.Changes)
	}
}
