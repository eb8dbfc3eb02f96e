package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

var room = syncengine.Bucket("room:replica")

// replicated is a harness whose store reads pulls from a hot standby of
// the test database, with a second store on the primary alone.
type replicated struct {
	*storetest.Harness
	standby *testenv.Standby
	store   *postgres.Store
	primary *postgres.Store
}

func newReplicated(t *testing.T, wait time.Duration) *replicated {
	url := testenv.PostgresURL(t, template)
	standby := testenv.NewStandby(t, url)
	ctx := context.Background()
	clock := storetest.NewClock()
	s, err := postgres.Open(ctx, url, postgres.Options{Now: clock.Now, MaxConns: 16, ReadURL: standby.URL, ReplicaWait: wait})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	p, err := postgres.Open(ctx, url, postgres.Options{Now: clock.Now, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return &replicated{Harness: storetest.NewHarness(t, s, clock, syncengine.Config{}), standby: standby, store: s, primary: p}
}

// onPrimary returns a device of the same user as d whose pulls read the
// primary (an engine over the primary-only store), sharing d's replica.
func (r *replicated) onPrimary(t *testing.T, d *storetest.Device) *storetest.Device {
	h := storetest.NewHarness(t, r.primary, r.Clock, syncengine.Config{})
	p := h.NewDevice(d.P.UserID)
	p.ClientID, p.Replica = d.ClientID, d.Replica
	return p
}

// delivered counts every change a device was sent, by bucket and seq.
type delivered map[string]int

func (dl delivered) pull(t *testing.T, d *storetest.Device) *syncengine.PullResult {
	t.Helper()
	page, err := d.Pull()
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	for _, c := range page.Changes {
		dl[fmt.Sprintf("%s/%d", c.Bucket, c.Seq)]++
	}
	bad, err := d.Replica.Apply(page)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("checkpoint checksums disagree with the changes sent for %v", bad)
	}
	return page
}

func (dl delivered) sync(t *testing.T, d *storetest.Device) {
	t.Helper()
	for page := dl.pull(t, d); page.Checkpoint == nil; page = dl.pull(t, d) {
	}
}

func (dl delivered) once(t *testing.T) {
	t.Helper()
	for k, n := range dl {
		if n != 1 {
			t.Errorf("change %s delivered %d times", k, n)
		}
	}
}

func notesOf(d *storetest.Device, buckets ...syncengine.Bucket) map[string]string {
	out := map[string]string{}
	for _, b := range buckets {
		for id, v := range d.Notes(b) {
			out[id] = v
		}
	}
	return out
}

// The pull flow of the conformance suite, with every pull read on the
// standby: pages, a shared bucket, updates and deletes, two devices, and
// checkpoints that verify.
func TestReplicaPullFlow(t *testing.T) {
	r := newReplicated(t, 0)
	r.Grant("u1", room)
	r.Grant("u2", room)
	a, b := r.NewDevice("u1"), r.NewDevice("u2")
	a.PageRows, b.PageRows = 7, 5
	da, db := delivered{}, delivered{}
	for i := range 30 {
		a.Put(fmt.Sprintf("n%d", i), "text", room)
		if i%3 == 0 {
			a.Put(fmt.Sprintf("own%d", i), "mine")
		}
	}
	r.standby.CatchUp(t)
	da.sync(t, a)
	db.sync(t, b)
	for i := range 10 {
		b.Put(fmt.Sprintf("n%d", i), "changed", room)
		b.Push(b.Mutation("note.delete", storetest.NoteArgs{ID: fmt.Sprintf("n%d", 20+i), Buckets: []string{string(room)}}))
	}
	r.standby.CatchUp(t)
	da.sync(t, a)
	db.sync(t, b)
	want := r.ServerNotes()
	for name, d := range map[string]*storetest.Device{"u1": a, "u2": b} {
		got := notesOf(d, room, syncengine.UserBucket(d.P.UserID))
		for id, v := range got {
			if want[id] != v {
				t.Errorf("%s holds %s = %q, the server %q", name, id, v, want[id])
			}
		}
		if n := len(d.Notes(room)); n != 20 {
			t.Errorf("%s holds %d notes of the room, want 20", name, n)
		}
	}
	if a.Replica.LastMutationSeq != 40 || b.Replica.LastMutationSeq != 20 {
		t.Errorf("last mutation seqs %d and %d, want 40 and 20", a.Replica.LastMutationSeq, b.Replica.LastMutationSeq)
	}
	da.once(t)
	db.once(t)
	reads, fallbacks := r.store.ReplicaStats()
	if reads == 0 || fallbacks != 0 {
		t.Errorf("%d pulls on the replica and %d on the primary, want all on the replica", reads, fallbacks)
	}

	// A live subscriber hears of a commit only once the standby has it, so
	// the pull it makes then has the change.
	sub := r.Subscribe(t, "u1")
	b.Put("live", "now", room)
	sub.Until(t, room)
	da.sync(t, a)
	if got := a.Notes(room)["live"]; got == "" {
		t.Error("a pull after the notification misses the change it announced")
	}
	da.once(t)
}

// idle is a harness over store whose engine never runs: nothing watches
// for commits, so what a test sees of the replica comes from its pulls
// alone.
func (r *replicated) idle(t *testing.T) *storetest.Harness {
	cfg := syncengine.Config{
		Store:               r.store,
		Registry:            storetest.Registry(),
		EncodeOutcome:       storetest.EncodeOutcome,
		Now:                 r.Clock.Now,
		MinClientSchema:     1,
		CurrentClientSchema: 3,
		Resolver:            syncengine.ResolverFunc(storetest.Resolve),
	}
	return &storetest.Harness{T: t, Store: r.store, Engine: syncengine.New(cfg), Clock: r.Clock}
}

// With the standby's replay paused, a push on the primary is invisible to
// pulls read on the standby: they neither settle the mutation nor report a
// checkpoint past what they sent. A device that has seen more than the
// standby (it pulled from the primary) is answered by the primary. Once
// replay resumes every device converges, every change sent exactly once.
func TestReplicaPausedReplay(t *testing.T) {
	r := newReplicated(t, 50*time.Millisecond)
	r.Grant("u1", room)
	h := r.idle(t)
	d := h.NewDevice("u1")
	dl := delivered{}
	d.Put("a", "first", room)
	r.standby.CatchUp(t)
	dl.sync(t, d)
	before := d.Replica.Cursors()
	if d.Replica.LastMutationSeq != 1 {
		t.Fatalf("last mutation seq %d, want 1", d.Replica.LastMutationSeq)
	}

	r.standby.PauseReplay(t)
	if out := d.Put("b", "second", room); out.Status != syncengine.StatusApplied {
		t.Fatalf("push: %+v", out)
	}
	page := dl.pull(t, d)
	if page.Checkpoint == nil {
		t.Fatal("no checkpoint from the paused standby")
	}
	if page.Checkpoint.LastMutationSeq != 1 {
		t.Errorf("the standby's checkpoint settles mutation %d, which it has not replayed", page.Checkpoint.LastMutationSeq)
	}
	if len(page.Changes) != 0 {
		t.Errorf("the paused standby sent %d changes", len(page.Changes))
	}
	var top int64
	for i, c := range page.Cursors {
		if c != before[i] {
			t.Errorf("cursor %+v moved to %+v past what the page sent", before[i], c)
		}
		top = max(top, c.After)
	}
	if page.Checkpoint.Seq > top {
		t.Errorf("checkpoint at %d, past the cursors it sent (up to %d)", page.Checkpoint.Seq, top)
	}
	if _, ok := d.Notes(room)["b"]; ok {
		t.Error("the device holds a note the standby has not replayed")
	}
	reads, fallbacks := r.store.ReplicaStats()
	if reads == 0 || fallbacks != 0 {
		t.Fatalf("%d pulls on the replica and %d on the primary", reads, fallbacks)
	}

	// A second device of the user pulls from the primary and is then
	// ahead of the standby: the standby must not answer it, even after
	// waiting for it.
	other := h.NewDevice("u1")
	odl := delivered{}
	odl.sync(t, r.onPrimary(t, other))
	if _, ok := other.Notes(room)["b"]; !ok {
		t.Fatal("the primary's pull misses the note")
	}
	odl.sync(t, other)
	if _, after := r.store.ReplicaStats(); after == fallbacks {
		t.Error("a device ahead of the standby was answered by it")
	}
	if _, ok := other.Notes(room)["b"]; !ok {
		t.Error("a pull of a device ahead of the standby lost the note")
	}

	r.standby.ResumeReplay(t)
	r.standby.CatchUp(t)
	r.store.EndReplicaRest()
	reads, _ = r.store.ReplicaStats()
	dl.sync(t, d)
	odl.sync(t, other)
	if after, _ := r.store.ReplicaStats(); after < reads+2 {
		t.Errorf("%d pulls on the replica after replay resumed, want 2", after-reads)
	}
	for name, dev := range map[string]*storetest.Device{"first": d, "second": other} {
		if got := dev.Notes(room); got["a"] == "" || got["b"] == "" {
			t.Errorf("the %s device holds %v after replay resumed", name, got)
		}
	}
	if d.Replica.LastMutationSeq != 2 {
		t.Errorf("last mutation seq %d after replay resumed, want 2", d.Replica.LastMutationSeq)
	}
	dl.once(t)
	odl.once(t)
}

// A standby that is down costs pulls nothing but a failed connection:
// they are answered by the primary, and live subscribers still hear of
// commits.
func TestReplicaDown(t *testing.T) {
	r := newReplicated(t, 0)
	r.Grant("u1", room)
	d := r.NewDevice("u1")
	dl := delivered{}
	d.Put("a", "first", room)
	r.standby.CatchUp(t)
	dl.sync(t, d)
	sub := r.Subscribe(t, "u1")

	r.standby.Stop(t)
	d.Put("b", "second", room)
	sub.Until(t, room)
	dl.sync(t, d)
	if got := d.Notes(room); got["a"] == "" || got["b"] == "" {
		t.Errorf("the device holds %v with the standby down", got)
	}
	if d.Replica.LastMutationSeq != 2 {
		t.Errorf("last mutation seq %d, want 2", d.Replica.LastMutationSeq)
	}
	if _, fallbacks := r.store.ReplicaStats(); fallbacks == 0 {
		t.Error("no pull went to the primary")
	}
	dl.once(t)
}
