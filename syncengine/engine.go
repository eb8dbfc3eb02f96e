package syncengine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// Config configures an Engine. Zero limits take the defaults below.
type Config struct {
	Store    Store
	Registry *Registry
	Resolver Resolver
	// EncodeOutcome encodes an outcome as the payload of its record in the
	// user bucket (the application's wire format).
	EncodeOutcome func(Outcome) []byte

	// Clients older than MinClientSchema must upgrade before syncing.
	MinClientSchema     int32
	CurrentClientSchema int32

	MaxBatch         int // mutations per push (default 500)
	MaxArgsBytes     int // encoded arguments of one mutation (default 64 KiB)
	MaxCursors       int // buckets in one pull (default 2000)
	DefaultPullRows  int // rows per page when the client does not say (default 5000)
	MaxPullRows      int // (default 20000)
	DefaultPullBytes int // (default 4 MiB)
	MaxPullBytes     int // (default 16 MiB)
	// Heartbeat is the interval between heartbeats on a subscription
	// (default 15 s); RefreshBuckets how often a subscription recomputes the
	// buckets it follows (default 1 min).
	Heartbeat      time.Duration
	RefreshBuckets time.Duration
	// OnLive, if set, is told when a principal's subscription becomes live
	// and, through the function it returns, when it ends: the application
	// learns which devices hold a live stream (to wake the others by push).
	OnLive func(p Principal) (end func())

	Logger *slog.Logger
	// Now is the clock pulls are recorded by (default time.Now).
	Now func() time.Time
}

// Engine runs the sync protocol over a Store: exactly-once pushes,
// checkpointed pulls and live subscriptions.
type Engine struct {
	cfg       Config
	store     Store
	hub       *Hub
	log       *slog.Logger
	watching  chan struct{}
	watchOnce sync.Once
	pulls     pullNotes
}

// New returns an engine. Call Run to start delivering live notifications.
func New(cfg Config) *Engine {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.MaxBatch, 500)
	def(&cfg.MaxArgsBytes, 64<<10)
	def(&cfg.MaxCursors, 2000)
	def(&cfg.DefaultPullRows, 5000)
	def(&cfg.MaxPullRows, 20000)
	def(&cfg.DefaultPullBytes, 4<<20)
	def(&cfg.MaxPullBytes, 16<<20)
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.RefreshBuckets <= 0 {
		cfg.RefreshBuckets = time.Minute
	}
	if cfg.Registry == nil {
		cfg.Registry = NewRegistry()
	}
	if cfg.EncodeOutcome == nil {
		cfg.EncodeOutcome = func(Outcome) []byte { return nil }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Engine{cfg: cfg, store: cfg.Store, hub: NewHub(), log: cfg.Logger, watching: make(chan struct{})}
}

// Store returns the engine's store.
func (e *Engine) Store() Store { return e.store }

// Hub returns the engine's in-process notification hub.
func (e *Engine) Hub() *Hub { return e.hub }

// Registry returns the mutations the engine applies.
func (e *Engine) Registry() *Registry { return e.cfg.Registry }

// Run feeds committed changes, from this process and any other sharing the
// database, to the live subscriptions until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	err := e.store.Watch(ctx, func(buckets []Bucket) {
		e.watchOnce.Do(func() { close(e.watching) })
		e.hub.Publish(buckets)
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// CheckSchema refuses clients whose schema is too old to decode.
func (e *Engine) CheckSchema(version int32) error {
	if version < e.cfg.MinClientSchema {
		return Errorf(EPRECONDITION,
			"this app is too old for the server (schema %d, need at least %d): please update it", version, e.cfg.MinClientSchema)
	}
	return nil
}

// PushRequest is a batch of mutations from one client's outbox.
type PushRequest struct {
	ClientID      string
	SchemaVersion int32
	Mutations     []Mutation
}

// Push applies the mutations in order, exactly once, and returns one outcome
// per mutation. Mutations already applied return their stored outcome.
func (e *Engine) Push(ctx context.Context, p Principal, req PushRequest) ([]Outcome, error) {
	if err := e.CheckSchema(req.SchemaVersion); err != nil {
		return nil, err
	}
	if err := e.validatePush(p, req); err != nil {
		return nil, err
	}
	batch := PushBatch{
		ClientID:  req.ClientID,
		UserID:    p.UserID,
		Mutations: req.Mutations,
		Encode:    e.cfg.EncodeOutcome,
		Apply: func(ctx context.Context, tx Tx, m Mutation) (Outcome, error) {
			return e.apply(ctx, tx, p, req.ClientID, m)
		},
	}
	// The store runs the batch again when a mutation or the commit fails
	// because of a concurrent writer (apply returns such failures instead
	// of rejecting), and answers EUNAVAILABLE once its attempts are spent.
	out, err := e.store.Push(ctx, batch)
	if ErrorCode(err) == EUNAVAILABLE {
		e.log.Warn("push kept failing", "client", req.ClientID, "err", err)
	}
	return out, err
}

