package storetest

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Options adjust the suite to a store.
type Options struct {
	// Writers and MutationsPerWriter size the commit-order test (defaults 8
	// and 1000).
	Writers            int
	MutationsPerWriter int
	// Sever breaks one of the store's busy connections in the middle of
	// what it is doing, for the chaos test; nil for a store without
	// connections to break.
	Sever func(syncengine.Store) error
}

// Run runs the conformance suite against fresh stores from newStore.
func Run(t *testing.T, newStore NewStore, o Options) {
	if o.Writers == 0 {
		o.Writers = 8
	}
	if o.MutationsPerWriter == 0 {
		o.MutationsPerWriter = 1000
	}
	harness := func(t *testing.T, cfg syncengine.Config) *Harness {
		clock := NewClock()
		return NewHarness(t, newStore(t, clock.Now), clock, cfg)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, h func(*testing.T, syncengine.Config) *Harness)
	}{
		{"ExactlyOnce", testExactlyOnce},
		{"Outcomes", testOutcomes},
		{"PullPages", testPullPages},
		{"Checksums", testChecksums},
		{"BucketStates", testBucketStates},
		{"Clients", testClients},
		{"AccessChanges", testAccessChanges},
		{"CurrentOnly", testCurrentOnly},
		{"SharedPages", testSharedPages},
		{"SharedPagesCompaction", testSharedPagesCompaction},
		{"Compaction", testCompaction},
		{"CompactionConcurrent", testCompactionConcurrent},
		{"Live", testLive},
		{"Versions", testVersions},
		{"BadPull", testBadPull},
		{"BadPush", testBadPush},
		{"Races", testRaces},
		{"Queue", testQueue},
		{"QueueScan", testQueueScan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, harness) })
	}
	t.Run("CommitOrder", func(t *testing.T) { testCommitOrder(t, harness(t, syncengine.Config{}), o, false) })
	// 32 writers, and pullers that start from zero in mid-stream.
	wide := Options{Writers: 32, MutationsPerWriter: max(1, o.Writers*o.MutationsPerWriter/32)}
	t.Run("CommitChaos", func(t *testing.T) { testCommitChaos(t, harness(t, syncengine.Config{}), o) })
	t.Run("CommitOrderWide", func(t *testing.T) { testCommitOrder(t, harness(t, syncengine.Config{}), wide, true) })
}

const (
	roomA = syncengine.Bucket("room:a")
	roomB = syncengine.Bucket("room:b")
	roomC = syncengine.Bucket("room:c")
)

func wantCode(t *testing.T, err error, code, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error, got none", code)
	}
	if got := syncengine.ErrorCode(err); got != code {
		t.Fatalf("want code %s, got %s (%v)", code, got, err)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not mention %q", err, contains)
	}
}

func testExactlyOnce(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("u1", roomA)
	d := h.NewDevice("u1")
	m1 := d.Mutation("note.put", NoteArgs{ID: "n1", Text: "a", Buckets: []string{"room:a"}})
	m2 := d.Mutation("note.put", NoteArgs{ID: "n1", Text: "b", Buckets: []string{"room:a"}})
	m3 := d.Mutation("note.put", NoteArgs{ID: "n2", Text: "c", Buckets: []string{"room:a"}})
	first := d.Push(m1, m2, m3)
	for i, o := range first {
		if o.Status != syncengine.StatusApplied || o.Replayed || o.Seq != int64(i+1) {
			t.Fatalf("outcome %d: %+v", i, o)
		}
	}
	if string(first[1].Result) != "2" {
		t.Fatalf("second put of n1 should make version 2, got %q", first[1].Result)
	}
	changes := h.CountChanges()
	again := d.Push(m1, m2, m3)
	for i, o := range again {
		if !o.Replayed || o.Status != first[i].Status || string(o.Result) != string(first[i].Result) || o.Name != first[i].Name {
			t.Fatalf("retried outcome %d = %+v, want the stored %+v", i, o, first[i])
		}
	}
	if got := h.CountChanges(); got != changes {
		t.Fatalf("a retried push wrote %d changes", got-changes)
	}
	if got := h.ServerNotes()["n1"]; got != "n1|b|2" {
		t.Fatalf("n1 = %q after a retry, want version 2", got)
	}
	// A batch overlapping what was applied: the old part replays, the new applies.
	m4 := d.Mutation("note.put", NoteArgs{ID: "n3", Text: "d", Buckets: []string{"room:a"}})
	out := d.Push(m3, m4)
	if !out[0].Replayed || out[1].Replayed || out[1].Status != syncengine.StatusApplied {
		t.Fatalf("overlapping batch: %+v", out)
	}
	// A gap is refused and writes nothing.
	d.Mutation("note.put", NoteArgs{ID: "lost", Buckets: []string{"room:a"}}) // seq 5, never sent
	m6 := d.Mutation("note.put", NoteArgs{ID: "n6", Buckets: []string{"room:a"}})
	changes = h.CountChanges()
	_, err := d.TryPush(m6)
	wantCode(t, err, syncengine.EPRECONDITION, "next must be 5")
	if got := h.CountChanges(); got != changes {
		t.Fatal("a refused push wrote changes")
	}
	// Another user cannot push under this client id.
	thief := h.NewDevice("u2")
	thief.ClientID = d.ClientID
	_, err = thief.TryPush(syncengine.Mutation{Seq: 5, Name: "note.put", Args: []byte(`{"id":"x"}`)})
	wantCode(t, err, syncengine.EPERMISSION, "another user")
	// The device sees the last applied seq at its checkpoint.
	d.Sync()
	if d.Replica.LastMutationSeq != 4 {
		t.Fatalf("checkpoint last mutation seq = %d, want 4", d.Replica.LastMutationSeq)
	}
}

