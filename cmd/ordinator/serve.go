package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/errgroup"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/meta/v1/metav1connect"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/console"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/media/fsblob"
	"github.com/ordinatorhq/ordinator/server/meta"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/modules"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func serveCommand(stdout, stderr io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("serve")
	cfg.registerServe(fs)
	return &ffcli.Command{
		Name:       "serve",
		ShortUsage: "ordinator serve [flags]",
		ShortHelp:  "run the server (embedded with no flags)",
		LongHelp: "Serves Connect, gRPC and gRPC-Web on one port. With no flags it runs embedded:\n" +
			"SQLite and blobs under ./ordinator-data, notifications to the log, on 127.0.0.1:8080.\n" +
			"Every flag can also be set as ORDINATOR_<FLAG>, e.g. ORDINATOR_DATABASE_URL.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("serve takes no arguments, got %q", args)
			}
			return serve(ctx, &cfg, stdout, stderr)
		},
	}
}

// serve runs the server until ctx ends (SIGTERM or SIGINT), then shuts down
// gracefully.
func serve(ctx context.Context, cfg *Config, stdout, logOut io.Writer) error {
	return serveWith(ctx, cfg, stdout, logOut, serveHooks{})
}

// serveHooks let a command of this binary that embeds a server (ordinator
// load) seed it before it serves and learn where it listens.
type serveHooks struct {
	prepare func(context.Context, *app) error
	ready   func(api, metrics string)
}

func serveWith(ctx context.Context, cfg *Config, stdout, logOut io.Writer, hooks serveHooks) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	if err := cfg.Media.validate(cfg.Country); err != nil {
		return err
	}
	if cfg.CasePoints <= 0 {
		return fmt.Errorf("--case-points %d: give a positive number of points", cfg.CasePoints)
	}
	if err := cfg.checkProduction(); err != nil {
		return err
	}
	// Load the certificate now, so a bad one fails before anything is created.
	tlsConfig, err := cfg.tlsConfig()
	if err != nil {
		return err
	}
	log := cfg.logger(logOut)
	// Take the ports first: if one is in use, nothing else gets created.
	ln, err := listen(cfg.Addr, "--addr")
	if err != nil {
		return err
	}
	defer ln.Close()
	var metricsLn net.Listener
	metricsAt := "off"
	if cfg.MetricsAddr != "" {
		if metricsLn, err = listen(cfg.MetricsAddr, "--metrics-addr"); err != nil {
			return err
		}
		defer metricsLn.Close()
		metricsAt = "http://" + metricsLn.Addr().String() + "/metrics"
	}
	sender, push, err := newSender(ctx, cfg, log)
	if err != nil {
		return err
	}
	s3, err := openS3(ctx, cfg)
	if err != nil {
		return err
	}
	tracing, stopTracing, err := newTracing(ctx, cfg)
	if err != nil {
		return err
	}
	defer stopTracing()
	store, err := openServerStore(ctx, cfg, log, tracing)
	if err != nil {
		return err
	}
	defer store.Close()
	blobs, err := openBlobs(cfg, s3, ln.Addr(), log)
	if err != nil {
		return err
	}
	app, err := newApp(ctx, cfg, store, blobs, sender, log, tracing)
	if err != nil {
		return err
	}
	if cfg.Demo && cfg.DatabaseURL != "" {
		log.Warn("demo accounts on PostgreSQL: their password is public, anyone can sign in as them", "password", demoPassword)
	}
	if cfg.Demo {
		if err := seedDemo(ctx, store, app.accounts, app.directory, app.engine, stdout); err != nil {
			return err
		}
		if err := seedDemoGifts(ctx, app.gifts, app.accounts, app.engine); err != nil {
			return fmt.Errorf("seeding the demo's gifts: %w", err)
		}
		if err := seedDemoContent(ctx, app.content); err != nil {
			return fmt.Errorf("seeding the demo's content: %w", err)
		}
		if err := seedDemoModeration(ctx, app); err != nil {
			return fmt.Errorf("seeding the demo's cases, diploma and study: %w", err)
		}
		printConsole(stdout, consoleURL(cfg, ln.Addr()))
	}
	if hooks.prepare != nil {
		if err := hooks.prepare(ctx, app); err != nil {
			return err
		}
	}
	mode := "embedded (SQLite in " + cfg.DataDir + ")"
	if cfg.DatabaseURL != "" {
		mode = "PostgreSQL"
	}
	scheme := "h2c"
	if tlsConfig != nil {
		scheme = "tls"
	}
	log.Info("ordinator serving", "addr", ln.Addr().String(), "metrics", metricsAt, "transport", scheme, "version", currentVersion(), "country", cfg.Country, "database", mode, "media", blobs.where, "push", push)

	if hooks.ready != nil {
		hooks.ready("http://"+ln.Addr().String(), metricsAt)
	}
	g, gctx := errgroup.WithContext(ctx)
	background, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	g.Go(func() error { return app.engine.Run(background) })
	g.Go(func() error { app.compactLoop(background, cfg); return nil })
	for _, loop := range app.background {
		g.Go(func() error { return loop(background) })
	}
	g.Go(func() error {
		// Serve until the signal (or a failing sibling), then drain.
		err := app.server.Serve(gctx, ln)
		stopBackground()
		return err
	})
	if metricsLn != nil {
		g.Go(func() error { return app.server.ServeMetrics(gctx, metricsLn) })
	}
	err = g.Wait()
	log.Info("ordinator stopped")
	return err
}

