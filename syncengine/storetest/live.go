package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Subscriber collects the events of one subscription.
type Subscriber struct {
	Events chan syncengine.Event
	Err    chan error
	cancel context.CancelFunc
}

// Subscribe starts a subscription for user and waits for its first
// heartbeat, so it is registered before the caller writes.
func (h *Harness) Subscribe(t testing.TB, user string) *Subscriber {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Subscriber{Events: make(chan syncengine.Event, 1000), Err: make(chan error, 1), cancel: cancel}
	go func() {
		s.Err <- h.Engine.Subscribe(ctx, syncengine.Principal{UserID: user}, 2, nil, func(e syncengine.Event) error {
			s.Events <- e
			return nil
		})
	}()
	t.Cleanup(cancel)
	select {
	case e := <-s.Events:
		if e.Changed != nil {
			t.Fatalf("first event %+v, want a heartbeat", e)
		}
	case err := <-s.Err:
		t.Fatalf("subscribe: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no first heartbeat")
	}
	return s
}

// Next returns the next change event, skipping heartbeats.
func (s *Subscriber) Next(t testing.TB) []syncengine.Bucket {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-s.Events:
			if e.Changed != nil {
				return e.Changed
			}
		case err := <-s.Err:
			t.Fatalf("subscription ended: %v", err)
		case <-deadline:
			t.Fatal("no change event within 10s")
		}
	}
}

// Until waits for a change event naming want. Events may also name other
// buckets of the subscriber (a wake-up after a reconnect names them all),
// but never one it may not read.
func (s *Subscriber) Until(t testing.TB, want syncengine.Bucket) {
	t.Helper()
	for {
		got := s.Next(t)
		if slices.Contains(got, roomB) {
			t.Fatalf("changed = %v names a bucket the subscriber may not read", got)
		}
		if slices.Contains(got, want) {
			return
		}
	}
}

func testLive(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{Heartbeat: 20 * time.Millisecond})
	h.Grant("u1", roomA)
	h.Grant("w", roomA)
	h.Grant("w", roomB)
	h.Grant("w", roomC)
	sub := h.Subscribe(t, "u1")
	w := h.NewDevice("w")

	// A bucket the subscriber cannot read never shows up; one it can, does.
	w.Put("x", "secret", roomB)
	w.Put("y", "hello", roomA)
	sub.Until(t, roomA)
	// Heartbeats keep coming while nothing changes.
	beats := 0
	for beats < 2 {
		select {
		case e := <-sub.Events:
			if e.Changed == nil {
				beats++
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no heartbeats")
		}
	}
	// Gaining a bucket mid-subscription: the user bucket changes, and from
	// then on the new bucket is followed.
	h.Grant("u1", roomC)
	sub.Until(t, syncengine.UserBucket("u1"))
	w.Put("z", "new room", roomC)
	sub.Until(t, roomC)

	// A subscriber that stops reading never holds up writers.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stuck := make(chan struct{})
	go h.Engine.Subscribe(ctx, syncengine.Principal{UserID: "u1"}, 2, nil, func(e syncengine.Event) error {
		<-stuck
		return nil
	})
	for i := 0; i < 100; i++ {
		w.Put("flood", "v", roomA)
	}
	close(stuck)
	// A server shutting down ends subscriptions cleanly.
	stop := make(chan struct{})
	ended := make(chan error, 1)
	go func() {
		ended <- h.Engine.Subscribe(context.Background(), syncengine.Principal{UserID: "u1"}, 2, stop, func(syncengine.Event) error { return nil })
	}()
	close(stop)
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("subscription ended with %v on shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("subscription did not end on shutdown")
	}
}

func testVersions(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{MinClientSchema: 2})
	d := h.NewDevice("u1")
	d.Schema = 1
	_, err := d.TryPush(d.Mutation("note.put", NoteArgs{ID: "n1"}))
	wantCode(t, err, syncengine.EPRECONDITION, "update")
	_, err = d.Pull()
	wantCode(t, err, syncengine.EPRECONDITION, "update")
	err = h.Engine.Subscribe(context.Background(), d.P, 1, nil, func(syncengine.Event) error { return nil })
	wantCode(t, err, syncengine.EPRECONDITION, "update")
	d.Schema = 2
	d.next = 1
	if o := d.Push(d.Mutation("note.put", NoteArgs{ID: "n1"})); o[0].Status != syncengine.StatusApplied {
		t.Fatalf("current schema: %+v", o[0])
	}
}

