package storetest

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// pageCache is a store that caches shared buckets' pull ranges.
type pageCache interface {
	PageCacheStats() (hits, misses uint64)
}

// testSharedPages checks what many devices reading one shared bucket get
// when the store serves the bucket's ranges from its cache: the same pages
// as the first reader, and never a range a later write or delete has
// changed, whether they download from zero or continue from a cursor.
func testSharedPages(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	for _, u := range []string{"w", "r1", "r2", "r3"} {
		h.Grant(u, roomA)
	}
	w := h.NewDevice("w")
	for i := range 20 {
		w.Put(id(i), "programme item", roomA)
	}
	first := h.NewDevice("r1")
	first.PageRows = 5
	first.Sync()
	before := hits(h.Store)
	again := h.NewDevice("r2")
	again.PageRows = 5
	again.Sync()
	if !maps.Equal(first.Notes(roomA), again.Notes(roomA)) || len(again.Notes(roomA)) != 20 {
		t.Fatalf("two devices of one bucket hold %d and %d notes, differently", len(first.Notes(roomA)), len(again.Notes(roomA)))
	}
	if _, ok := h.Store.(pageCache); ok && hits(h.Store) <= before {
		t.Errorf("the second download of %s read every range from the database again", roomA)
	}

	w.Put(id(3), "moved to hall B", roomA)
	w.Push(w.Mutation("note.delete", NoteArgs{ID: id(4)}))
	want := h.ServerNotes()
	for _, d := range []*Device{first, again} {
		d.Sync()
		if got := d.Notes(roomA); !maps.Equal(got, want) {
			t.Fatalf("a device that had the bucket holds %v after the edit, want %v", got, want)
		}
	}
	for range 2 {
		fresh := h.NewDevice("r3")
		fresh.PageRows = 5
		fresh.Sync()
		if got := fresh.Notes(roomA); !maps.Equal(got, want) {
			t.Fatalf("a new device holds %v after the edit, want %v", got, want)
		}
	}
}

// testSharedPagesCompaction checks a cached range after compaction
// removed a tombstone in it: the bucket's newest change may be the same
// as when the range was cached, but the deleted record must not come back.
func testSharedPagesCompaction(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("w", roomB)
	h.Grant("r", roomB)
	w := h.NewDevice("w")
	w.Put("x1", "withdrawn later", roomB)
	w.Put("x2", "stays", roomB)
	h.NewDevice("r").Sync()
	w.Push(w.Mutation("note.delete", NoteArgs{ID: "x1"}))
	h.Clock.Advance(8 * 24 * time.Hour)
	st, err := h.Engine.Compact(context.Background(), syncengine.CompactOptions{TombstoneRetention: 7 * 24 * time.Hour})
	must(t, err)
	if st.Tombstones != 1 {
		t.Fatalf("compaction removed %d tombstones, want 1", st.Tombstones)
	}
	fresh := h.NewDevice("r")
	fresh.Sync()
	if got := fresh.Notes(roomB); len(got) != 1 || got["x2"] == "" {
		t.Fatalf("a new device holds %v after x1 was deleted and its tombstone compacted, want x2 alone", got)
	}
}

func hits(s syncengine.Store) uint64 {
	if c, ok := s.(pageCache); ok {
		h, _ := c.PageCacheStats()
		return h
	}
	return 0
}