func (e *Engine) validatePush(p Principal, req PushRequest) error {
	if p.UserID == "" {
		return Errorf(EUNAUTHENTICATED, "push needs an authenticated user")
	}
	if req.ClientID == "" || len(req.ClientID) > 64 {
		return Invalid("invalid push", Violation{"client_id", "must be 1 to 64 characters"})
	}
	if len(req.Mutations) == 0 {
		return Invalid("invalid push", Violation{"mutations", "at least one mutation is needed"})
	}
	if len(req.Mutations) > e.cfg.MaxBatch {
		return Invalid("invalid push", Violation{"mutations", fmt.Sprintf("at most %d mutations per push, got %d", e.cfg.MaxBatch, len(req.Mutations))})
	}
	for i, m := range req.Mutations {
		if m.Seq <= 0 {
			return Invalid("invalid push", Violation{fmt.Sprintf("mutations[%d].seq", i), "must be positive"})
		}
		if i > 0 && m.Seq != req.Mutations[i-1].Seq+1 {
			return Invalid("invalid push", Violation{fmt.Sprintf("mutations[%d].seq", i),
				fmt.Sprintf("mutations must be consecutive: %d follows %d", m.Seq, req.Mutations[i-1].Seq)})
		}
	}
	return nil
}

// apply runs one mutation. Rejections become outcomes; an error from here
// aborts the batch and is reserved for failures worth retrying: the store
// then runs the whole batch again, so nothing here may outlive an attempt.
func (e *Engine) apply(ctx context.Context, tx Tx, p Principal, clientID string, m Mutation) (Outcome, error) {
	out := Outcome{ClientID: clientID, Seq: m.Seq, Name: m.Name, Status: StatusApplied, DecidedAt: tx.Now()}
	reject := func(err *Error) (Outcome, error) {
		out.Status, out.Error, out.Result = StatusRejected, err, nil
		return out, nil
	}
	mut, ok := e.cfg.Registry.Lookup(m.Name)
	if !ok {
		return reject(Errorf(EINVALID, "unknown mutation %q", m.Name))
	}
	if len(m.Args) > e.cfg.MaxArgsBytes {
		return reject(Invalid("arguments too large", Violation{"args", fmt.Sprintf("%d bytes, at most %d", len(m.Args), e.cfg.MaxArgsBytes)}))
	}
	result, err := e.callMutator(ctx, mut, tx, Call{Principal: p, ClientID: clientID, Mutation: m})
	// A queued write that failed is the mutation's failure; one the store
	// calls transient aborts the batch whatever the mutator answered.
	if s, ok := tx.(settler); ok {
		if serr := s.Settle(ctx); serr != nil && (err == nil || e.store.Transient(serr)) {
			err = serr
		}
	}
	if err == nil {
		out.Result = result
		return out, nil
	}
	var coded *Error
	if errors.As(err, &coded) {
		return reject(coded)
	}
	if ctx.Err() != nil || e.store.Transient(err) {
		return Outcome{}, err
	}
	e.log.Error("mutation failed", "mutation", m.Name, "client", clientID, "seq", m.Seq, "err", err)
	return reject(Errorf(EINTERNAL, "the server could not apply %s", m.Name))
}

func (e *Engine) callMutator(ctx context.Context, mut Mutator, tx Tx, call Call) (result []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("mutator panicked", "mutation", call.Mutation.Name, "panic", r, "stack", string(debug.Stack()))
			err = Errorf(EINTERNAL, "the server could not apply %s", call.Mutation.Name)
		}
	}()
	return mut.Apply(ctx, tx, call)
}

// PullRequest asks for the changes after the client's cursors.
type PullRequest struct {
	ClientID      string
	SchemaVersion int32
	Cursors       []Cursor
	MaxRows       int
	MaxBytes      int
	Estimate      bool
}

// PullResult is one page for the client.
type PullResult struct {
	ReadResult
	// Dropped lists buckets the client had and may no longer read: it
	// deletes their rows and media.
	Dropped []Bucket
}

