package auth_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// auth.TestArgon2 keeps password hashing fast in tests; production uses DefaultArgon2.

// env is the accounts module served over Connect with the sync service.
type env struct {
	t      *testing.T
	clock  *storetest.Clock
	svc    *auth.Service
	store  syncengine.Store
	engine *syncengine.Engine
	url    string
}

func newEnv(t *testing.T, d syncengine.Dialect) *env {
	clock := storetest.NewClock()
	store := servertest.Store(t, d, clock.Now, auth.Schema())
	svc, err := auth.New(context.Background(), store, auth.Config{Argon2: auth.TestArgon2, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	engine := syncengine.New(syncengine.Config{Store: store, Resolver: svc, EncodeOutcome: syncrpc.EncodeOutcome, MinClientSchema: 1})
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { engine.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	srv := servertest.Serve(t, rpc.Config{Auth: svc, Public: auth.PublicProcedures}, func(s *rpc.Server) {
		h := auth.NewHandler(svc)
		s.Handle(authv1connect.NewAuthServiceHandler(h, s.Options()...))
		s.Handle(authv1connect.NewAdminServiceHandler(h, s.Options()...))
		s.Handle(syncv1connect.NewSyncServiceHandler(syncrpc.New(engine, s.Stopping()), s.Options()...))
	})
	e := &env{t: t, clock: clock, svc: svc, store: store, engine: engine, url: srv.URL}
	ctx := context.Background()
	if _, err := svc.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"msk-north", "msk-south"} {
		if _, err := svc.CreateTerritory(ctx, auth.System, auth.Territory{ID: id, RegionID: "msk", Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// client is one signed-in device.
type client struct {
	token   string
	refresh string
	device  string
	user    *authv1.User
	auth    authv1connect.AuthServiceClient
	admin   authv1connect.AdminServiceClient
	sync    syncv1connect.SyncServiceClient
}

func (e *env) anonymous() *client {
	c := &client{}
	c.auth = authv1connect.NewAuthServiceClient(http.DefaultClient, e.url, servertest.WithToken(&c.token))
	c.admin = authv1connect.NewAdminServiceClient(http.DefaultClient, e.url, servertest.WithToken(&c.token))
	c.sync = syncv1connect.NewSyncServiceClient(http.DefaultClient, e.url, servertest.WithToken(&c.token))
	return c
}

func (e *env) login(login, password string) *client {
	e.t.Helper()
	c := e.anonymous()
	res, err := c.auth.Login(context.Background(), connect.NewRequest(&authv1.LoginRequest{Login: login, Password: password, DeviceName: "test", Platform: "cli"}))
	if err != nil {
		e.t.Fatalf("login %s: %v", login, err)
	}
	c.token, c.refresh, c.device, c.user = res.Msg.Tokens.AccessToken, res.Msg.Tokens.RefreshToken, res.Msg.DeviceId, res.Msg.User
	return c
}

// staff creates an account of a role directly and signs it in.
func (e *env) staff(role auth.Role, email string) *client {
	e.t.Helper()
	region := "msk"
	if role == auth.RoleModerator || role == auth.RoleAdmin {
		region = ""
	}
	if _, err := e.svc.CreateUser(context.Background(), auth.System, auth.NewUser{Role: role, Email: email, Password: "correct horse battery", Name: email, RegionID: region, Specialty: "dermatology"}); err != nil {
		e.t.Fatal(err)
	}
	return e.login(email, "correct horse battery")
}

func code(err error) connect.Code { return connect.CodeOf(err) }

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

func revoked(err error) bool {
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeUnauthenticated {
		return false
	}
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			if _, ok := v.(*syncv1.DeviceRevoked); ok {
				return true
			}
		}
	}
	return false
}

func (c *client) buckets(t *testing.T) []string {
	t.Helper()
	res, err := c.sync.Pull(context.Background(), connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 1}))
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	var out []string
	for _, cur := range res.Msg.Cursors {
		out = append(out, cur.Bucket)
	}
	return out
}

func forEachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}

func TestRegisterAndVerify(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		anon := e.anonymous()
		bad := []struct {
			req   *authv1.RegisterDoctorRequest
			field string
		}{
			{&authv1.RegisterDoctorRequest{Email: "not-an-email", Password: "long enough pw", DisplayName: "Dr A", Specialty: "dermatology", RegionId: "msk"}, "email"},
			{&authv1.RegisterDoctorRequest{Phone: "12345", Password: "long enough pw", DisplayName: "Dr A", Specialty: "dermatology", RegionId: "msk"}, "phone"},
			{&authv1.RegisterDoctorRequest{Email: "a@b.ru", Password: "long enough pw", DisplayName: "Dr A", Specialty: "dermatology", RegionId: "nowhere"}, "region_id"},
			{&authv1.RegisterDoctorRequest{Email: "a@b.ru", Password: "short", DisplayName: "Dr A", Specialty: "dermatology", RegionId: "msk"}, "password"},
		}
		for _, b := range bad {
			_, err := anon.auth.RegisterDoctor(ctx, connect.NewRequest(b.req))
			if code(err) != connect.CodeInvalidArgument || detail(err) == nil || !slices.ContainsFunc(detail(err).Violations, func(v *commonv1.FieldViolation) bool { return v.Field == b.field }) {
				t.Fatalf("register %+v: %v, want a violation on %s", b.req, err, b.field)
			}
		}
		reg, err := anon.auth.RegisterDoctor(ctx, connect.NewRequest(&authv1.RegisterDoctorRequest{
			Email: " Ivanova@Clinic.RU ", Phone: "8 (916) 123-45-67", Password: "long enough pw", DisplayName: "Dr Ivanova", Specialty: "dermatology", RegionId: "msk"}))
		if err != nil {
			t.Fatal(err)
		}
		if reg.Msg.User.Email != "ivanova@clinic.ru" || reg.Msg.User.Phone != "+79161234567" || reg.Msg.User.Verified {
			t.Fatalf("registered %v", reg.Msg.User)
		}
		_, err = anon.auth.RegisterDoctor(ctx, connect.NewRequest(&authv1.RegisterDoctorRequest{Email: "ivanova@clinic.ru", Password: "long enough pw", DisplayName: "x", Specialty: "dermatology", RegionId: "msk"}))
		if code(err) != connect.CodeAborted {
			t.Fatalf("duplicate e-mail: %v", err)
		}

		doc := e.login("+7 916 123 45 67", "long enough pw")
		if got := doc.buckets(t); !slices.Equal(got, []string{"global:all", "public:msk", "public_specialty_region:dermatology:msk", "user:" + doc.user.Id}) {
			t.Fatalf("unverified doctor reads %v", got)
		}
		// A moderator cannot review what was never submitted.
		mod := e.staff(auth.RoleModerator, "mod@ordinator.test")
		_, err = mod.admin.ReviewDiploma(ctx, connect.NewRequest(&authv1.ReviewDiplomaRequest{UserId: doc.user.Id, Approve: true}))
		if code(err) != connect.CodeFailedPrecondition {
			t.Fatalf("review without a diploma: %v", err)
		}
		if _, err := doc.auth.AttachDiploma(ctx, connect.NewRequest(&authv1.AttachDiplomaRequest{MediaId: "6f1c1f5e-1d6a-4c4e-9a7e-0d6d1c1b2a3f"})); err != nil {
			t.Fatal(err)
		}
		pending, err := mod.admin.ListPendingDiplomas(ctx, connect.NewRequest(&authv1.ListPendingDiplomasRequest{}))
		if err != nil || len(pending.Msg.Diplomas) != 1 || pending.Msg.Diplomas[0].User.Id != doc.user.Id {
			t.Fatalf("pending: %v %v", pending, err)
		}
		// The doctor cannot review their own diploma; a rejection needs a reason.
		if _, err := doc.admin.ReviewDiploma(ctx, connect.NewRequest(&authv1.ReviewDiplomaRequest{UserId: doc.user.Id, Approve: true})); code(err) != connect.CodePermissionDenied {
			t.Fatalf("self review: %v", err)
		}
		if _, err := mod.admin.ReviewDiploma(ctx, connect.NewRequest(&authv1.ReviewDiplomaRequest{UserId: doc.user.Id})); code(err) != connect.CodeInvalidArgument {
			t.Fatalf("rejection without reason: %v", err)
		}
		if _, err := mod.admin.ReviewDiploma(ctx, connect.NewRequest(&authv1.ReviewDiplomaRequest{UserId: doc.user.Id, Approve: true})); err != nil {
			t.Fatal(err)
		}
		// Verification takes effect on the very next call.
		want := []string{"global:all", "public:msk", "public_specialty_region:dermatology:msk", "region:msk", "specialty:dermatology", "specialty_region:dermatology:msk", "user:" + doc.user.Id}
		if got := doc.buckets(t); !slices.Equal(got, want) {
			t.Fatalf("verified doctor reads %v, want %v", got, want)
		}
	})
}

