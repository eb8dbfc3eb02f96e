package servertest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// DeviceConfig says how a Device reaches the server and what it sends.
type DeviceConfig struct {
	// Engine is a sync engine in this process that the device calls as
	// Principal. SyncService, used instead when set, is a client of the
	// server's SyncService over Connect, which knows the device by the
	// token the client sends.
	Engine      *syncengine.Engine
	Principal   syncengine.Principal
	SyncService syncv1connect.SyncServiceClient
	// Schema is the client schema version sent with pushes and pulls.
	Schema int32
	// Clock stamps the device's mutations (CreatedAt); nil leaves them
	// unstamped.
	Clock func() time.Time
}

// Device is one installation of the app as a module test needs it: a
// client id, an outbox numbering its mutations 1, 2, 3..., and a replica
// that follows the protocol (storetest.Replica) holding what it synced.
type Device struct {
	t   testing.TB
	cfg DeviceConfig
	// P is who the device is to an engine in process; a test may change it,
	// as when the account behind the device changes role.
	P        syncengine.Principal
	ClientID string
	Replica  *storetest.Replica
	// Skew is how wrong the device's clock is.
	Skew time.Duration
	next int64
}

// NewDevice returns a device with an empty replica.
func NewDevice(t testing.TB, cfg DeviceConfig) *Device {
	t.Helper()
	if (cfg.Engine == nil) == (cfg.SyncService == nil) {
		t.Fatal("servertest: a device needs an engine or a SyncService client, not both")
	}
	return &Device{t: t, cfg: cfg, P: cfg.Principal, ClientID: uuid.NewString(), Replica: storetest.NewReplica(), next: 1}
}

// Mutation builds the device's next mutation without sending it, as the
// app writes its outbox offline.
func (d *Device) Mutation(name string, args proto.Message) syncengine.Mutation {
	d.t.Helper()
	b, err := proto.Marshal(args)
	if err != nil {
		d.t.Fatalf("%s: %v", name, err)
	}
	return d.Raw(name, b)
}

// Raw builds the device's next mutation with arguments as given, as a
// damaged or hostile client would send them.
func (d *Device) Raw(name string, args []byte) syncengine.Mutation {
	m := syncengine.Mutation{Seq: d.next, Name: name, Args: args}
	if d.cfg.Clock != nil {
		m.CreatedAt = d.cfg.Clock().Add(d.Skew)
	}
	d.next++
	return m
}

// TryPush sends mutations and returns their outcomes or the push's error.
func (d *Device) TryPush(ms ...syncengine.Mutation) ([]syncengine.Outcome, error) {
	return d.TryPushContext(context.Background(), ms...)
}

// TryPushContext is TryPush under ctx.
func (d *Device) TryPushContext(ctx context.Context, ms ...syncengine.Mutation) ([]syncengine.Outcome, error) {
	req := syncengine.PushRequest{ClientID: d.ClientID, SchemaVersion: d.cfg.Schema, Mutations: ms}
	if d.cfg.SyncService != nil {
		return pushRemote(ctx, d.cfg.SyncService, req)
	}
	return d.cfg.Engine.Push(ctx, d.P, req)
}

// PushRoundTrips pushes mutations that must all be applied and returns the
// round trips to PostgreSQL trips counted meanwhile (the store must have
// been opened with trips as its tracer: TracedStore).
func (d *Device) PushRoundTrips(trips *testenv.RoundTrips, ms ...syncengine.Mutation) int64 {
	d.t.Helper()
	before := trips.Count()
	out, err := d.TryPushContext(trips.Context(context.Background()), ms...)
	if err != nil {
		d.t.Fatalf("push: %v", err)
	}
	for _, o := range out {
		if o.Status != syncengine.StatusApplied {
			d.t.Fatalf("mutation %d %s: %s %v", o.Seq, o.Name, o.Status, o.Error)
		}
	}
	return trips.Count() - before
}

// CheckRoundTrips pushes one mutation and then twenty made by next (after
// two that prepare the statements) and checks each push cost
// EngineRoundTrips plus per round trips for every mutation in it.
func (d *Device) CheckRoundTrips(trips *testenv.RoundTrips, per int64, next func() syncengine.Mutation) {
	d.t.Helper()
	push := func(n int) int64 {
		ms := make([]syncengine.Mutation, n)
		for i := range ms {
			ms[i] = next()
		}
		return d.PushRoundTrips(trips, ms...)
	}
	push(2)
	for _, n := range []int{1, 20} {
		if got, want := push(n), EngineRoundTrips+per*int64(n); got != want {
			d.t.Errorf("%d %s in a push: %d round trips, want %d (%d each)", n, next().Name, got, want, per)
		}
	}
}

// EngineRoundTrips is what a push costs on PostgreSQL besides its
// mutations' own statements, however many it carries: the client row's
// upsert (BEGIN travels with it), the records' locks and state (with
// every write still queued), the change log's append with COMMIT.
const EngineRoundTrips = 3

// Push sends mutations and returns their outcomes; a failed push fails the
// test.
func (d *Device) Push(ms ...syncengine.Mutation) []syncengine.Outcome {
	d.t.Helper()
	out, err := d.TryPush(ms...)
	if err != nil {
		d.t.Fatalf("push: %v", err)
	}
	return out
}

// Do sends one mutation and returns its outcome.
func (d *Device) Do(name string, args proto.Message) syncengine.Outcome {
	d.t.Helper()
	return d.Push(d.Mutation(name, args))[0]
}

// MustApply sends one mutation and fails the test unless it is applied.
func (d *Device) MustApply(name string, args proto.Message) syncengine.Outcome {
	d.t.Helper()
	o := d.Do(name, args)
	if o.Status != syncengine.StatusApplied {
		d.t.Fatalf("%s rejected: %v", name, o.Error)
	}
	return o
}

// Synced is what one Sync downloaded.
type Synced struct {
	Pages   int
	Changes []syncengine.Change
	// Dropped and Reset are the buckets the server told the device to
	// forget, or to download again from zero.
	Dropped, Reset []syncengine.Bucket
}

// Sync pulls page by page until the replica has applied a checkpoint. A
// failed pull, a page the replica refuses and a checksum that disagrees
// fail the test.
func (d *Device) Sync() Synced {
	d.t.Helper()
	var s Synced
	for {
		req := syncengine.PullRequest{ClientID: d.ClientID, SchemaVersion: d.cfg.Schema, Cursors: d.Replica.Cursors()}
		var page *syncengine.PullResult
		var err error
		if d.cfg.SyncService != nil {
			page, err = pullRemote(context.Background(), d.cfg.SyncService, req)
		} else {
			page, err = d.cfg.Engine.Pull(context.Background(), d.P, req)
		}
		if err != nil {
			d.t.Fatalf("pull: %v", err)
		}
		s.Pages++
		s.Changes = append(s.Changes, page.Changes...)
		s.Dropped = append(s.Dropped, page.Dropped...)
		s.Reset = append(s.Reset, page.Reset...)
		bad, err := d.Replica.Apply(page)
		if err != nil {
			d.t.Fatalf("apply: %v", err)
		}
		if len(bad) > 0 {
			d.t.Fatalf("checksums disagree for %v", bad)
		}
		if page.Checkpoint != nil {
			return s
		}
	}
}
