package storetest

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// testCommitOrder runs many concurrent writers against continuous pullers.
// Seqs are handed out before commit, so a store that let a reader pass a
// change still in flight would make a puller skip it; every checkpoint is
// verified against the replica, so a single skipped change fails the test.
// With late set, the pullers start only once a third of the mutations are
// in, so they begin mid-stream, from zero, while writers are at full speed.
func testCommitOrder(t *testing.T, h *Harness, o Options, late bool) {
	buckets := []syncengine.Bucket{roomA, roomB}
	for w := 0; w < o.Writers; w++ {
		for _, b := range buckets {
			h.Grant(fmt.Sprintf("w%d", w), b)
		}
	}
	for p := 0; p < 3; p++ {
		for _, b := range buckets {
			h.Grant(fmt.Sprintf("p%d", p), b)
		}
	}
	var writing sync.WaitGroup
	var done atomic.Bool
	var written atomic.Int64
	started := make(chan struct{})
	var startOnce sync.Once
	start := func() { startOnce.Do(func() { close(started) }) }
	if !late {
		start()
	}
	errs := make(chan error, o.Writers+3)
	for w := 0; w < o.Writers; w++ {
		writing.Add(1)
		go func() {
			defer writing.Done()
			d := h.NewDevice(fmt.Sprintf("w%d", w))
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			const batch = 20
			for sent := 0; sent < o.MutationsPerWriter; sent += batch {
				var ms []syncengine.Mutation
				// Writers share ids, so records move between buckets and
				// are overwritten and deleted under each other. Each batch
				// touches its ids in ascending order, as a real client
				// would have to for its rows not to deadlock with others'.
				ids := make([]int, 0, batch)
				for i := 0; i < batch; i++ {
					ids = append(ids, rng.IntN(300))
				}
				slices.Sort(ids)
				for i := 0; i < batch && sent+i < o.MutationsPerWriter; i++ {
					id := fmt.Sprintf("n%03d", ids[i])
					switch r := rng.IntN(10); {
					case r == 0:
						ms = append(ms, d.Mutation("note.delete", NoteArgs{ID: id}))
					case r < 3:
						ms = append(ms, d.Mutation("note.put", NoteArgs{ID: id, Text: fmt.Sprintf("w%d-%d", w, sent+i), Buckets: []string{"room:a", "room:b"}}))
					default:
						ms = append(ms, d.Mutation("note.put", NoteArgs{ID: id, Text: fmt.Sprintf("w%d-%d", w, sent+i), Buckets: []string{string(buckets[rng.IntN(2)])}}))
					}
				}
				if _, err := d.TryPush(ms...); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				if written.Add(int64(len(ms))) >= int64(o.Writers*o.MutationsPerWriter/3) {
					start()
				}
			}
		}()
	}
	pullers := make([]*Device, 3)
	var pulling sync.WaitGroup
	var checkpoints atomic.Int64
	for p := range pullers {
		d := h.NewDevice(fmt.Sprintf("p%d", p))
		d.PageRows = 50 + 100*p
		pullers[p] = d
		pulling.Add(1)
		go func() {
			defer pulling.Done()
			<-started
			for !done.Load() {
				r, err := d.TrySync()
				if err != nil {
					errs <- fmt.Errorf("puller %d: %w", p, err)
					return
				}
				if len(r.Mismatched) > 0 {
					errs <- fmt.Errorf("puller %d: checkpoint checksums disagree for %v: a change was skipped", p, r.Mismatched)
					return
				}
				checkpoints.Add(1)
			}
		}()
	}
	writing.Wait()
	start()
	done.Store(true)
	pulling.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	server := h.ServerNotes()
	for p, d := range pullers {
		r := d.Sync()
		if len(r.Mismatched) > 0 {
			t.Fatalf("puller %d: final checkpoint mismatched %v", p, r.Mismatched)
		}
		got := map[string]string{}
		maps.Copy(got, d.Notes(roomA))
		maps.Copy(got, d.Notes(roomB))
		if !maps.Equal(got, server) {
			t.Fatalf("puller %d holds %d notes, the server %d", p, len(got), len(server))
		}
	}
	if n := h.StaleChanges(); n != 0 {
		t.Fatalf("%d superseded changes left in the log by concurrent commits", n)
	}
	t.Logf("%d writers x %d mutations, %d verified checkpoints", o.Writers, o.MutationsPerWriter, checkpoints.Load())
}

// testCompactionConcurrent compacts in a loop while writers write and
// pullers pull: nothing is lost and no checkpoint disagrees.
func testCompactionConcurrent(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("w", roomA)
	h.Grant("p", roomA)
	var done atomic.Bool
	errs := make(chan error, 8)
	writer := make(chan struct{})
	go func() {
		defer close(writer)
		d := h.NewDevice("w")
		for i := 0; i < 400; i++ {
			name := "note.put"
			if i%7 == 6 {
				name = "note.delete"
			}
			if _, err := d.TryPush(d.Mutation(name, NoteArgs{ID: fmt.Sprintf("n%d", i%40), Text: fmt.Sprint(i), Buckets: []string{"room:a"}})); err != nil {
				errs <- err
				return
			}
			if i%50 == 0 {
				h.Clock.Advance(time.Hour)
			}
		}
	}()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			if _, err := h.Engine.Compact(context.Background(), syncengine.CompactOptions{TombstoneRetention: 2 * time.Hour, BatchSize: 25}); err != nil {
				errs <- fmt.Errorf("compact: %w", err)
				return
			}
		}
	}()
	// A puller that starts from zero mid-way may see a checksum mismatch if
	// a tombstone it needed expired between its pages; it repairs itself,
	// which is the point: nothing is lost in the end.
	pullers := []*Device{h.NewDevice("p"), h.NewDevice("p")}
	for _, d := range pullers {
		d.PageRows = 7
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				if _, err := d.TrySync(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	<-writer
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	server := h.ServerNotes()
	for i, d := range pullers {
		d.Sync()
		if r := d.Sync(); len(r.Mismatched) > 0 || len(r.Reset) > 0 {
			t.Fatalf("puller %d still inconsistent: %+v", i, r)
		}
		if !maps.Equal(d.Notes(roomA), server) {
			t.Fatalf("puller %d: %d notes, server %d", i, len(d.Notes(roomA)), len(server))
		}
	}
	if n := h.StaleChanges(); n != 0 {
		t.Fatalf("%d superseded changes left in the log", n)
	}
}