// listen takes addr for the listener that flag configures, or says which
// flag to change.
func listen(addr, flag string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s: the address is already in use (choose another with %s)", addr, flag)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %v (choose another with %s)", addr, err, flag)
	}
	return ln, nil
}

// app is one server process's components, wired.
type app struct {
	log       *slog.Logger
	store     syncengine.Store
	engine    *syncengine.Engine
	server    *rpc.Server
	accounts  *auth.Service
	directory *probase.Service
	media     *media.Service
	content   *content.Service
	gifts     *gifts.Service
	studies   *studies.Service
	// background loops run until shutdown (push delivery, scheduler,
	// media collection, content windows, gift waves...).
	background []func(context.Context) error
}

func newApp(ctx context.Context, cfg *Config, store syncengine.Store, blobs *blobStorage, sender notify.Sender, log *slog.Logger, tracing trace.TracerProvider) (*app, error) {
	tlsConfig, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	accounts, err := auth.New(ctx, store, accountsConfig(cfg, log))
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	directory, err := probase.New(ctx, store, log)
	if err != nil {
		return nil, fmt.Errorf("doctors directory: %w", err)
	}
	figures := newReports(store, nil)
	notes := newNotifications(cfg, store, sender, accounts, figures, log)
	caseSvc := cases.New(store, cases.Config{PublishPoints: cfg.CasePoints, Logger: log})
	giftWaves := gifts.New(store, gifts.Config{Logger: log, Territory: probase.QueueTerritoryOfUser})
	library := content.New(store, content.Config{Logger: log, Media: media.ContentImages{}, WindowEvery: cfg.ContentEvery})
	mediaSvc, err := media.New(media.Config{
		Store: store, Blobs: blobs.store, MaxBytes: cfg.Media.MaxBytes, Retention: cfg.Media.Retention, Logger: log,
		ReadPolicies: map[mediav1.MediaPurpose]media.ReadPolicy{
			mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA:       moderatorsRead,
			mediav1.MediaPurpose_MEDIA_PURPOSE_CONTENT_IMAGE: contentReaders(library),
			mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO:    caseSvc.PhotoPolicy(),
		},
	})
	if err != nil {
		return nil, err
	}
	web, err := console.New(console.Config{Store: store, Accounts: accounts, Directory: directory, Logger: log,
		IdleTimeout: cfg.ConsoleIdleTimeout, Lifetime: cfg.ConsoleLifetime, SecureCookies: strings.HasPrefix(cfg.Media.PublicURL, "https://") || cfg.TLSCert != "",
		ImageOrigins: blobs.origins,
		Gifts:        giftWaves,
		Content:      library,
		Cases:        caseSvc, Media: mediaSvc, Studies: notes.studies,
		Reports: figures,
	})
	if err != nil {
		return nil, err
	}
	// Every module, each once (modules.Complete checks). Studies comes
	// before notifications: in a round of the scheduler its reminders job
	// marks results overdue before the directors' summary counts them.
	mods := []module.Module{
		accounts.Module(),
		points.Module(store),
		directory.Module(),
		mediaSvc.Module(),
		caseSvc.Module(),
		library.Module(),
		giftWaves.Module(),
		notes.studies.Module(),
		notes.module(),
		figures.Module(),
		web.Module(),
	}
	if err := modules.Complete(mods); err != nil {
		return nil, err
	}

	registry := syncengine.NewRegistry()
	public := []string{metav1connect.MetaServiceGetServerInfoProcedure}
	for _, m := range mods {
		if m.Register != nil {
			m.Register(registry)
		}
		public = append(public, m.Public...)
	}
	engine := syncengine.New(syncengine.Config{
		Store:               store,
		Registry:            registry,
		Resolver:            accounts,
		EncodeOutcome:       syncrpc.EncodeOutcome,
		MinClientSchema:     minClientSchema,
		CurrentClientSchema: currentClientSchema,
		Logger:              log,
		OnLive:              notes.presence.Live,
	})
	srv, err := rpc.New(rpc.Config{
		Logger:          log,
		MaxRequestBytes: cfg.MaxRequestBytes,
		LimitFlag:       "--max-request-bytes",
		Auth:            accounts,
		Public:          public,
		DrainDelay:      cfg.DrainDelay,
		Ready:           readiness(store, blobs.store),
		TLS:             tlsConfig,
		Tracing:         tracing,
	})
	if err != nil {
		return nil, err
	}
	if err := srv.RegisterMetrics(storeMetrics(store)...); err != nil {
		return nil, err
	}
	opts := srv.Options()
	srv.Handle(metav1connect.NewMetaServiceHandler(meta.New(meta.Info{
		Version:             currentVersion(),
		Country:             cfg.Country,
		MinClientSchema:     minClientSchema,
		CurrentClientSchema: currentClientSchema,
	}), opts...))
	srv.Handle(syncv1connect.NewSyncServiceHandler(syncrpc.New(engine, srv.Stopping()).ServeCountry(cfg.Country), opts...))
	if blobs.handler != nil {
		srv.HandleHTTP(fsblob.Prefix, blobs.handler)
	}
	srv.HandleHTTP(console.Prefix, web)
	a := &app{log: log, store: store, engine: engine, server: srv, accounts: accounts, directory: directory, media: mediaSvc, content: library, gifts: giftWaves}
	a.studies = notes.studies
	for _, m := range mods {
		if m.Handlers != nil {
			for _, h := range m.Handlers(opts...) {
				srv.Handle(h.Path, h.Handler)
			}
		}
		for _, j := range m.Jobs {
			notes.scheduler.Add(j)
		}
		a.background = append(a.background, m.Loops...)
	}
	a.background = append(a.background, bundlePull(cfg, library, mediaSvc)...)
	return a, nil
}

// compactLoop compacts the change log periodically; with several server
// processes, one compacts at a time (the store takes a lock).
func (a *app) compactLoop(ctx context.Context, cfg *Config) {
	if cfg.CompactEvery <= 0 {
		return
	}
	t := time.NewTicker(cfg.CompactEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st, err := a.engine.Compact(ctx, syncengine.CompactOptions{TombstoneRetention: cfg.TombstoneRetention, OutcomeRetention: cfg.OutcomeRetention})
		if err != nil && ctx.Err() == nil {
			a.log.Error("compaction failed", "err", err)
			continue
		}
		if st != (syncengine.CompactStats{}) {
			a.log.Info("compacted change log", "tombstones", st.Tombstones, "outcomes", st.Outcomes)
		}
	}
}
