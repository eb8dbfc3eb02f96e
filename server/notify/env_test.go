package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/notify/fcm"
	"github.com/ordinatorhq/ordinator/server/notify/fcm/fcmtest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// env is the notify module over one database, with the loopback FCM.
type env struct {
	t        *testing.T
	ctx      context.Context
	clock    *storetest.Clock
	stores   []syncengine.Store
	store    syncengine.Store
	accounts *auth.Service
	svc      *notify.Service
	fcm      *fcmtest.Server
	sender   *fcm.Sender
	log      *slog.Logger
	n        int
}

// newEnv opens processes stores on one database (server processes).
func newEnv(t *testing.T, d syncengine.Dialect, processes int) *env {
	t.Helper()
	return newEnvOn(t, func(now func() time.Time) []syncengine.Store {
		return servertest.Stores(t, d, now, processes, notify.Schema())
	})
}

// newEnvOn is newEnv on the stores open returns.
func newEnvOn(t *testing.T, open func(now func() time.Time) []syncengine.Store) *env {
	t.Helper()
	clock := storetest.NewClock()
	stores := open(clock.Now)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	accounts, err := auth.New(ctx, stores[0], auth.Config{Argon2: auth.TestArgon2, Now: clock.Now,
		OnRevoke: []func(context.Context, syncengine.Tx, string) error{notify.DeviceRevoked}})
	if err != nil {
		t.Fatal(err)
	}
	srv := fcmtest.Start(t, clock.Now)
	sender, err := fcm.New(ctx, fcmtest.Project, srv.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, clock: clock, stores: stores, store: stores[0], accounts: accounts, svc: notify.New(stores[0]), fcm: srv, sender: sender, log: log}
	for _, r := range []auth.Region{{ID: "msk", Name: "Москва", TimeZone: "Europe/Moscow"}, {ID: "ekb", Name: "Екатеринбург", TimeZone: "Asia/Yekaterinburg"}} {
		if _, err := accounts.CreateRegion(ctx, auth.System, r); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) worker(store syncengine.Store, cfg notify.WorkerConfig) *notify.Worker {
	cfg.Store, cfg.Now, cfg.Logger = store, e.clock.Now, e.log
	if cfg.Sender == nil {
		cfg.Sender = e.sender
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 10 * time.Second
	}
	return notify.NewWorker(cfg)
}

// drain runs a worker until nothing is due.
func (e *env) drain(w *notify.Worker) {
	e.t.Helper()
	for {
		n, err := w.RunOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// user creates an account of a role in a region.
func (e *env) user(role auth.Role, region string) auth.User {
	e.t.Helper()
	e.n++
	u, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: role, Email: fmt.Sprintf("u%d@ordinator.test", e.n),
		Password: "long enough pw", Name: fmt.Sprintf("User %d", e.n), RegionID: region, Specialty: "dermatology"})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// device signs a user in on a new device and registers its push token.
func (e *env) device(u auth.User, locale, zone string) (syncengine.Principal, string) {
	e.t.Helper()
	sess, err := e.accounts.Login(e.ctx, auth.LoginInput{Login: u.Email, Password: "long enough pw", Device: "phone", Platform: "android", Address: "127.0.0.1"})
	if err != nil {
		e.t.Fatal(err)
	}
	p := auth.Principal(sess.User, sess.DeviceID)
	token := "fcm-" + strings.ReplaceAll(sess.DeviceID, "-", "") + strings.Repeat("A", 20)
	if err := e.svc.RegisterToken(e.ctx, p, notify.Token{Token: token, Platform: "android", Locale: locale, TimeZone: zone}); err != nil {
		e.t.Fatal(err)
	}
	return p, token
}

// enqueue writes a notification as an event would.
func (e *env) enqueue(n notify.Notification) {
	e.t.Helper()
	err := e.store.Update(e.ctx, func(tx syncengine.Tx) error {
		_, err := notify.Enqueue(e.ctx, tx, n)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// count runs a count query.
func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	err := e.store.View(e.ctx, func(q syncengine.Querier) error { return q.QueryRow(e.ctx, query, args...).Scan(&n) })
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// state returns a notification's delivery state by dedupe key.
func (e *env) state(key string) (state string, attempts int64, lastError string) {
	e.t.Helper()
	err := e.store.View(e.ctx, func(q syncengine.Querier) error {
		return q.QueryRow(e.ctx, `SELECT state, attempts, last_error FROM notifications WHERE dedupe_key = $1`, key).Scan(&state, &attempts, &lastError)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return
}

func forEachDialect(t *testing.T, fn func(t *testing.T, d syncengine.Dialect)) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

func parseParams(t *testing.T, s string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}
