package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Device is a client of the harness's engine with an in-memory replica and
// an outbox of its own mutation seqs.
type Device struct {
	h        *Harness
	P        syncengine.Principal
	ClientID string
	Replica  *Replica
	Schema   int32
	next     int64
	// PageRows and PageBytes bound each pull page (0: server defaults).
	PageRows, PageBytes int
}

// NewDevice returns a device of user with an empty replica.
func (h *Harness) NewDevice(user string) *Device {
	return &Device{h: h, P: syncengine.Principal{UserID: user}, ClientID: uuid.NewString(), Replica: NewReplica(), Schema: 2, next: 1}
}

// Mutation builds the device's next mutation without sending it.
func (d *Device) Mutation(name string, args NoteArgs) syncengine.Mutation {
	b, err := json.Marshal(args)
	if err != nil {
		panic(err)
	}
	m := syncengine.Mutation{Seq: d.next, Name: name, Args: b, CreatedAt: d.h.Clock.Now()}
	d.next++
	return m
}

// Push sends mutations and fails the test on a push error.
func (d *Device) Push(ms ...syncengine.Mutation) []syncengine.Outcome {
	d.h.T.Helper()
	out, err := d.TryPush(ms...)
	if err != nil {
		d.h.T.Fatalf("push: %v", err)
	}
	return out
}

// TryPush sends mutations and returns the error.
func (d *Device) TryPush(ms ...syncengine.Mutation) ([]syncengine.Outcome, error) {
	return d.TryPushContext(context.Background(), ms...)
}

// TryPushContext is TryPush under ctx.
func (d *Device) TryPushContext(ctx context.Context, ms ...syncengine.Mutation) ([]syncengine.Outcome, error) {
	return d.h.Engine.Push(ctx, d.P, syncengine.PushRequest{ClientID: d.ClientID, SchemaVersion: d.Schema, Mutations: ms})
}

// Put pushes one note.put.
func (d *Device) Put(id, text string, buckets ...syncengine.Bucket) syncengine.Outcome {
	d.h.T.Helper()
	args := NoteArgs{ID: id, Text: text}
	for _, b := range buckets {
		args.Buckets = append(args.Buckets, string(b))
	}
	return d.Push(d.Mutation("note.put", args))[0]
}

// SyncResult reports one Sync.
type SyncResult struct {
	Pages      int
	Mismatched []syncengine.Bucket
	Dropped    []syncengine.Bucket
	Reset      []syncengine.Bucket
	Rows       int
}

// Sync pulls until a checkpoint is applied.
func (d *Device) Sync() SyncResult {
	d.h.T.Helper()
	res, err := d.TrySync()
	if err != nil {
		d.h.T.Fatalf("sync: %v", err)
	}
	return res
}

// TrySync pulls until a checkpoint is applied and returns the error.
func (d *Device) TrySync() (SyncResult, error) {
	var r SyncResult
	for {
		page, err := d.Pull()
		if err != nil {
			return r, err
		}
		r.Pages++
		r.Rows += len(page.Changes)
		r.Dropped = append(r.Dropped, page.Dropped...)
		r.Reset = append(r.Reset, page.Reset...)
		bad, err := d.Replica.Apply(page)
		if err != nil {
			return r, err
		}
		r.Mismatched = append(r.Mismatched, bad...)
		if page.Checkpoint != nil {
			return r, nil
		}
	}
}

// Pull fetches one page without applying it.
func (d *Device) Pull() (*syncengine.PullResult, error) {
	return d.h.Engine.Pull(context.Background(), d.P, syncengine.PullRequest{
		ClientID: d.ClientID, SchemaVersion: d.Schema, Cursors: d.Replica.Cursors(),
		MaxRows: d.PageRows, MaxBytes: d.PageBytes,
	})
}

// Notes returns the device's notes in a bucket as payloads by id.
func (d *Device) Notes(b syncengine.Bucket) map[string]string {
	out := map[string]string{}
	for k, v := range d.Replica.Records(b) {
		if k.Collection == "note" {
			out[k.ID] = string(v)
		}
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
