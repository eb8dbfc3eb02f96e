package sdk

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func openTest(t testing.TB) *Replica {
	t.Helper()
	r, err := Open(context.Background(), Options{Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// apply applies one page as the pull loop does.
func (r *Replica) applyForTest(p *syncv1.PullResponse) (pageResult, error) {
	var res pageResult
	err := r.db.update(context.Background(), func(tx *wtx) error {
		var err error
		res, err = r.applyPage(tx, p)
		return err
	})
	if err == nil && res.checkpoint && len(res.mismatched) == 0 {
		r.settled(res.settle)
	}
	return res, err
}

// viewOf returns the app's view of a collection.
func viewOf(t testing.TB, r *Replica, collection string) map[string]string {
	t.Helper()
	recs, err := r.Query(context.Background(), Query{Collection: collection})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, rec := range recs {
		out[rec.ID] = string(rec.Payload)
	}
	return out
}

// TestApplyPagesModel drives the engine on SQLite with random writers,
// access changes and compaction, and pulls into a replica in random page
// sizes, next to the engine's reference Replica: at every checkpoint the
// app's view equals the reference's live records and the checksums agree.
func TestApplyPagesModel(t *testing.T) {
	clock := storetest.NewClock()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "server.db"), sqlite.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := storetest.NewHarness(t, store, clock, syncengine.Config{EncodeOutcome: syncrpc.EncodeOutcome})
	rooms := []syncengine.Bucket{"room:a", "room:b", "room:c"}
	for _, b := range rooms {
		h.Grant("writer", b)
	}
	h.Grant("u1", rooms[0])
	w := h.NewDevice("writer")
	ref := h.NewDevice("u1")
	r := openTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	granted := map[syncengine.Bucket]bool{rooms[0]: true}
	var st pullStats
	for step := range 60 {
		for range rng.IntN(15) {
			id := fmt.Sprintf("n%d", rng.IntN(25))
			if rng.IntN(5) == 0 {
				w.TryPush(w.Mutation("note.delete", storetest.NoteArgs{ID: id}))
				continue
			}
			var bs []string
			for _, b := range rooms {
				if rng.IntN(2) == 0 {
					bs = append(bs, string(b))
				}
			}
			w.Push(w.Mutation("note.put", storetest.NoteArgs{ID: id, Text: fmt.Sprint(step), Buckets: bs}))
		}
		if rng.IntN(6) == 0 {
			b := rooms[rng.IntN(len(rooms))]
			if granted[b] {
				h.Revoke("u1", b)
			} else {
				h.Grant("u1", b)
			}
			granted[b] = !granted[b]
		}
		if rng.IntN(10) == 0 {
			clock.Advance(10 * 24 * time.Hour)
			if _, err := h.Engine.Compact(context.Background(), syncengine.CompactOptions{TombstoneRetention: 7 * 24 * time.Hour}); err != nil {
				t.Fatal(err)
			}
		}
		pullAll(t, h, r, rng.IntN(7)+1, &st)
		ref.Sync()
		want := map[string]string{}
		for _, b := range ref.Replica.Buckets() {
			maps.Copy(want, ref.Notes(b))
		}
		if got := viewOf(t, r, "note"); !maps.Equal(got, want) {
			t.Fatalf("step %d: view %v, reference %v", step, got, want)
		}
		sums, err := r.Checksums(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range ref.Replica.Buckets() {
			if sums[b] != ref.Replica.Checksum(b) {
				t.Fatalf("step %d: %s checksum %v, reference %v", step, b, sums[b], ref.Replica.Checksum(b))
			}
		}
	}
	t.Logf("%+v", st)
	if st.dropped == 0 || st.reset == 0 || st.pages < 100 {
		t.Fatalf("the run did not exercise drops, resets and paging: %+v", st)
	}
}

type pullStats struct{ pages, dropped, reset int }

// pullAll pulls into r through the engine until a checkpoint applies.
func pullAll(t *testing.T, h *storetest.Harness, r *Replica, pageRows int, st *pullStats) {
	t.Helper()
	for range 1000 {
		cursors, err := r.cursors(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		req := syncengine.PullRequest{ClientID: r.clientID, SchemaVersion: 2, MaxRows: pageRows}
		for _, c := range cursors {
			req.Cursors = append(req.Cursors, syncengine.Cursor{Bucket: syncengine.Bucket(c.GetBucket()), After: c.GetAfter(), FromZero: c.GetFromZero()})
		}
		page, err := h.Engine.Pull(context.Background(), syncengine.Principal{UserID: "u1"}, req)
		if err != nil {
			t.Fatal(err)
		}
		st.pages++
		st.dropped += len(page.Dropped)
		st.reset += len(page.Reset)
		res, err := r.applyForTest(syncrpc.PullProto(page, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if res.checkpoint && len(res.mismatched) == 0 {
			return
		}
		if len(res.mismatched) > 0 {
			t.Fatalf("checksum mismatch on %v", res.mismatched)
		}
	}
	t.Fatal("no checkpoint after 1000 pages")
}

// FuzzApplyPage feeds the replica pull pages decoded from arbitrary bytes,
// as a hostile or broken server could send. Nothing panics; a page is
// either refused whole or applied, and after it the replica's running
// checksums still match its rows and the app's view holds only records the
// server state (or a pending write) explains.
func FuzzApplyPage(f *testing.F) {
	seed := func(p *syncv1.PullResponse) {
		b, err := proto.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	cur := func(b string, after int64) *syncv1.BucketCursor { return &syncv1.BucketCursor{Bucket: b, After: after} }
	up := func(seq int64, b, id, payload string) *syncv1.Change {
		return &syncv1.Change{Seq: seq, Bucket: b, Collection: "note", RecordId: id, Op: syncv1.Op_OP_UPSERT, Payload: []byte(payload)}
	}
	seed(&syncv1.PullResponse{Changes: []*syncv1.Change{up(1, "room:a", "n1", "x")}, Cursors: []*syncv1.BucketCursor{cur("room:a", 1)}, HasMore: true})
	seed(&syncv1.PullResponse{
		Changes:    []*syncv1.Change{up(2, "room:a", "n2", "y"), {Seq: 3, Bucket: "room:a", Collection: "note", RecordId: "n1", Op: syncv1.Op_OP_DELETE}},
		Cursors:    []*syncv1.BucketCursor{cur("room:a", 3)},
		Checkpoint: &syncv1.Checkpoint{Seq: 3, Buckets: []*syncv1.BucketChecksum{{Bucket: "room:a", Checksum: syncengine.RecordHash("note", "n2", []byte("y")), Count: 1}}},
	})
	seed(&syncv1.PullResponse{Cursors: []*syncv1.BucketCursor{cur("room:b", 0)}, DroppedBuckets: []string{"room:a"}, ResetBuckets: []string{"room:b"},
		Checkpoint: &syncv1.Checkpoint{Buckets: []*syncv1.BucketChecksum{{Bucket: "room:b"}}}})
	r := openTest(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var p syncv1.PullResponse
		if proto.Unmarshal(data, &p) != nil {
			return
		}
		if _, err := r.applyForTest(&p); err != nil && validatePage(&p) == nil {
			t.Fatalf("a valid page failed to apply: %v", err)
		}
		if _, err := r.Checksums(context.Background()); err != nil {
			t.Fatal(err)
		}
		var orphans int
		err := r.db.r.QueryRow(`SELECT count(*) FROM c_note n WHERE n.pending = 0 AND NOT EXISTS
			(SELECT 1 FROM sdk_rows s WHERE s.collection = 'note' AND s.id = n.id)
			AND NOT EXISTS (SELECT 1 FROM sdk_dirty d WHERE d.collection = 'note' AND d.id = n.id)`).Scan(&orphans)
		if err != nil && r.tablesHave("note") {
			t.Fatal(err)
		}
		if orphans > 0 {
			t.Fatalf("%d records in the app's view that no bucket holds", orphans)
		}
	})
}

func (r *Replica) tablesHave(collection string) bool {
	_, ok := r.tables.lookup(collection)
	return ok
}