func testBadPull(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{MaxCursors: 10})
	h.Grant("u1", roomA)
	d := h.NewDevice("u1")
	d.Put("n1", "x", roomA)
	d.Sync()
	pull := func(cursors ...syncengine.Cursor) (*syncengine.PullResult, error) {
		return h.Engine.Pull(context.Background(), d.P, syncengine.PullRequest{ClientID: d.ClientID, SchemaVersion: 2, Cursors: cursors})
	}
	_, err := pull(syncengine.Cursor{Bucket: "no-colon"})
	wantCode(t, err, syncengine.EINVALID, "kind:id")
	_, err = pull(syncengine.Cursor{Bucket: roomA, After: -1})
	wantCode(t, err, syncengine.EINVALID, "negative")
	_, err = pull(syncengine.Cursor{Bucket: roomA, After: 1 << 40})
	wantCode(t, err, syncengine.EINVALID, "ahead of the server")
	_, err = pull(syncengine.Cursor{Bucket: roomA}, syncengine.Cursor{Bucket: roomA})
	wantCode(t, err, syncengine.EINVALID, "twice")
	many := make([]syncengine.Cursor, 11)
	for i := range many {
		many[i] = syncengine.Cursor{Bucket: syncengine.Bucket("room:" + id(i))}
	}
	_, err = pull(many...)
	wantCode(t, err, syncengine.EINVALID, "at most 10")
	// A bucket the user may not read is dropped, never served.
	res, err := pull(syncengine.Cursor{Bucket: "room:secret"}, syncengine.Cursor{Bucket: roomA})
	must(t, err)
	if !slices.Equal(res.Dropped, []syncengine.Bucket{"room:secret"}) {
		t.Fatalf("dropped = %v", res.Dropped)
	}
	for _, c := range res.Changes {
		if c.Bucket == "room:secret" {
			t.Fatal("served a bucket the user may not read")
		}
	}
	// Someone else's client id gets no checkpoint of it.
	other := h.NewDevice("u2")
	other.ClientID = d.ClientID
	_, err = other.Pull()
	wantCode(t, err, syncengine.EPERMISSION, "another user")
}

func testBadPush(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{MaxBatch: 5})
	d := h.NewDevice("u1")
	before := h.CountChanges()
	var ms []syncengine.Mutation
	for i := 0; i < 6; i++ {
		ms = append(ms, d.Mutation("note.put", NoteArgs{ID: id(i)}))
	}
	_, err := d.TryPush(ms...)
	wantCode(t, err, syncengine.EINVALID, "at most 5")
	_, err = d.TryPush()
	wantCode(t, err, syncengine.EINVALID, "at least one")
	_, err = d.TryPush(ms[0], ms[2])
	wantCode(t, err, syncengine.EINVALID, "consecutive")
	_, err = d.TryPush(syncengine.Mutation{Seq: 0, Name: "note.put"})
	wantCode(t, err, syncengine.EINVALID, "positive")
	_, err = h.Engine.Push(context.Background(), d.P, syncengine.PushRequest{SchemaVersion: 2, Mutations: ms[:1]})
	wantCode(t, err, syncengine.EINVALID, "client_id")
	_, err = h.Engine.Push(context.Background(), syncengine.Principal{}, syncengine.PushRequest{ClientID: "c", SchemaVersion: 2, Mutations: ms[:1]})
	wantCode(t, err, syncengine.EUNAUTHENTICATED, "authenticated")
	if got := h.CountChanges(); got != before {
		t.Fatal("refused pushes wrote changes")
	}
	// Malformed arguments are a rejection with a reason, not an error.
	out := d.Push(ms[0], syncengine.Mutation{Seq: 2, Name: "note.put", Args: []byte("{not json")})
	if out[1].Status != syncengine.StatusRejected || out[1].Error.Code != syncengine.EINVALID || out[1].Error.Violations[0].Field != "args" {
		t.Fatalf("malformed args: %+v", out[1])
	}
}
