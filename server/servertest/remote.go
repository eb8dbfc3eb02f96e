package servertest

import (
	"context"
	"time"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// pushRemote sends a push over SyncService and decodes the outcomes as a
// device does.
func pushRemote(ctx context.Context, svc syncv1connect.SyncServiceClient, req syncengine.PushRequest) ([]syncengine.Outcome, error) {
	in := &syncv1.PushRequest{ClientId: req.ClientID, ClientSchemaVersion: req.SchemaVersion}
	for _, m := range req.Mutations {
		pm := &syncv1.Mutation{Seq: m.Seq, Name: m.Name, Args: m.Args}
		if !m.CreatedAt.IsZero() {
			pm.CreatedAtUnixMs = m.CreatedAt.UnixMilli()
		}
		in.Mutations = append(in.Mutations, pm)
	}
	res, err := svc.Push(ctx, connect.NewRequest(in))
	if err != nil {
		return nil, err
	}
	var out []syncengine.Outcome
	for _, o := range res.Msg.GetOutcomes() {
		out = append(out, syncengine.Outcome{
			ClientID: o.GetClientId(), Seq: o.GetSeq(), Name: o.GetMutationName(), Status: syncengine.Status(o.GetStatus()),
			Result: o.GetResult(), Error: rpc.FromDetail(o.GetRejection()), Replayed: o.GetReplayed(), DecidedAt: time.UnixMilli(o.GetDecidedAtUnixMs()),
		})
	}
	return out, nil
}

// pullRemote fetches a pull page over SyncService and decodes it as a
// device does.
func pullRemote(ctx context.Context, svc syncv1connect.SyncServiceClient, req syncengine.PullRequest) (*syncengine.PullResult, error) {
	in := &syncv1.PullRequest{ClientId: req.ClientID, ClientSchemaVersion: req.SchemaVersion}
	for _, c := range req.Cursors {
		in.Cursors = append(in.Cursors, &syncv1.BucketCursor{Bucket: string(c.Bucket), After: c.After, FromZero: c.FromZero})
	}
	res, err := svc.Pull(ctx, connect.NewRequest(in))
	if err != nil {
		return nil, err
	}
	m := res.Msg
	r := &syncengine.PullResult{}
	r.HasMore = m.GetHasMore()
	for _, c := range m.GetChanges() {
		r.Changes = append(r.Changes, syncengine.Change{Seq: c.GetSeq(), Bucket: syncengine.Bucket(c.GetBucket()), Collection: c.GetCollection(),
			RecordID: c.GetRecordId(), Op: syncengine.Op(c.GetOp()), Payload: c.GetPayload()})
	}
	for _, c := range m.GetCursors() {
		r.Cursors = append(r.Cursors, syncengine.Cursor{Bucket: syncengine.Bucket(c.GetBucket()), After: c.GetAfter(), FromZero: c.GetFromZero()})
	}
	for _, b := range m.GetDroppedBuckets() {
		r.Dropped = append(r.Dropped, syncengine.Bucket(b))
	}
	for _, b := range m.GetResetBuckets() {
		r.Reset = append(r.Reset, syncengine.Bucket(b))
	}
	if cp := m.GetCheckpoint(); cp != nil {
		r.Checkpoint = &syncengine.Checkpoint{Seq: cp.GetSeq(), LastMutationSeq: cp.GetLastMutationSeq()}
		for _, b := range cp.GetBuckets() {
			r.Checkpoint.Buckets = append(r.Checkpoint.Buckets, syncengine.BucketChecksum{Bucket: syncengine.Bucket(b.GetBucket()),
				Checksum: syncengine.Checksum{Sum: b.GetChecksum(), Count: b.GetCount()}})
		}
	}
	return r, nil
}