func testOutcomes(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{MaxArgsBytes: 1024})
	h.Grant("u1", roomA)
	d := h.NewDevice("u1")
	a := func(id string) NoteArgs { return NoteArgs{ID: id, Text: id, Buckets: []string{"room:a"}} }
	big := a("big")
	big.Text = strings.Repeat("x", 2000)
	ms := []syncengine.Mutation{
		d.Mutation("note.put", a("n1")),
		d.Mutation("note.reject", a("n2")),
		d.Mutation("note.crash", a("n3")),
		d.Mutation("note.panic", a("n4")),
		d.Mutation("note.nonesuch", a("n5")),
		d.Mutation("note.put", big),
		d.Mutation("note.put", NoteArgs{ID: "n7", Buckets: []string{"room:secret"}}),
		d.Mutation("note.put", a("n8")),
	}
	out := d.Push(ms...)
	want := []struct {
		status syncengine.Status
		code   string
		text   string
	}{
		{syncengine.StatusApplied, "", ""},
		{syncengine.StatusRejected, syncengine.EINVALID, "text: is not acceptable"},
		{syncengine.StatusRejected, syncengine.EINTERNAL, "could not apply note.crash"},
		{syncengine.StatusRejected, syncengine.EINTERNAL, "could not apply note.panic"},
		{syncengine.StatusRejected, syncengine.EINVALID, `unknown mutation "note.nonesuch"`},
		{syncengine.StatusRejected, syncengine.EINVALID, "args: "},
		{syncengine.StatusRejected, syncengine.EPERMISSION, "room:secret"},
		{syncengine.StatusApplied, "", ""},
	}
	for i, w := range want {
		o := out[i]
		if o.Status != w.status {
			t.Fatalf("outcome %d: status %s, want %s (%+v)", i, o.Status, w.status, o.Error)
		}
		if w.status == syncengine.StatusRejected {
			if o.Error == nil || o.Error.Code != w.code || !strings.Contains(o.Error.Error(), w.text) {
				t.Fatalf("outcome %d: %+v, want %s mentioning %q", i, o.Error, w.code, w.text)
			}
		}
	}
	if v := out[1].Error.Violations; len(v) != 1 || v[0].Field != "text" {
		t.Fatalf("violations = %+v", v)
	}
	// Rejected mutations left nothing behind; later ones were not blocked.
	notes := h.ServerNotes()
	if len(notes) != 2 || notes["n1"] == "" || notes["n8"] == "" {
		t.Fatalf("server notes = %v, want n1 and n8 only", notes)
	}
	// The stored rejection comes back the same on retry.
	again := d.Push(ms[1])
	if !again[0].Replayed || again[0].Error == nil || again[0].Error.Violations[0].Field != "text" {
		t.Fatalf("replayed rejection = %+v", again[0])
	}
	// Outcomes reach the device through its user bucket too.
	d.Sync()
	user := syncengine.UserBucket("u1")
	recs := d.Replica.Records(user)
	for i := range want {
		id := syncengine.OutcomeRecordID(d.ClientID, int64(i+1))
		p, ok := recs[RecordKey{Collection: syncengine.OutcomeCollection, ID: id}]
		if !ok {
			t.Fatalf("outcome %s not in the user bucket", id)
		}
		if want[i].code != "" && !strings.Contains(string(p), want[i].code) {
			t.Fatalf("outcome record %s = %q, want code %s", id, p, want[i].code)
		}
	}
	if got := d.Notes(roomA); len(got) != 2 {
		t.Fatalf("device notes = %v", got)
	}
}