func TestSessions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		rep := e.staff(auth.RoleRep, "rep@ordinator.test")
		if _, err := e.anonymous().auth.GetMe(ctx, connect.NewRequest(&authv1.GetMeRequest{})); code(err) != connect.CodeUnauthenticated {
			t.Fatalf("no token: %v", err)
		}
		bogus := e.anonymous()
		bogus.token = rep.token[:len(rep.token)-3] + "abc"
		if _, err := bogus.auth.GetMe(ctx, connect.NewRequest(&authv1.GetMeRequest{})); code(err) != connect.CodeUnauthenticated {
			t.Fatalf("forged token: %v", err)
		}
		if me, err := rep.auth.GetMe(ctx, connect.NewRequest(&authv1.GetMeRequest{})); err != nil || me.Msg.User.Role != authv1.Role_ROLE_REP {
			t.Fatalf("me: %v %v", me, err)
		}

		// Access tokens expire; refresh rotates the refresh token.
		e.clock.Advance(16 * time.Minute)
		_, err := rep.auth.GetMe(ctx, connect.NewRequest(&authv1.GetMeRequest{}))
		if code(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired token: %v", err)
		}
		old := rep.refresh
		res, err := rep.auth.Refresh(ctx, connect.NewRequest(&authv1.RefreshRequest{RefreshToken: old}))
		if err != nil {
			t.Fatal(err)
		}
		rep.token, rep.refresh = res.Msg.Tokens.AccessToken, res.Msg.Tokens.RefreshToken
		if _, err := rep.auth.GetMe(ctx, connect.NewRequest(&authv1.GetMeRequest{})); err != nil {
			t.Fatalf("after refresh: %v", err)
		}
		// The old refresh token used again means it leaked: the device is revoked.
		if _, err := rep.auth.Refresh(ctx, connect.NewRequest(&authv1.RefreshRequest{RefreshToken: old})); !revoked(err) {
			t.Fatalf("reused refresh token: %v", err)
		}
		if _, err := rep.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 1})); !revoked(err) {
			t.Fatalf("sync after revocation: %v, want wipe", err)
		}

		// Devices: a second sign-in, listed, then revoked from the first.
		tablet := e.login("rep@ordinator.test", "correct horse battery")
		phone := e.login("rep@ordinator.test", "correct horse battery")
		list, err := phone.auth.ListDevices(ctx, connect.NewRequest(&authv1.ListDevicesRequest{}))
		if err != nil || len(list.Msg.Devices) != 3 {
			t.Fatalf("devices: %v %v", list, err)
		}
		current := 0
		for _, d := range list.Msg.Devices {
			if d.Current {
				current++
			}
		}
		if current != 1 {
			t.Fatalf("%d devices marked current", current)
		}
		if _, err := phone.auth.RevokeDevice(ctx, connect.NewRequest(&authv1.RevokeDeviceRequest{DeviceId: tablet.device})); err != nil {
			t.Fatal(err)
		}
		// The tablet's next sync, unary or stream, answers wipe, even once
		// its token has expired.
		stream, err := tablet.sync.Subscribe(ctx, connect.NewRequest(&syncv1.SubscribeRequest{ClientSchemaVersion: 1}))
		if err == nil {
			stream.Receive()
			err = stream.Err()
		}
		if !revoked(err) {
			t.Fatalf("subscribe of a revoked device: %v", err)
		}
		e.clock.Advance(time.Hour)
		if _, err := tablet.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientSchemaVersion: 1})); !revoked(err) {
			t.Fatalf("expired token of a revoked device: %v", err)
		}
		// Someone else's device cannot be revoked.
		other := e.staff(auth.RoleRep, "other@ordinator.test")
		if _, err := other.auth.RevokeDevice(ctx, connect.NewRequest(&authv1.RevokeDeviceRequest{DeviceId: phone.device})); code(err) != connect.CodeNotFound {
			t.Fatalf("revoking another's device: %v", err)
		}
		// Logout ends the caller's own session.
		if _, err := other.auth.Logout(ctx, connect.NewRequest(&authv1.LogoutRequest{})); err != nil {
			t.Fatal(err)
		}
		if _, err := other.auth.GetMe(ctx, connect.NewRequest(&authv1.GetMeRequest{})); !revoked(err) {
			t.Fatalf("after logout: %v", err)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.staff(auth.RoleRep, "rep@ordinator.test")
		anon := e.anonymous()
		try := func(pw string) error {
			_, err := anon.auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: "rep@ordinator.test", Password: pw}))
			return err
		}
		for i := 0; i < 4; i++ {
			if err := try("wrong password"); code(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "wrong login or password") {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// An unknown account fails the same way.
		if _, err := anon.auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: "nobody@ordinator.test", Password: "x"})); code(err) != connect.CodeUnauthenticated {
			t.Fatalf("unknown account: %v", err)
		}
		try("wrong password") // the fifth: now blocked for a second
		if err := try("correct horse battery"); code(err) != connect.CodeResourceExhausted {
			t.Fatalf("blocked login: %v", err)
		}
		e.clock.Advance(2 * time.Second)
		try("wrong password") // the sixth: two seconds
		e.clock.Advance(time.Second)
		if err := try("correct horse battery"); code(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), "try again in") {
			t.Fatalf("growing delay: %v", err)
		}
		// The counters are keyed by an HMAC of the login, never the login.
		var keys []string
		if err := e.store.View(ctx, func(q syncengine.Querier) error {
			rows, err := q.Query(ctx, `SELECT key FROM login_failures`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					return err
				}
				keys = append(keys, k)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			t.Fatal("no failure counted")
		}
		for _, k := range keys {
			if strings.Contains(k, "ordinator.test") || strings.Contains(k, "127.0.0.1") {
				t.Errorf("login_failures key %q holds the login or address", k)
			}
		}
		e.clock.Advance(2 * time.Second)
		if err := try("correct horse battery"); err != nil {
			t.Fatalf("after the delay: %v", err)
		}
	})
}

