package studies_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/notify/v1/notifyv1connect"
	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/studies/v1/studiesv1connect"
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
	engine    *syncengine.Engine
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
	return newEnvOn(t, func(now func() time.Time) syncengine.Store { return servertest.Store(t, d, now, studies.Schema()) })
}

// newEnvOn is newEnv on the store open returns.
func newEnvOn(t *testing.T, open func(now func() time.Time) syncengine.Store) *env {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock()
	store := open(clock.Now)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2, Now: clock.Now, Logger: log,
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
	e := &env{t: t, ctx: ctx, clock: clock, store: store, engine: engine, accounts: accounts, studies: st, scheduler: sched, fcm: fcmSrv, dir: dir, url: srv.URL,
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

// app is a signed-in app: a device syncing over SyncService, and the
// account's other clients.
type app struct {
	*servertest.Device
	e       *env
	token   string
	user    *authv1.User
	id      string
	push    string // FCM token
	notify  notifyv1connect.NotifyServiceClient
	studies studiesv1connect.StudiesServiceClient
}

// account creates an account of a role and signs it in.
func (e *env) account(role auth.Role) *app {
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

func (e *env) login(email string) *app {
	e.t.Helper()
	a := &app{e: e}
	opt := servertest.WithToken(&a.token)
	res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, e.url).Login(e.ctx,
		connect.NewRequest(&authv1.LoginRequest{Login: email, Password: "long enough pw", DeviceName: "test", Platform: "android"}))
	if err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	a.token, a.user, a.id = res.Msg.Tokens.AccessToken, res.Msg.User, res.Msg.DeviceId
	a.Device = servertest.NewDevice(e.t, servertest.DeviceConfig{SyncService: syncv1connect.NewSyncServiceClient(http.DefaultClient, e.url, opt), Schema: 1})
	a.notify = notifyv1connect.NewNotifyServiceClient(http.DefaultClient, e.url, opt)
	a.studies = studiesv1connect.NewStudiesServiceClient(http.DefaultClient, e.url, opt)
	return a
}

// registerPush registers the device's FCM token.
func (a *app) registerPush(locale, zone string) {
	a.e.t.Helper()
	a.push = "fcm:" + strings.ReplaceAll(a.id, "-", "") + "_APA91b"
	_, err := a.notify.RegisterPushToken(a.e.ctx, connect.NewRequest(&notifyv1.RegisterPushTokenRequest{
		Token: a.push, Platform: notifyv1.Platform_PLATFORM_ANDROID, Locale: locale, TimeZone: zone}))
	if err != nil {
		a.e.t.Fatal(err)
	}
}

// pushes returns what the loopback FCM delivered to the device.
func (a *app) pushes() []fcmtest.Message { return a.e.fcm.DeliveredTo(a.push) }

// results returns the study results the replica holds in a bucket.
func (a *app) results(b syncengine.Bucket) map[string]*studiesv1.StudyResult {
	return servertest.Records[studiesv1.StudyResult](a.Device, studies.ResultCollection, b)
}

// inbox returns the inbox items the replica holds.
func (a *app) inbox() []*notifyv1.InboxItem {
	return slices.Collect(maps.Values(servertest.Records[notifyv1.InboxItem](a.Device, notify.InboxCollection, syncengine.UserBucket(a.user.Id))))
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