func testPullPages(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("u1", roomA)
	w := h.NewDevice("u1")
	for batch := 0; batch < 5; batch++ {
		var ms []syncengine.Mutation
		for i := 0; i < 50; i++ {
			ms = append(ms, w.Mutation("note.put", NoteArgs{ID: id(batch*50 + i), Text: strings.Repeat("t", 60), Buckets: []string{"room:a"}}))
		}
		w.Push(ms...)
	}
	d := h.NewDevice("u1")
	d.PageRows = 40
	pages := 0
	for {
		page, err := d.Pull()
		must(t, err)
		pages++
		if len(page.Changes) > 40 {
			t.Fatalf("page of %d rows, limit 40", len(page.Changes))
		}
		if page.HasMore == (page.Checkpoint != nil) {
			t.Fatalf("page %d: has_more=%v with checkpoint=%v", pages, page.HasMore, page.Checkpoint != nil)
		}
		if _, err := d.Replica.Apply(page); err != nil {
			t.Fatal(err)
		}
		if page.Checkpoint != nil {
			if len(d.Notes(roomA)) != 250 {
				t.Fatalf("after the checkpoint the device has %d notes", len(d.Notes(roomA)))
			}
			break
		}
		// Nothing is applied before the checkpoint.
		if n := len(d.Notes(roomA)); n != 0 {
			t.Fatalf("%d notes applied before the checkpoint", n)
		}
	}
	if pages < 7 {
		t.Fatalf("250 notes + outcomes in %d pages of 40", pages)
	}
	// Pages are also bounded by bytes.
	b := h.NewDevice("u1")
	b.PageBytes = 1000
	for {
		page, err := b.Pull()
		must(t, err)
		size := 0
		for _, c := range page.Changes {
			size += len(c.Payload) + len(c.RecordID) + len(c.Collection) + len(c.Bucket) + 16
		}
		if len(page.Changes) > 1 && size > 1000 {
			t.Fatalf("page of %d bytes, limit 1000", size)
		}
		b.Replica.Apply(page)
		if page.Checkpoint != nil {
			break
		}
	}
	if !maps.Equal(b.Notes(roomA), h.ServerNotes()) {
		t.Fatal("byte-bounded pull did not converge")
	}
}

func id(i int) string { return fmt.Sprintf("n%04d", i) }

func testChecksums(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("u1", roomA)
	h.Grant("u1", roomB)
	w := h.NewDevice("u1")
	for i := 0; i < 20; i++ {
		w.Put(id(i), "a", roomA)
		w.Put("b"+id(i), "b", roomB)
	}
	d := h.NewDevice("u1")
	if r := d.Sync(); len(r.Mismatched) != 0 {
		t.Fatalf("fresh sync mismatched %v", r.Mismatched)
	}
	// A damaged row is found at the next checkpoint and only its bucket
	// downloads again.
	d.Replica.Corrupt(roomA, "note", id(3), []byte("garbage"))
	r := d.Sync()
	if len(r.Mismatched) != 1 || r.Mismatched[0] != roomA {
		t.Fatalf("mismatched = %v, want [room:a]", r.Mismatched)
	}
	w.Put("b"+id(99), "new", roomB)
	page, err := d.Pull()
	must(t, err)
	var fromA, fromB int
	for _, c := range page.Changes {
		switch c.Bucket {
		case roomA:
			fromA++
		case roomB:
			fromB++
		}
	}
	if fromA != 20 || fromB != 1 {
		t.Fatalf("repair pull had %d room:a rows (want all 20) and %d room:b rows (want just the new one)", fromA, fromB)
	}
	if bad, err := d.Replica.Apply(page); err != nil || len(bad) != 0 {
		t.Fatalf("repair: %v %v", bad, err)
	}
	if d.Notes(roomA)[id(3)] != "n0003|a|1" {
		t.Fatal("the damaged row was not repaired")
	}
	// The device-side helper agrees with the server's checksum.
	var want syncengine.Checksum
	for k, p := range d.Replica.Records(roomB) {
		want.Add(syncengine.RecordHash(k.Collection, k.ID, p))
	}
	if got := d.Replica.Checksum(roomB); got != want || got.Count != 21 {
		t.Fatalf("checksum %+v, want %+v with 21 rows", got, want)
	}
}

