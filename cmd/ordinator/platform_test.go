package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/trace"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// platformPassword is every test account's password.
const platformPassword = "long enough pw"

// platformOptions choose the production parts of a test platform.
type platformOptions struct {
	Postgres bool   // PostgreSQL instead of the embedded SQLite
	MinIO    bool   // MinIO instead of the filesystem blob store
	Country  string // the stack's country code (--country); with MinIO its bucket has a fresh prefix
	// Tracing, if set, traces the RPCs, pushes and SQL to it.
	Tracing trace.TracerProvider
	// Log, if set, receives the stack's log as serve writes it with
	// --log-level debug (the binary's handler, every line it may write);
	// otherwise the log is discarded.
	Log io.Writer
}

// platform is the whole application, wired as `ordinator serve` wires it,
// in this process on a loopback port, for end-to-end tests through the
// mobile SDK and the Connect API.
type platform struct {
	t        testing.TB
	URL      string
	Store    syncengine.Store
	App      *app
	Accounts *auth.Service // hashes passwords cheaply, for creating test accounts
	Config   *Config
}

// startPlatform runs the application until the test ends, with one region
// "msk" and its territories "north" and "south".
func startPlatform(t testing.TB, o platformOptions) *platform {
	t.Helper()
	ctx := context.Background()
	cfg := &Config{DataDir: t.TempDir(), Country: "local", LogFormat: "text", LogLevel: "info", MaxRequestBytes: 8 << 20, ContentEvery: time.Minute, CasePoints: 100, PushWorkers: 1}
	cfg.Media.MaxBytes, cfg.Media.Retention = 32<<20, 24*time.Hour
	if o.Postgres {
		cfg.DatabaseURL = testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	}
	if o.MinIO {
		m := testenv.StartMinIO(t)
		cfg.Media.S3Endpoint, cfg.Media.S3AccessKey, cfg.Media.S3SecretKey, cfg.Media.S3BucketPrefix = m.Endpoint, m.AccessKey, m.SecretKey, "ordinator-"
		cfg.Country = "t" + randomSuffix()
	}
	if o.Country != "" {
		cfg.Country, cfg.Media.S3BucketPrefix = o.Country, "t"+randomSuffix()+"-"
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Media.validate(cfg.Country); err != nil {
		t.Fatal(err)
	}
	s3, err := openS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.Log != nil {
		cfg.LogLevel = "debug"
		log = cfg.logger(o.Log)
	}
	store, err := openServerStore(ctx, cfg, log, o.Tracing)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := openBlobs(cfg, s3, ln.Addr(), log)
	if err != nil {
		t.Fatal(err)
	}
	sender, _, err := newSender(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(ctx, cfg, store, blobs, sender, log, o.Tracing)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { a.engine.Run(runCtx); done <- struct{}{} }()
	go func() { a.server.Serve(runCtx, ln); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })

	accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2, Notify: notifyNotice, DiplomaMedia: attachDiploma,
		OnAccountChange: onAccountChange})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"north", "south"} {
		if _, err := accounts.CreateTerritory(ctx, auth.System, auth.Territory{ID: id, RegionID: "msk", Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	return &platform{t: t, URL: "http://" + ln.Addr().String(), Store: store, App: a, Accounts: accounts, Config: cfg}
}

func randomSuffix() string { return time.Now().Format("150405.000000")[7:] }

// User creates an account: a doctor (verified unless unverified is set,
// specialty "dermatology" unless given) or staff; reps get the territory
// given, directors the region msk.
func (p *platform) User(role auth.Role, email string, opts ...string) auth.User {
	p.t.Helper()
	ctx := context.Background()
	specialty, territory := "dermatology", "north"
	unverified := false
	for _, o := range opts {
		switch {
		case o == "unverified":
			unverified = true
		case o == "north" || o == "south":
			territory = o
		default:
			specialty = o
		}
	}
	region := "msk"
	if role == auth.RoleModerator || role == auth.RoleAdmin {
		region = ""
	}
	u, err := p.Accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: role, Email: email, Password: platformPassword, Name: email, RegionID: region, Specialty: specialty})
	if err != nil {
		p.t.Fatal(err)
	}
	switch role {
	case auth.RoleDoctor:
		if !unverified {
			_, err = p.Accounts.VerifyDoctor(ctx, auth.System, u.ID)
		}
	case auth.RoleRep:
		_, err = p.Accounts.AssignTerritory(ctx, auth.System, u.ID, territory, true)
	case auth.RoleDirector:
		_, err = p.Accounts.AssignRegion(ctx, auth.System, u.ID, "msk", true)
	}
	if err != nil {
		p.t.Fatal(err)
	}
	err = p.Store.View(ctx, func(q syncengine.Querier) error {
		u, err = auth.FindUser(ctx, q, u.ID)
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return u
}

// Login signs an account in and returns its session.
func (p *platform) Login(email string) *authv1.LoginResponse {
	p.t.Helper()
	res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, p.URL).Login(context.Background(),
		connect.NewRequest(&authv1.LoginRequest{Login: email, Password: platformPassword, DeviceName: "test", Platform: "cli"}))
	if err != nil {
		p.t.Fatalf("login %s: %v", email, err)
	}
	return res.Msg
}

// Tokens is a token source that signs in again when asked to refresh.
func (p *platform) Tokens(email string) sdk.TokenSource {
	var token string
	return sdk.TokenFunc(func(ctx context.Context, refresh bool) (string, error) {
		if token == "" || refresh {
			token = p.Login(email).Tokens.AccessToken
		}
		return token, nil
	})
}

// Device opens a replica for an account, with schema for its collections
// (nil for none); it is closed when the test ends.
func (p *platform) Device(email string, schema *sdk.Schema) *sdk.Replica {
	p.t.Helper()
	r, err := sdk.Open(context.Background(), sdk.Options{
		Dir: p.t.TempDir(), ServerURL: p.URL, Tokens: p.Tokens(email), Schema: schema,
		ClientSchemaVersion: currentClientSchema, MinBackoff: 20 * time.Millisecond, MaxBackoff: time.Second,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { r.Close() })
	return r
}

// TestPlatform: a rep's device on the assembled platform syncs the field
// templates and its account.
func TestPlatform(t *testing.T) {
	p := startPlatform(t, platformOptions{Postgres: true})
	p.User(auth.RoleRep, "rep@platform.test")
	tablet := p.Device("rep@platform.test", nil)
	if err := tablet.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := tablet.Get(context.Background(), "field_template", "doctor"); err != nil || !ok {
		t.Fatalf("the doctor template is not on the tablet (%v)", err)
	}
}