func TestAdmin(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin := e.staff(auth.RoleAdmin, "admin@ordinator.test")
		rep := e.staff(auth.RoleRep, "rep@ordinator.test")
		dir := e.staff(auth.RoleDirector, "dir@ordinator.test")

		if _, err := rep.admin.CreateUser(ctx, connect.NewRequest(&authv1.CreateUserRequest{Role: authv1.Role_ROLE_ADMIN, Email: "x@y.ru", Password: "long enough pw", DisplayName: "x"})); code(err) != connect.CodePermissionDenied {
			t.Fatalf("rep creating an admin: %v", err)
		}
		created, err := admin.admin.CreateUser(ctx, connect.NewRequest(&authv1.CreateUserRequest{Role: authv1.Role_ROLE_MODERATOR, Email: "mod2@ordinator.test", Password: "long enough pw", DisplayName: "Mod"}))
		if err != nil || created.Msg.User.Role != authv1.Role_ROLE_MODERATOR {
			t.Fatalf("create moderator: %v %v", created, err)
		}
		if _, err := admin.admin.CreateRegion(ctx, connect.NewRequest(&authv1.CreateRegionRequest{Id: "spb", Name: "St Petersburg", TimeZone: "Mars/Olympus"})); code(err) != connect.CodeInvalidArgument {
			t.Fatalf("bad time zone: %v", err)
		}
		if _, err := admin.admin.CreateTerritory(ctx, connect.NewRequest(&authv1.CreateTerritoryRequest{Id: "spb-1", RegionId: "spb", Name: "x"})); code(err) != connect.CodeInvalidArgument {
			t.Fatalf("territory in an unknown region: %v", err)
		}

		if got := rep.buckets(t); !slices.Equal(got, []string{"global:all", "public:msk", "region:msk", "user:" + rep.user.Id}) {
			t.Fatalf("rep without territories reads %v", got)
		}
		if _, err := admin.admin.AssignTerritory(ctx, connect.NewRequest(&authv1.AssignTerritoryRequest{UserId: rep.user.Id, TerritoryId: "msk-north", Assigned: true})); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.admin.AssignTerritory(ctx, connect.NewRequest(&authv1.AssignTerritoryRequest{UserId: dir.user.Id, TerritoryId: "msk-north", Assigned: true})); code(err) != connect.CodeFailedPrecondition {
			t.Fatalf("territory for a director: %v", err)
		}
		if _, err := admin.admin.AssignTerritory(ctx, connect.NewRequest(&authv1.AssignTerritoryRequest{UserId: rep.user.Id, TerritoryId: "nowhere", Assigned: true})); code(err) != connect.CodeNotFound {
			t.Fatalf("unknown territory: %v", err)
		}
		if got := rep.buckets(t); !slices.Contains(got, "territory:msk-north") || slices.Contains(got, "territory:msk-south") {
			t.Fatalf("rep with msk-north reads %v", got)
		}
		if _, err := admin.admin.AssignRegion(ctx, connect.NewRequest(&authv1.AssignRegionRequest{UserId: dir.user.Id, RegionId: "msk", Assigned: true})); err != nil {
			t.Fatal(err)
		}
		// A director reads the territories' summaries, never the doctors'
		// contact details.
		if got := dir.buckets(t); !slices.Contains(got, "territory_summary:msk-north") || !slices.Contains(got, "territory_summary:msk-south") ||
			slices.ContainsFunc(got, func(b string) bool { return strings.HasPrefix(b, "territory:") }) {
			t.Fatalf("director of msk reads %v", got)
		}
		// The assignment syncs to the rep's own account record.
		me, err := rep.auth.GetMe(ctx, connect.NewRequest(&authv1.GetMeRequest{}))
		if err != nil || !slices.Equal(me.Msg.User.TerritoryIds, []string{"msk-north"}) {
			t.Fatalf("me: %v %v", me, err)
		}
		if _, err := admin.admin.AssignTerritory(ctx, connect.NewRequest(&authv1.AssignTerritoryRequest{UserId: rep.user.Id, TerritoryId: "msk-north"})); err != nil {
			t.Fatal(err)
		}
		if got := rep.buckets(t); slices.Contains(got, "territory:msk-north") {
			t.Fatalf("territory taken away but still read: %v", got)
		}
		regions, err := e.anonymous().admin.ListRegions(ctx, connect.NewRequest(&authv1.ListRegionsRequest{}))
		if err != nil || len(regions.Msg.Regions) != 1 || len(regions.Msg.Regions[0].Territories) != 2 {
			t.Fatalf("regions: %v %v", regions, err)
		}
	})
}

func TestPasswords(t *testing.T) {
	h, err := auth.HashPassword("secret password", auth.TestArgon2)
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{"secret password": true, "secret passwore": false, "": false} {
		if ok, err := auth.CheckPassword(pw, h); err != nil || ok != want {
			t.Fatalf("CheckPassword(%q) = %v, %v", pw, ok, err)
		}
	}
	if _, err := auth.CheckPassword("x", "$2a$10$bcrypt"); err == nil {
		t.Fatal("a foreign hash was accepted")
	}
	if a, _ := auth.HashPassword("same", auth.TestArgon2); a == h {
		t.Fatal("hashes are not salted")
	}
}