func testAccessChanges(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	for _, b := range []syncengine.Bucket{roomA, roomB, roomC} {
		h.Grant("writer", b)
	}
	w := h.NewDevice("writer")
	for i := 0; i < 5; i++ {
		w.Put("a"+id(i), "x", roomA)
		w.Put("b"+id(i), "x", roomB)
		w.Put("c"+id(i), "x", roomC)
	}
	h.Grant("u1", roomA)
	h.Grant("u1", roomB)
	d := h.NewDevice("u1")
	d.Sync()
	if len(d.Notes(roomB)) != 5 {
		t.Fatal("room:b did not sync")
	}
	h.Revoke("u1", roomB)
	h.Grant("u1", roomC)
	page, err := d.Pull()
	must(t, err)
	if len(page.Dropped) != 1 || page.Dropped[0] != roomB {
		t.Fatalf("dropped = %v, want [room:b]", page.Dropped)
	}
	for _, c := range page.Changes {
		if c.Bucket == roomA {
			t.Fatalf("room:a downloaded again: %+v", c)
		}
	}
	d.Replica.Apply(page)
	for page.Checkpoint == nil {
		page, err = d.Pull()
		must(t, err)
		d.Replica.Apply(page)
	}
	if len(d.Notes(roomB)) != 0 || len(d.Notes(roomC)) != 5 || len(d.Notes(roomA)) != 5 {
		t.Fatalf("after access change: a=%d b=%d c=%d", len(d.Notes(roomA)), len(d.Notes(roomB)), len(d.Notes(roomC)))
	}
	for _, b := range d.Replica.Buckets() {
		if b == roomB {
			t.Fatal("the device still follows room:b")
		}
	}
}

func testCompaction(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("u1", roomA)
	w := h.NewDevice("u1")
	for v := 0; v < 5; v++ {
		w.Put("n1", "v"+strconv.Itoa(v), roomA)
	}
	w.Put("n2", "doomed", roomA)
	old := h.NewDevice("u1")
	old.Sync() // has n2, will miss its tombstone
	w.Push(w.Mutation("note.delete", NoteArgs{ID: "n2"}))
	recent := h.NewDevice("u1")
	recent.Sync()
	before := recent.Replica.Checksum(roomA)

	// The five versions of n1 left one change: each commit deleted the one
	// it superseded, so compaction finds nothing to do before anything
	// expires.
	if n := h.StaleChanges(); n != 0 {
		t.Fatalf("%d superseded changes in the log", n)
	}
	changes := h.CountChanges()
	st, err := h.Engine.Compact(context.Background(), syncengine.CompactOptions{TombstoneRetention: 7 * 24 * time.Hour})
	must(t, err)
	if st != (syncengine.CompactStats{}) || h.CountChanges() != changes {
		t.Fatalf("compaction with nothing expired removed %+v (log %d -> %d)", st, changes, h.CountChanges())
	}
	fresh := h.NewDevice("u1")
	if r := fresh.Sync(); len(r.Mismatched) != 0 {
		t.Fatal("checksums changed with compaction")
	}
	if got := fresh.Replica.Checksum(roomA); got != before {
		t.Fatalf("checksum after compaction %+v, before %+v", got, before)
	}
	if !maps.Equal(fresh.Notes(roomA), h.ServerNotes()) {
		t.Fatalf("fresh device after compaction: %v, server %v", fresh.Notes(roomA), h.ServerNotes())
	}

	// Eight days on, the tombstone expires: a device behind it resets, one
	// past it carries on.
	h.Clock.Advance(8 * 24 * time.Hour)
	w.Put("n3", "later", roomA)
	st, err = h.Engine.Compact(context.Background(), syncengine.CompactOptions{TombstoneRetention: 7 * 24 * time.Hour})
	must(t, err)
	if st.Tombstones != 1 {
		t.Fatalf("expired %d tombstones, want 1", st.Tombstones)
	}
	r := old.Sync()
	if len(r.Reset) != 1 || r.Reset[0] != roomA || len(r.Mismatched) != 0 {
		t.Fatalf("old device: reset %v mismatched %v", r.Reset, r.Mismatched)
	}
	if _, ok := old.Notes(roomA)["n2"]; ok || !maps.Equal(old.Notes(roomA), h.ServerNotes()) {
		t.Fatalf("old device after reset: %v", old.Notes(roomA))
	}
	r = recent.Sync()
	if len(r.Reset) != 0 || len(r.Mismatched) != 0 || !maps.Equal(recent.Notes(roomA), h.ServerNotes()) {
		t.Fatalf("recent device: reset %v mismatched %v", r.Reset, r.Mismatched)
	}
	// Outcomes expire too, leaving the user bucket.
	h.Clock.Advance(40 * 24 * time.Hour)
	st, err = h.Engine.Compact(context.Background(), syncengine.CompactOptions{OutcomeRetention: 30 * 24 * time.Hour})
	must(t, err)
	if st.Outcomes != 8 {
		t.Fatalf("expired %d outcomes, want 8", st.Outcomes)
	}
	w.Sync()
	for k := range w.Replica.Records(syncengine.UserBucket("u1")) {
		if k.Collection == syncengine.OutcomeCollection {
			t.Fatalf("outcome %s still synced", k.ID)
		}
	}
}
