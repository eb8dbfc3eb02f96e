package studies_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/notify/v1/notifyv1connect"
	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/studies/v1/studiesv1connect"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/notify/fcm"
	"github.com/ordinatorhq/ordinator/server/notify/fcm/fcmtest"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// territories stands in for the doctors directory: which territory each
// doctor's account belongs to.
type territories struct {
	mu sync.Mutex
	m  map[string]string
}

func (t *territories) set(user, territory string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[user] = territory
}

func (t *territories) DoctorTerritory(_ context.Context, _ syncengine.Querier, user string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[user], nil
}

// env is the platform's accounts, sync, notifications and studies served
// over Connect, with the loopback FCM.
type env struct {
	t         *testing.T
	ctx       context.Context
	clock     *storetest.Clock
	store     syncengine.Store
	accounts  *auth.Service
	studies   *studies.Service
	scheduler *notify.Scheduler
	worker    *notify.Worker
	fcm       *fcmtest.Server
	dir       *territories
	url       string
	n         int
}

func newEnv(t *testing.T, d syncengine.Dialect) *env {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock()
	store := servertest.Store(t, d, clock.Now, studies.Schema())
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.Argon2{Memory: 64, Time: 1, Threads: 1}, Now: clock.Now, Logger: log,
		// The clock moves days ahead in these tests; sessions outlast it.
		AccessTTL: 90 * 24 * time.Hour,
		OnRevoke:  []func(context.Context, syncengine.Tx, string) error{notify.DeviceRevoked}})
	if err != nil {
		t.Fatal(err)
	}
	dir := &territories{m: map[string]string{}}
	notes := notify.New(store)
	st := studies.New(studies.Config{Store: store, Territories: dir, Logger: log})
	registry := syncengine.NewRegistry()
	notes.Register(registry)
	st.Register(registry)
	engine := syncengine.New(syncengine.Config{Store: store, Registry: registry, Resolver: accounts, EncodeOutcome: syncrpc.EncodeOutcome, MinClientSchema: 1, Logger: log})
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { engine.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	srv := servertest.Serve(t, rpc.Config{Auth: accounts, Public: auth.PublicProcedures, Logger: log}, func(s *rpc.Server) {
		h := auth.NewHandler(accounts)
		s.Handle(authv1connect.NewAuthServiceHandler(h, s.Options()...))
		s.Handle(authv1connect.NewAdminServiceHandler(h, s.Options()...))
		s.Handle(syncv1connect.NewSyncServiceHandler(syncrpc.New(engine, s.Stopping()), s.Options()...))
		s.Handle(notifyv1connect.NewNotifyServiceHandler(notify.NewHandler(notes), s.Options()...))
		s.Handle(studiesv1connect.NewStudiesServiceHandler(studies.NewHandler(st), s.Options()...))
	})
	fcmSrv := fcmtest.Start(t, clock.Now)
	sender, err := fcm.New(ctx, fcmtest.Project, fcmSrv.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	sched := notify.NewScheduler(notify.SchedulerConfig{Store: store, Now: clock.Now, Logger: log})
	sched.Add(st.Job(time.Minute))
	e := &env{t: t, ctx: ctx, clock: clock, store: store, accounts: accounts, studies: st, scheduler: sched, fcm: fcmSrv, dir: dir, url: srv.URL,
		worker: notify.NewWorker(notify.WorkerConfig{Store: store, Sender: sender, Now: clock.Now, Logger: log})}
	if _, err := accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Москва", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"msk-north", "msk-south"} {
		if _, err := accounts.CreateTerritory(ctx, auth.System, auth.Territory{ID: id, RegionID: "msk", Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// tick runs the scheduler's due jobs and delivers the outbox, as the
// server's background loops would at this instant.
func (e *env) tick() {
	e.t.Helper()
	if err := e.scheduler.RunDue(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	for {
		n, err := e.worker.RunOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// at moves the clock forward to an instant.
func (e *env) at(t time.Time) {
	e.t.Helper()
	d := t.Sub(e.clock.Now())
	if d < 0 {
		e.t.Fatalf("the clock cannot go back to %v", t)
	}
	e.clock.Advance(d)
}

// device is a signed-in app: Connect clients and a replica of its buckets.
type device struct {
	e       *env
	token   string
	user    *authv1.User
	id      string
	push    string // FCM token
	replica *storetest.Replica
	client  string
	seq     int64
	sync    syncv1connect.SyncServiceClient
	notify  notifyv1connect.NotifyServiceClient
	studies studiesv1connect.StudiesServiceClient
}

// account creates an account of a role and signs it in.
func (e *env) account(role auth.Role) *device {
	e.t.Helper()
	e.n++
	email := fmt.Sprintf("%s%d@ordinator.test", role, e.n)
	region := "msk"
	if role == auth.RoleAdmin {
		region = ""
	}
	u, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: "long enough pw",
		Name: fmt.Sprintf("%s %d", strings.ToUpper(string(role[:1]))+string(role[1:]), e.n), RegionID: region, Specialty: "dermatology"})
	if err != nil {
		e.t.Fatal(err)
	}
	if role == auth.RoleDoctor {
		if _, err := e.accounts.AttachDiploma(e.ctx, auth.Principal(u, ""), uuid.NewString()); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.accounts.ReviewDiploma(e.ctx, auth.System, u.ID, true, ""); err != nil {
			e.t.Fatal(err)
		}
	}
	return e.login(email)
}

func (e *env) login(email string) *device {
	e.t.Helper()
	d := &device{e: e, replica: storetest.NewReplica(), client: uuid.NewString()}
	opt := servertest.WithToken(&d.token)
	res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, e.url).Login(e.ctx,
		connect.NewRequest(&authv1.LoginRequest{Login: email, Password: "long enough pw", DeviceName: "test", Platform: "android"}))
	if err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	d.token, d.user, d.id = res.Msg.Tokens.AccessToken, res.Msg.User, res.Msg.DeviceId
	d.sync = syncv1connect.NewSyncServiceClient(http.DefaultClient, e.url, opt)
	d.notify = notifyv1connect.NewNotifyServiceClient(http.DefaultClient, e.url, opt)
	d.studies = studiesv1connect.NewStudiesServiceClient(http.DefaultClient, e.url, opt)
	return d
}

// registerPush registers the device's FCM token.
func (d *device) registerPush(locale, zone string) {
	d.e.t.Helper()
	d.push = "fcm:" + strings.ReplaceAll(d.id, "-", "") + "_APA91b"
	_, err := d.notify.RegisterPushToken(d.e.ctx, connect.NewRequest(&notifyv1.RegisterPushTokenRequest{
		Token: d.push, Platform: notifyv1.Platform_PLATFORM_ANDROID, Locale: locale, TimeZone: zone}))
	if err != nil {
		d.e.t.Fatal(err)
	}
}

// pushes returns what the loopback FCM delivered to the device.
func (d *device) pushes() []fcmtest.Message { return d.e.fcm.DeliveredTo(d.push) }

// pull syncs the replica to a checkpoint over SyncService.Pull.
func (d *device) pull() {
	d.e.t.Helper()
	for {
		req := &syncv1.PullRequest{ClientId: d.client, ClientSchemaVersion: 1}
		for _, c := range d.replica.Cursors() {
			req.Cursors = append(req.Cursors, &syncv1.BucketCursor{Bucket: string(c.Bucket), After: c.After, FromZero: c.FromZero})
		}
		res, err := d.sync.Pull(d.e.ctx, connect.NewRequest(req))
		if err != nil {
			d.e.t.Fatal(err)
		}
		page := fromPull(res.Msg)
		if bad, err := d.replica.Apply(page); err != nil || len(bad) > 0 {
			d.e.t.Fatalf("apply: %v, checksums differ for %v", err, bad)
		}
		if page.Checkpoint != nil {
			return
		}
	}
}

// fromPull decodes a pull page as a device does.
func fromPull(m *syncv1.PullResponse) *syncengine.PullResult {
	r := &syncengine.PullResult{}
	r.HasMore = m.HasMore
	for _, c := range m.Changes {
		r.Changes = append(r.Changes, syncengine.Change{Seq: c.Seq, Bucket: syncengine.Bucket(c.Bucket), Collection: c.Collection, RecordID: c.RecordId, Op: syncengine.Op(c.Op), Payload: c.Payload})
	}
	for _, c := range m.Cursors {
		r.Cursors = append(r.Cursors, syncengine.Cursor{Bucket: syncengine.Bucket(c.Bucket), After: c.After, FromZero: c.FromZero})
	}
	for _, b := range m.DroppedBuckets {
		r.Dropped = append(r.Dropped, syncengine.Bucket(b))
	}
	for _, b := range m.ResetBuckets {
		r.Reset = append(r.Reset, syncengine.Bucket(b))
	}
	if cp := m.Checkpoint; cp != nil {
		r.Checkpoint = &syncengine.Checkpoint{Seq: cp.Seq, LastMutationSeq: cp.LastMutationSeq}
		for _, b := range cp.Buckets {
			r.Checkpoint.Buckets = append(r.Checkpoint.Buckets, syncengine.BucketChecksum{Bucket: syncengine.Bucket(b.Bucket), Checksum: syncengine.Checksum{Sum: b.Checksum, Count: b.Count}})
		}
	}
	return r
}

// mutate pushes one mutation over SyncService.Push and returns its outcome.
func (d *device) mutate(name string, args proto.Message) *syncv1.Outcome {
	d.e.t.Helper()
	b, err := proto.Marshal(args)
	if err != nil {
		d.e.t.Fatal(err)
	}
	d.seq++
	res, err := d.sync.Push(d.e.ctx, connect.NewRequest(&syncv1.PushRequest{ClientId: d.client, ClientSchemaVersion: 1,
		Mutations: []*syncv1.Mutation{{Seq: d.seq, Name: name, Args: b}}}))
	if err != nil {
		d.e.t.Fatal(err)
	}
	return res.Msg.Outcomes[0]
}

// results returns the study results the replica holds in a bucket.
func (d *device) results(b syncengine.Bucket) map[string]*studiesv1.StudyResult {
	d.e.t.Helper()
	out := map[string]*studiesv1.StudyResult{}
	for k, v := range d.replica.Records(b) {
		if k.Collection != studies.ResultCollection {
			continue
		}
		r := &studiesv1.StudyResult{}
		if err := proto.Unmarshal(v, r); err != nil {
			d.e.t.Fatal(err)
		}
		out[k.ID] = r
	}
	return out
}

// inbox returns the inbox items the replica holds.
func (d *device) inbox() []*notifyv1.InboxItem {
	d.e.t.Helper()
	var out []*notifyv1.InboxItem
	for k, v := range d.replica.Records(syncengine.UserBucket(d.user.Id)) {
		if k.Collection != notify.InboxCollection {
			continue
		}
		it := &notifyv1.InboxItem{}
		if err := proto.Unmarshal(v, it); err != nil {
			d.e.t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.store.View(e.ctx, func(q syncengine.Querier) error { return q.QueryRow(e.ctx, query, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// detail returns the ErrorDetail of a Connect error.
func detail(err error) *commonv1.ErrorDetail {
	var ce *connect.Error
	if errors.As(err, &ce) {
		for _, d := range ce.Details() {
			if v, err := d.Value(); err == nil {
				if ed, ok := v.(*commonv1.ErrorDetail); ok {
					return ed
				}
			}
		}
	}
	return nil
}

func forEachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}
