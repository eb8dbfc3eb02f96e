package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// checkpointOf pulls until d reaches a checkpoint, applying every page,
// and returns that checkpoint.
func checkpointOf(t *testing.T, d *Device) *syncengine.Checkpoint {
	t.Helper()
	for {
		page, err := d.Pull()
		must(t, err)
		if bad, err := d.Replica.Apply(page); err != nil || len(bad) != 0 {
			t.Fatalf("apply: mismatched %v, %v", bad, err)
		}
		if page.Checkpoint != nil {
			return page.Checkpoint
		}
	}
}

// testBucketStates: Store.BucketStates reports, for each bucket, what a
// pull's checkpoint reports at the same point and what a replica that
// caught up holds, through upserts, a record moving between buckets,
// deletes and compaction; a bucket never written is empty.
func testBucketStates(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	ctx := context.Background()
	h.Grant("u1", roomA)
	h.Grant("u1", roomB)
	h.Grant("u1", roomC)
	user := syncengine.UserBucket("u1")
	asked := []syncengine.Bucket{roomB, roomA, user, roomC, "room:never"}
	w := h.NewDevice("u1")
	r := h.NewDevice("u1")
	r.PageRows = 3 // several pages, so the checkpoint ends a paged download

	check := func(step string, want map[syncengine.Bucket]int64) {
		t.Helper()
		cp := checkpointOf(t, r)
		states, err := h.Store.BucketStates(ctx, asked)
		must(t, err)
		if len(states) != len(asked) {
			t.Fatalf("%s: %d states for %d buckets", step, len(states), len(asked))
		}
		atCheckpoint := map[syncengine.Bucket]syncengine.Checksum{}
		for _, b := range cp.Buckets {
			atCheckpoint[b.Bucket] = b.Checksum
		}
		for i, s := range states {
			if s.Bucket != asked[i] {
				t.Fatalf("%s: state %d is of %s, asked %s", step, i, s.Bucket, asked[i])
			}
			if s.Checksum != atCheckpoint[s.Bucket] {
				t.Fatalf("%s: %s is %+v, the checkpoint says %+v", step, s.Bucket, s.Checksum, atCheckpoint[s.Bucket])
			}
			if got := r.Replica.Checksum(s.Bucket); s.Checksum != got {
				t.Fatalf("%s: %s is %+v, the replica holds %+v", step, s.Bucket, s.Checksum, got)
			}
			if n, ok := want[s.Bucket]; ok && s.Count != n {
				t.Fatalf("%s: %s counts %d records, want %d", step, s.Bucket, s.Count, n)
			}
		}
	}

	for i := range 5 {
		w.Put(id(i), "a", roomA)
	}
	w.Put("shared", "both", roomA, roomB)
	check("upserts", map[syncengine.Bucket]int64{roomA: 6, roomB: 1, roomC: 0, "room:never": 0, user: 7}) // six outcomes and the access record Grant keeps there
	w.Put(id(0), "again", roomA)                                                                          // a new version: the count stays
	w.Put("shared", "moved", roomB, roomC)                                                                // leaves room:a
	w.Push(w.Mutation("note.delete", NoteArgs{ID: id(1)}))
	check("updates and deletes", map[syncengine.Bucket]int64{roomA: 4, roomB: 1, roomC: 1, user: 10})

	h.Clock.Advance(40 * 24 * time.Hour)
	st, err := h.Engine.Compact(ctx, syncengine.CompactOptions{TombstoneRetention: 7 * 24 * time.Hour, OutcomeRetention: 30 * 24 * time.Hour})
	must(t, err)
	if st.Tombstones == 0 || st.Outcomes != 9 {
		t.Fatalf("compaction removed %+v, want tombstones and 9 outcomes", st)
	}
	check("compaction", map[syncengine.Bucket]int64{roomA: 4, roomB: 1, roomC: 1, user: 1})

	if states, err := h.Store.BucketStates(ctx, nil); err != nil || len(states) != 0 {
		t.Fatalf("no buckets: %v %v", states, err)
	}
}
