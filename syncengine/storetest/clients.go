package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// clientsOf reads a user's clients by id.
func (h *Harness) clientsOf(t *testing.T, user string) map[string]syncengine.Client {
	t.Helper()
	var cs []syncengine.Client
	must(t, h.Store.View(context.Background(), func(q syncengine.Querier) error {
		var err error
		cs, err = syncengine.UserClients(context.Background(), q, user)
		return err
	}))
	out := map[string]syncengine.Client{}
	for _, c := range cs {
		out[c.ClientID] = c
	}
	return out
}

func (h *Harness) rejections(t *testing.T, user string, limit int) []syncengine.Outcome {
	t.Helper()
	var out []syncengine.Outcome
	must(t, h.Store.View(context.Background(), func(q syncengine.Querier) error {
		var err error
		out, err = syncengine.Rejections(context.Background(), q, user, limit)
		return err
	}))
	return out
}

// testClients: a user's clients show their last pull (at most a minute
// old, at once when the schema changes), last push and schema, and the
// rejected mutations with their reasons; another user's pull under the
// same client id changes nothing of them.
func testClients(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("u1", roomA)
	d := h.NewDevice("u1")
	d.P.DeviceID = "session-1"
	if cs := h.clientsOf(t, "u1"); len(cs) != 0 {
		t.Fatalf("clients before any sync: %v", cs)
	}
	first := h.Clock.Now()
	d.Sync()
	c := h.clientsOf(t, "u1")[d.ClientID]
	if !c.LastPull.Equal(first) || !c.LastPush.IsZero() || c.SchemaVersion != 2 || c.DeviceID != "session-1" {
		t.Fatalf("after a first pull: %+v", c)
	}
	h.Clock.Advance(10 * time.Second)
	d.Sync()
	if c := h.clientsOf(t, "u1")[d.ClientID]; !c.LastPull.Equal(first) {
		t.Fatalf("a pull 10 s later was written (last pull %v, first %v): pulls are recorded at most once a minute", c.LastPull, first)
	}
	h.Clock.Advance(time.Minute)
	d.Sync()
	if c := h.clientsOf(t, "u1")[d.ClientID]; !c.LastPull.Equal(h.Clock.Now()) {
		t.Fatalf("a pull a minute on: last pull %v, want %v", c.LastPull, h.Clock.Now())
	}
	h.Clock.Advance(time.Second)
	d.Schema = 3
	d.Sync()
	if c := h.clientsOf(t, "u1")[d.ClientID]; c.SchemaVersion != 3 || !c.LastPull.Equal(h.Clock.Now()) {
		t.Fatalf("an upgraded app's pull: %+v", c)
	}

	h.Clock.Advance(time.Second)
	pushed := h.Clock.Now()
	d.Push(d.Mutation("note.put", NoteArgs{ID: "n1", Text: "kept", Buckets: []string{string(roomA)}}),
		d.Mutation("note.reject", NoteArgs{ID: "n2", Text: "bad", Buckets: []string{string(roomA)}}))
	h.Clock.Advance(time.Second)
	d.Push(d.Mutation("note.put", NoteArgs{ID: "n3", Buckets: []string{string(roomC)}})) // not granted
	c = h.clientsOf(t, "u1")[d.ClientID]
	if !c.LastPush.Equal(h.Clock.Now()) || c.LastMutationSeq != 3 || c.SchemaVersion != 3 {
		t.Fatalf("after pushes: %+v (pushed from %v)", c, pushed)
	}
	rs := h.rejections(t, "u1", 10)
	if len(rs) != 2 || rs[0].Seq != 3 || rs[1].Seq != 2 {
		t.Fatalf("rejections %+v, want seqs 3 then 2", rs)
	}
	if e := rs[0].Error; e.Code != syncengine.EPERMISSION || rs[0].Name != "note.put" || rs[0].ClientID != d.ClientID {
		t.Fatalf("newest rejection %+v %+v", rs[0], e)
	}
	if e := rs[1].Error; e.Code != syncengine.EINVALID || e.Message != "the note cannot be saved" ||
		len(e.Violations) != 1 || e.Violations[0].Field != "text" || !rs[1].DecidedAt.Equal(pushed) {
		t.Fatalf("older rejection %+v %+v", rs[1], e)
	}
	if rs := h.rejections(t, "u1", 1); len(rs) != 1 || rs[0].Seq != 3 {
		t.Fatalf("limit 1: %+v", rs)
	}

	// A second device that only pulls; another user pulling under its
	// client id leaves it alone.
	e := h.NewDevice("u1")
	e.P.DeviceID = "session-2"
	e.Sync()
	other := h.NewDevice("u2")
	other.ClientID, other.P.DeviceID = e.ClientID, "intruder"
	h.Clock.Advance(2 * time.Minute)
	other.Sync()
	cs := h.clientsOf(t, "u1")
	if len(cs) != 2 || cs[e.ClientID].DeviceID != "session-2" || cs[e.ClientID].LastPull.After(h.Clock.Now().Add(-time.Minute)) {
		t.Fatalf("u1's clients after u2 pulled under one's id: %+v", cs)
	}
	if cs := h.clientsOf(t, "u2"); len(cs) != 0 {
		t.Fatalf("u2 took over a client of u1: %+v", cs)
	}
	if rs := h.rejections(t, "u2", 10); len(rs) != 0 {
		t.Fatalf("u2 sees u1's rejections: %+v", rs)
	}
}