// Pull returns the next page of changes for the buckets the principal may
// read now, whatever the client asked for: buckets it lost are dropped,
// buckets it gained start from zero, the others continue from their cursor.
func (e *Engine) Pull(ctx context.Context, p Principal, req PullRequest) (*PullResult, error) {
	if err := e.CheckSchema(req.SchemaVersion); err != nil {
		return nil, err
	}
	if p.UserID == "" {
		return nil, Errorf(EUNAUTHENTICATED, "pull needs an authenticated user")
	}
	if len(req.Cursors) > e.cfg.MaxCursors {
		return nil, Invalid("invalid pull", Violation{"cursors", fmt.Sprintf("at most %d buckets, got %d", e.cfg.MaxCursors, len(req.Cursors))})
	}
	have := make(map[Bucket]Cursor, len(req.Cursors))
	for i, c := range req.Cursors {
		if err := c.Bucket.Validate(); err != nil {
			return nil, Invalid("invalid pull", Violation{fmt.Sprintf("cursors[%d].bucket", i), err.Error()})
		}
		if c.After < 0 {
			return nil, Invalid("invalid pull", Violation{fmt.Sprintf("cursors[%d].after", i), "must not be negative"})
		}
		if _, dup := have[c.Bucket]; dup {
			return nil, Invalid("invalid pull", Violation{fmt.Sprintf("cursors[%d].bucket", i), fmt.Sprintf("bucket %s given twice", c.Bucket)})
		}
		have[c.Bucket] = c
	}
	readable, err := e.Buckets(ctx, p)
	if err != nil {
		return nil, err
	}
	rr := ReadRequest{
		UserID:   p.UserID,
		ClientID: req.ClientID,
		MaxRows:  clamp(req.MaxRows, e.cfg.DefaultPullRows, e.cfg.MaxPullRows),
		MaxBytes: clamp(req.MaxBytes, e.cfg.DefaultPullBytes, e.cfg.MaxPullBytes),
		Estimate: req.Estimate,
	}
	allowed := make(map[Bucket]bool, len(readable))
	for _, b := range readable {
		allowed[b] = true
		c, ok := have[b]
		if !ok {
			c = Cursor{Bucket: b, FromZero: true}
		}
		rr.Cursors = append(rr.Cursors, c)
	}
	var dropped []Bucket
	for _, c := range req.Cursors {
		if !allowed[c.Bucket] {
			dropped = append(dropped, c.Bucket)
		}
	}
	res, err := e.store.Read(ctx, rr)
	if err != nil {
		return nil, err
	}
	e.notePull(ctx, p, req)
	return &PullResult{ReadResult: *res, Dropped: dropped}, nil
}

// Buckets returns the buckets p may read, sorted, always including p's user
// bucket.
func (e *Engine) Buckets(ctx context.Context, p Principal) ([]Bucket, error) {
	var buckets []Bucket
	if e.cfg.Resolver != nil {
		err := e.store.View(ctx, func(q Querier) error {
			var err error
			buckets, err = e.cfg.Resolver.Buckets(ctx, q, p)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	buckets = append(buckets, UserBucket(p.UserID))
	slices.Sort(buckets)
	return slices.Compact(buckets), nil
}

func clamp(v, def, max int) int {
	if v <= 0 {
		return def
	}
	if v > max {
		return max
	}
	return v
}

// Event is what a subscription sends: the buckets that changed, or a
// heartbeat (Changed is nil).
type Event struct {
	Changed []Bucket
}

// Subscribe calls send with an initial heartbeat once changes are being
// heard (Run must be running), then with the caller's
// buckets that changed, and a heartbeat at every interval, until ctx ends or
// stop is closed (then it returns nil) or send fails.
func (e *Engine) Subscribe(ctx context.Context, p Principal, schema int32, stop <-chan struct{}, send func(Event) error) error {
	if err := e.CheckSchema(schema); err != nil {
		return err
	}
	if p.UserID == "" {
		return Errorf(EUNAUTHENTICATED, "subscribe needs an authenticated user")
	}
	buckets, err := e.Buckets(ctx, p)
	if err != nil {
		return err
	}
	sub := e.hub.Subscribe(buckets)
	defer sub.Close()
	// Only once Run hears commits is the subscription live; the first
	// heartbeat says so.
	select {
	case <-e.watching:
	case <-ctx.Done():
		return nil
	case <-stop:
		return nil
	}
	if err := send(Event{}); err != nil {
		return err
	}
	if e.cfg.OnLive != nil {
		if end := e.cfg.OnLive(p); end != nil {
			defer end()
		}
	}
	user := UserBucket(p.UserID)
	heartbeat := time.NewTicker(e.cfg.Heartbeat)
	defer heartbeat.Stop()
	refresh := time.NewTicker(e.cfg.RefreshBuckets)
	defer refresh.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		case <-heartbeat.C:
			if err := send(Event{}); err != nil {
				return err
			}
		case <-refresh.C:
			if err := e.refreshSubscription(ctx, p, sub, &buckets); err != nil {
				return err
			}
		case <-sub.Wake():
			changed := sub.Changed()
			if len(changed) == 0 {
				continue
			}
			// A change to the user's own bucket may be a change of access
			// (a new territory...): follow the buckets they may read now.
			if slices.Contains(changed, user) {
				if err := e.refreshSubscription(ctx, p, sub, &buckets); err != nil {
					return err
				}
			}
			slices.Sort(changed)
			if err := send(Event{Changed: changed}); err != nil {
				return err
			}
		}
	}
}

func (e *Engine) refreshSubscription(ctx context.Context, p Principal, sub *Subscription, current *[]Bucket) error {
	now, err := e.Buckets(ctx, p)
	if err != nil {
		return err
	}
	if !slices.Equal(now, *current) {
		sub.Update(now)
		*current = now
	}
	return nil
}

// Compact removes expired tombstones and old outcomes (superseded changes
// are gone already: the commit that supersedes a change deletes it).
// Safe to run while writers and pullers work, and from several processes.
func (e *Engine) Compact(ctx context.Context, o CompactOptions) (CompactStats, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = 10000
	}
	return e.store.Compact(ctx, o)
}
