// Package syncrpc implements ordinator.sync.v1.SyncService over the sync
// engine: it decodes requests, calls the engine with the caller's principal
// and encodes the answers.
package syncrpc

import (
	"context"
	"slices"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"google.golang.org/protobuf/proto"
)

// Service implements syncv1connect.SyncServiceHandler.
type Service struct {
	engine   *syncengine.Engine
	stopping <-chan struct{}
	now      func() time.Time
	country  string
}

var _ syncv1connect.SyncServiceHandler = (*Service)(nil)

// New returns the service. Subscriptions end cleanly when stopping closes.
func New(engine *syncengine.Engine, stopping <-chan struct{}) *Service {
	return &Service{engine: engine, stopping: stopping, now: time.Now}
}

// Push implements syncv1connect.SyncServiceHandler.
func (s *Service) Push(ctx context.Context, req *connect.Request[syncv1.PushRequest]) (*connect.Response[syncv1.PushResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	in := req.Msg
	if err := s.checkCountry(in.GetReplicaCountry()); err != nil {
		return nil, err
	}
	ms := make([]syncengine.Mutation, len(in.GetMutations()))
	for i, m := range in.GetMutations() {
		ms[i] = syncengine.Mutation{Seq: m.GetSeq(), Name: m.GetName(), Args: m.GetArgs(), CreatedAt: time.UnixMilli(m.GetCreatedAtUnixMs())}
	}
	outs, err := s.push(ctx, p, syncengine.PushRequest{ClientID: in.GetClientId(), SchemaVersion: in.GetClientSchemaVersion(), Mutations: ms})
	if err != nil {
		return nil, err
	}
	res := &syncv1.PushResponse{Outcomes: make([]*syncv1.Outcome, len(outs))}
	for i, o := range outs {
		res.Outcomes[i] = OutcomeProto(o)
	}
	return connect.NewResponse(res), nil
}

// OutcomeProto encodes an outcome.
func OutcomeProto(o syncengine.Outcome) *syncv1.Outcome {
	out := &syncv1.Outcome{
		ClientId:        o.ClientID,
		Seq:             o.Seq,
		MutationName:    o.Name,
		Status:          syncv1.OutcomeStatus(o.Status),
		Result:          o.Result,
		Replayed:        o.Replayed,
		DecidedAtUnixMs: o.DecidedAt.UnixMilli(),
	}
	if o.Error != nil {
		out.Rejection = rpc.Detail(o.Error)
	}
	return out
}

// EncodeOutcome is the engine's outcome encoder: outcomes sync to the user
// bucket as syncv1.Outcome messages.
func EncodeOutcome(o syncengine.Outcome) []byte {
	o.Replayed = false
	b, err := proto.Marshal(OutcomeProto(o))
	if err != nil {
		panic(err) // a plain message always marshals
	}
	return b
}

// Pull implements syncv1connect.SyncServiceHandler.
func (s *Service) Pull(ctx context.Context, req *connect.Request[syncv1.PullRequest]) (*connect.Response[syncv1.PullResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	in := req.Msg
	if err := s.checkCountry(in.GetReplicaCountry()); err != nil {
		return nil, err
	}
	pr := syncengine.PullRequest{
		ClientID:      in.GetClientId(),
		SchemaVersion: in.GetClientSchemaVersion(),
		MaxRows:       int(in.GetMaxRows()),
		MaxBytes:      int(min(in.GetMaxBytes(), 1<<30)),
		Estimate:      in.GetEstimateRemaining(),
	}
	for _, c := range in.GetCursors() {
		pr.Cursors = append(pr.Cursors, syncengine.Cursor{Bucket: syncengine.Bucket(c.GetBucket()), After: c.GetAfter(), FromZero: c.GetFromZero()})
	}
	r, err := s.engine.Pull(ctx, p, pr)
	if err != nil {
		return nil, err
	}
	res := PullProto(r, s.now())
	res.ServerCountry = s.country
	return connect.NewResponse(res), nil
}

// PullProto encodes a pull page.
func PullProto(r *syncengine.PullResult, now time.Time) *syncv1.PullResponse {
	res := &syncv1.PullResponse{
		Changes:   make([]*syncv1.Change, len(r.Changes)),
		Cursors:   make([]*syncv1.BucketCursor, len(r.Cursors)),
		HasMore:   r.HasMore,
		Remaining: r.Remaining,
	}
	// One allocation for the page's messages, not one per change; each
	// message is filled in place and only ever used through its pointer.
	slab := make([]syncv1.Change, len(r.Changes))
	for i, c := range r.Changes {
		m := &slab[i]
		m.Seq, m.Bucket, m.Collection, m.RecordId, m.Op, m.Payload = c.Seq, string(c.Bucket), c.Collection, c.RecordID, syncv1.Op(c.Op), c.Payload
		res.Changes[i] = m
	}
	for i, c := range r.Cursors {
		res.Cursors[i] = &syncv1.BucketCursor{Bucket: string(c.Bucket), After: c.After, FromZero: c.FromZero}
	}
	for _, b := range r.Dropped {
		res.DroppedBuckets = append(res.DroppedBuckets, string(b))
	}
	for _, b := range r.Reset {
		res.ResetBuckets = append(res.ResetBuckets, string(b))
	}
	if cp := r.Checkpoint; cp != nil {
		res.Checkpoint = &syncv1.Checkpoint{Seq: cp.Seq, LastMutationSeq: cp.LastMutationSeq, ServerTimeUnixMs: now.UnixMilli()}
		for _, b := range cp.Buckets {
			res.Checkpoint.Buckets = append(res.Checkpoint.Buckets, &syncv1.BucketChecksum{Bucket: string(b.Bucket), Checksum: b.Sum, Count: b.Count})
		}
	}
	return res
}

// Subscribe implements syncv1connect.SyncServiceHandler.
func (s *Service) Subscribe(ctx context.Context, req *connect.Request[syncv1.SubscribeRequest], stream *connect.ServerStream[syncv1.SubscribeResponse]) error {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return err
	}
	if err := s.checkCountry(req.Msg.GetReplicaCountry()); err != nil {
		return err
	}
	return s.engine.Subscribe(ctx, p, req.Msg.GetClientSchemaVersion(), s.stopping, func(e syncengine.Event) error {
		if e.Changed == nil {
			return stream.Send(&syncv1.SubscribeResponse{Event: &syncv1.SubscribeResponse_Heartbeat{Heartbeat: &syncv1.Heartbeat{ServerTimeUnixMs: s.now().UnixMilli()}}})
		}
		buckets := make([]string, len(e.Changed))
		for i, b := range e.Changed {
			buckets[i] = string(b)
		}
		return stream.Send(&syncv1.SubscribeResponse{Event: &syncv1.SubscribeResponse_Changed{Changed: &syncv1.Changed{Buckets: buckets}}})
	})
}

// push runs the engine's push in a span of the call's trace, if it is
// traced: the mutations' count and names, never their arguments or who
// sent them.
func (s *Service) push(ctx context.Context, p syncengine.Principal, req syncengine.PushRequest) ([]syncengine.Outcome, error) {
	tracer := trace.SpanFromContext(ctx).TracerProvider().Tracer("github.com/ordinatorhq/ordinator/syncengine")
	names := make([]string, 0, len(req.Mutations))
	for _, m := range req.Mutations {
		if !slices.Contains(names, m.Name) {
			names = append(names, m.Name)
		}
	}
	ctx, span := tracer.Start(ctx, "syncengine.Push", trace.WithAttributes(
		attribute.Int("ordinator.mutations", len(req.Mutations)), attribute.StringSlice("ordinator.mutation_names", names)))
	defer span.End()
	outs, err := s.engine.Push(ctx, p, req)
	if err != nil {
		span.SetStatus(codes.Error, syncengine.ErrorCode(err))
	}
	return outs, err
}
