package storetest

import (
	"bytes"
	"context"
	"maps"
	"testing"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// FreshPull pulls everything p may read from empty cursors, as a new
// device does, in pages of at most rows changes (0: the server's default),
// applying them to a new replica. It fails the test on a checksum mismatch
// and returns the raw pages.
func FreshPull(t testing.TB, e *syncengine.Engine, p syncengine.Principal, schema int32, rows int) []*syncengine.PullResult {
	t.Helper()
	r := NewReplica()
	client := uuid.NewString()
	var pages []*syncengine.PullResult
	for {
		page, err := e.Pull(context.Background(), p, syncengine.PullRequest{ClientID: client, SchemaVersion: schema, Cursors: r.Cursors(), MaxRows: rows})
		if err != nil {
			t.Fatalf("pull from zero: %v", err)
		}
		pages = append(pages, page)
		bad, err := r.Apply(page)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 {
			t.Fatalf("pull from zero: checksums disagree for %v", bad)
		}
		if page.Checkpoint != nil {
			return pages
		}
	}
}

// Containing returns the changes of pages whose payload holds marker.
func Containing(pages []*syncengine.PullResult, marker string) []syncengine.Change {
	var out []syncengine.Change
	for _, p := range pages {
		for _, c := range p.Changes {
			if bytes.Contains(c.Payload, []byte(marker)) {
				out = append(out, c)
			}
		}
	}
	return out
}

// LogContaining returns the changes in the store's log, in any bucket,
// whose payload holds marker.
func LogContaining(t testing.TB, s syncengine.Store, marker string) []syncengine.Change {
	t.Helper()
	var out []syncengine.Change
	err := s.View(context.Background(), func(q syncengine.Querier) error {
		rows, err := q.Query(context.Background(), `SELECT seq, bucket, collection, record_id, payload FROM sync_changes WHERE op = $1 ORDER BY seq`,
			int64(syncengine.OpUpsert))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := syncengine.Change{Op: syncengine.OpUpsert}
			var bucket string
			if err := rows.Scan(&c.Seq, &bucket, &c.Collection, &c.RecordID, &c.Payload); err != nil {
				return err
			}
			if bytes.Contains(c.Payload, []byte(marker)) {
				c.Bucket = syncengine.Bucket(bucket)
				out = append(out, c)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testCurrentOnly: a pull only ever sends the current version of a record
// in a bucket, before any compaction. A note edited, one deleted and one
// moved to another bucket leave no byte of their old payloads in the log
// or in the pages of a device starting from zero, which gets no tombstones
// either; a device that held them gets the deletes, and so does one that
// had staged a removed note from the first pages of its download.
func testCurrentOnly(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("w", roomA)
	h.Grant("w", roomB)
	h.Grant("r", roomA)
	w := h.NewDevice("w")
	w.Put("edited", "secret first draft", roomA)
	w.Put("gone", "secret to delete", roomA)
	w.Put("moved", "secret of room a", roomA)
	for i := 0; i < 6; i++ {
		w.Put(id(i), "filler", roomA)
	}
	if n := len(Containing(FreshPull(t, h.Engine, syncengine.Principal{UserID: "r"}, 2, 0), "secret")); n != 3 {
		t.Fatalf("a new device found the marker in %d changes, want 3", n)
	}
	had := h.NewDevice("r")
	had.Sync()
	// A download from zero, one row a page, stopped once it has staged the
	// note about to be deleted.
	mid := h.NewDevice("r")
	mid.PageRows = 1
	for staged := false; !staged; {
		page, err := mid.Pull()
		must(t, err)
		if page.Checkpoint != nil {
			t.Fatal("the download reached its checkpoint before staging the note")
		}
		_, err = mid.Replica.Apply(page)
		must(t, err)
		for _, c := range page.Changes {
			staged = staged || c.RecordID == "gone"
		}
	}

	w.Put("edited", "second version", roomA)
	w.Push(w.Mutation("note.delete", NoteArgs{ID: "gone"}))
	w.Put("moved", "now elsewhere", roomB)

	if old := LogContaining(t, h.Store, "secret"); len(old) != 0 {
		t.Fatalf("the log still holds old payloads: %+v", old)
	}
	if n := h.StaleChanges(); n != 0 {
		t.Fatalf("%d superseded changes in the log", n)
	}
	p := syncengine.Principal{UserID: "r"}
	for _, rows := range []int{1, 3, 0} {
		pages := FreshPull(t, h.Engine, p, 2, rows)
		if leaked := Containing(pages, "secret"); len(leaked) != 0 {
			t.Fatalf("pages of %d rows: a new device received old payloads %+v", rows, leaked)
		}
		seen := map[string]bool{}
		for _, page := range pages {
			for _, c := range page.Changes {
				k := string(c.Bucket) + " " + c.Collection + " " + c.RecordID
				if seen[k] {
					t.Fatalf("pages of %d rows: %s came twice", rows, k)
				}
				seen[k] = true
			}
		}
	}
	// In one page a new device gets exactly the live records, and the
	// estimate counts just those.
	fresh := h.NewDevice("r")
	page, err := h.Engine.Pull(context.Background(), fresh.P, syncengine.PullRequest{ClientID: fresh.ClientID, SchemaVersion: 2, Estimate: true})
	must(t, err)
	for _, c := range page.Changes {
		if c.Op == syncengine.OpDelete {
			t.Fatalf("a new device received a tombstone: %+v", c)
		}
	}
	if page.Checkpoint == nil || page.Remaining != int64(len(page.Changes)) {
		t.Fatalf("one page of %d changes (checkpoint %v) with %d estimated", len(page.Changes), page.Checkpoint != nil, page.Remaining)
	}
	if _, err := fresh.Replica.Apply(page); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for k, v := range h.ServerNotes() {
		if k != "moved" {
			want[k] = v
		}
	}
	if !maps.Equal(fresh.Notes(roomA), want) {
		t.Fatalf("a new device holds %v, want %v", fresh.Notes(roomA), want)
	}

	// The device that held the notes is told they left.
	cursors := had.Replica.Cursors()
	page, err = had.Pull()
	must(t, err)
	deleted := map[string]bool{}
	for _, c := range page.Changes {
		if c.Bucket == roomA && c.Op == syncengine.OpDelete {
			deleted[c.RecordID] = true
		}
	}
	if !deleted["gone"] || !deleted["moved"] || len(deleted) != 2 {
		t.Fatalf("from %v a device holding the notes got deletes for %v, want gone and moved", cursors, deleted)
	}
	if bad, err := had.Replica.Apply(page); err != nil || len(bad) != 0 || page.Checkpoint == nil {
		t.Fatalf("applying: %v %v", bad, err)
	}
	if !maps.Equal(had.Notes(roomA), want) {
		t.Fatalf("the device that held the notes now holds %v, want %v", had.Notes(roomA), want)
	}
	// So is the one that had staged a note in its download from zero.
	if r := mid.Sync(); len(r.Mismatched) != 0 {
		t.Fatalf("the interrupted download mismatched %v", r.Mismatched)
	}
	if !maps.Equal(mid.Notes(roomA), want) {
		t.Fatalf("the interrupted download holds %v, want %v", mid.Notes(roomA), want)
	}
}
