package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/peterbourgon/ff/v3/ffcli"
	"golang.org/x/sync/errgroup"

	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/probase"
)

// loadFlags are the flags of `ordinator load`.
type loadFlags struct {
	urls, metrics []string
	rate          float64
	duration      time.Duration
	session       time.Duration
	think         time.Duration
	loginShare    float64
	quizShare     float64
	orderShare    float64
	flashAt       time.Duration
	prepare       int
	items         int
	p99           time.Duration
	progress      time.Duration
	jsonOut       string
}

// parseRate reads "833/s", "50000/m" or a bare number of sessions a second.
func parseRate(s string) (float64, error) {
	num, unit, _ := strings.Cut(s, "/")
	per := 1.0
	switch unit {
	case "", "s":
	case "m", "min":
		per = 60
	default:
		return 0, fmt.Errorf("--rate %q: give sessions per second or minute, e.g. 833/s or 50000/m", s)
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("--rate %q: give a positive number of sessions, e.g. 833/s", s)
	}
	return n / per, nil
}

func (l *loadFlags) register(fs *flag.FlagSet) {
	fs.Func("url", "API URL of a server to load (repeat for several, sessions go round-robin); none starts an embedded server in this process", func(s string) error {
		l.urls = append(l.urls, strings.TrimSuffix(s, "/"))
		return nil
	})
	fs.Func("metrics-url", "/metrics URL of a loaded server, to report its memory, CPU and streams (repeat for several)", func(s string) error {
		l.metrics = append(l.metrics, s)
		return nil
	})
	l.rate = 10
	fs.Func("rate", "new sessions per second or minute, started on schedule whether or not earlier ones finished (default 10/s)", func(s string) (err error) {
		l.rate, err = parseRate(s)
		return err
	})
	fs.DurationVar(&l.duration, "duration", time.Minute, "how long new sessions keep arriving")
	fs.DurationVar(&l.session, "session", 60*time.Second, "how long a session holds its live stream (jittered ±50%)")
	fs.DurationVar(&l.think, "think", 500*time.Millisecond, "think time between a session's steps (jittered ±50%)")
	fs.Float64Var(&l.loginShare, "login-share", 0.05, "share of sessions that sign in with a password instead of refreshing")
	fs.Float64Var(&l.quizShare, "quiz-share", 0.3, "share of sessions that complete the congress quiz")
	fs.Float64Var(&l.orderShare, "order-share", 0.2, "share of sessions in the app when the gift wave opens that order at once")
	fs.DurationVar(&l.flashAt, "flash-at", -1, "when the gift wave opens, after the start of the run (default half the duration)")
	fs.IntVar(&l.prepare, "prepare", 100, "doctors to create (through the admin services) and sign in before the run; each session holds one")
	fs.IntVar(&l.items, "items", 50, "congress content items every doctor pulls")
	fs.DurationVar(&l.p99, "p99", 200*time.Millisecond, "the p99 latency every step must keep for a passing verdict")
	fs.DurationVar(&l.progress, "progress", 10*time.Second, "how often to print a progress line")
	fs.StringVar(&l.jsonOut, "json-out", "", "also write the report as JSON to this file")
}

func (l *loadFlags) validate() error {
	for _, s := range []struct {
		name string
		v    float64
	}{{"--login-share", l.loginShare}, {"--quiz-share", l.quizShare}, {"--order-share", l.orderShare}} {
		if s.v < 0 || s.v > 1 {
			return fmt.Errorf("%s %v: give a share between 0 and 1", s.name, s.v)
		}
	}
	switch {
	case l.duration <= 0 || l.session <= 0 || l.think < 0 || l.progress <= 0:
		return fmt.Errorf("--duration, --session and --progress must be positive durations, --think not negative")
	case l.prepare < 1 || l.prepare > 1_000_000:
		return fmt.Errorf("--prepare %d: give 1 to 1000000 doctors", l.prepare)
	case l.items < 1 || l.items > 10_000:
		return fmt.Errorf("--items %d: give 1 to 10000 content items", l.items)
	case l.flashAt > l.duration:
		return fmt.Errorf("--flash-at %v is after the run ends (--duration %v)", l.flashAt, l.duration)
	}
	if l.flashAt < 0 {
		l.flashAt = l.duration / 2
	}
	return nil
}

func loadCommand(stdout, stderr io.Writer) *ffcli.Command {
	var cfg Config
	var l loadFlags
	fs := newFlagSet("load")
	cfg.registerServe(fs)
	l.register(fs)
	return &ffcli.Command{
		Name:       "load",
		ShortUsage: "ordinator load [--url http://host:8080 ...] [flags]",
		ShortHelp:  "generate the congress peak against servers and report latencies",
		LongHelp: "Prepares doctors and congress content through the admin services (on --database-url, or in the\n" +
			"embedded server it starts when no --url is given), then starts sessions at --rate for --duration:\n" +
			"refresh (or sign in), server info, pull to a checkpoint, a live stream held for --session, a quiz,\n" +
			"and a flash of gift orders when the wave opens at --flash-at. Prints per step count, errors by code\n" +
			"and p50/p95/p99/max, the servers' memory and CPU, and a verdict; it stops by itself.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("load takes flags only, got %q", args)
			}
			if err := l.validate(); err != nil {
				return err
			}
			if err := cfg.validate(); err != nil {
				return err
			}
			set := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
			return runLoad(ctx, &cfg, &l, set, stdout, stderr)
		},
	}
}

// runLoad prepares, runs and reports one load.
func runLoad(ctx context.Context, cfg *Config, l *loadFlags, set map[string]bool, stdout, stderr io.Writer) error {
	run := strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	plan := congressPlan{Run: run, Region: "congress", Specialty: "dermatology", Doctors: l.prepare, Items: l.items, Gifts: 3, Stock: int64(2*l.prepare + 10)}
	var services congressServices
	var seed congressSeed
	var serveErr chan error
	var accounts chan *loadAccount
	var targets []*loadTarget
	if len(l.urls) == 0 {
		// An embedded server in this process: its figures include the
		// generator's own memory and CPU.
		if !set["addr"] {
			cfg.Addr = "127.0.0.1:0"
		}
		if !set["metrics-addr"] {
			cfg.MetricsAddr = "127.0.0.1:0"
		}
		if !set["log-level"] {
			cfg.LogLevel = "warn"
		}
		type addrs struct{ api, metrics string }
		ready := make(chan addrs, 1)
		serveErr = make(chan error, 1)
		sctx, stopServer := context.WithCancel(context.Background())
		defer func() {
			stopServer()
			<-serveErr
		}()
		go func() {
			serveErr <- serveWith(sctx, cfg, io.Discard, stderr, serveHooks{
				prepare: func(ctx context.Context, a *app) (err error) {
					services = congressServices{store: a.store, accounts: a.accounts, library: a.content, gifts: a.gifts}
					seed, err = seedCongress(ctx, services, plan, nil)
					return err
				},
				ready: func(api, metrics string) { ready <- addrs{api, metrics} },
			})
		}()
		select {
		case a := <-ready:
			l.urls = []string{a.api}
			if a.metrics != "off" {
				l.metrics = []string{a.metrics}
			}
		case err := <-serveErr:
			serveErr <- err
			return fmt.Errorf("embedded server: %w", err)
		}
	} else {
		if cfg.DatabaseURL == "" {
			return errors.New("--prepare against --url servers needs their --database-url: doctors and content are created through the admin services")
		}
		log := cfg.logger(stderr)
		store, authSvc, err := openAccounts(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer store.Close()
		services = congressServices{store: store, accounts: authSvc,
			library: content.New(store, content.Config{Logger: log, Media: media.ContentImages{}}),
			gifts:   gifts.New(store, gifts.Config{Logger: log, Territory: probase.QueueTerritoryOfUser})}
		// Against running servers each doctor is signed in as soon as
		// it exists: the servers' password checks overlap the hashing
		// here.
		targets = newLoadTargets(l.urls)
		signer := startSignIn(ctx, targets, l.prepare)
		seed, err = seedCongress(ctx, services, plan, signer.add)
		if err != nil {
			signer.wait()
			return err
		}
		fmt.Fprintf(stderr, "load: prepared %d doctors and %d content items (run %s)\n", len(seed.Logins), l.items, run)
		if accounts, err = signer.wait(); err != nil {
			return err
		}
	}
	if accounts == nil {
		targets = newLoadTargets(l.urls)
		fmt.Fprintf(stderr, "load: prepared %d doctors and %d content items (run %s); signing them in\n", len(seed.Logins), l.items, run)
		signer := startSignIn(ctx, targets, len(seed.Logins))
		for _, login := range seed.Logins {
			signer.add(login)
		}
		var err error
		if accounts, err = signer.wait(); err != nil {
			return err
		}
	}
	atStart := map[string]serverReport{}
	for _, m := range l.metrics {
		if s, err := scrapeMetrics(ctx, m); err == nil {
			atStart[m] = s
		}
	}
	start := time.Now()
	plan.OpensAt = start.Add(l.flashAt)
	if err := seedCongressWave(ctx, services, plan, &seed); err != nil {
		return err
	}
	lp := &loadPlan{session: l.session, think: l.think, loginShare: l.loginShare, quizShare: l.quizShare, orderShare: l.orderShare, flashAt: plan.OpensAt, seed: seed}
	rep := generate(ctx, targets, accounts, lp, l, start, stderr)
	rep.Servers = l.urls
	for _, m := range l.metrics {
		if s, err := scrapeMetrics(ctx, m); err == nil {
			rep.Server = append(rep.Server, s.since(atStart[m], time.Since(start)))
		} else {
			fmt.Fprintf(stderr, "load: %v\n", err)
		}
	}
	want := map[string]bool{stepRefresh: true, stepServerInfo: true, stepPull: true, stepSubscribe: true}
	want[stepLogin] = l.loginShare > 0
	want[stepQuiz] = l.quizShare > 0
	want[stepOrder] = l.orderShare > 0 && l.flashAt < l.duration
	rep.verdict(want, l.p99)
	rep.print(stdout)
	if l.jsonOut != "" {
		b, err := rep.json()
		if err != nil {
			return err
		}
		if err := os.WriteFile(l.jsonOut, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("--json-out: %w", err)
		}
	}
	if !rep.OK {
		return errors.New("the load did not hold (see the verdict)")
	}
	return nil
}

// newLoadTargets opens a client to each server.
func newLoadTargets(urls []string) []*loadTarget {
	targets := make([]*loadTarget, len(urls))
	for i, u := range urls {
		targets[i] = newLoadTarget(u)
	}
	return targets
}

// signInPool signs prepared doctors in once, a few at a time and spread
// over the servers, so that sessions refresh as most devices at a
// congress would.
type signInPool struct {
	targets []*loadTarget
	g       *errgroup.Group
	ctx     context.Context
	pool    chan *loadAccount
	st      *loadStats
	mu      sync.Mutex
	n       int
}

// startSignIn returns a pool for up to n doctors.
func startSignIn(ctx context.Context, targets []*loadTarget, n int) *signInPool {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	return &signInPool{targets: targets, g: g, ctx: gctx, pool: make(chan *loadAccount, n), st: newLoadStats()}
}

// add signs login in; it waits while four sign-ins are under way.
func (p *signInPool) add(login string) {
	p.mu.Lock()
	t := p.targets[p.n%len(p.targets)]
	p.n++
	p.mu.Unlock()
	p.g.Go(func() error {
		a := &loadAccount{login: login, clientID: "load-" + uuid.NewString()}
		if _, err := signIn(p.ctx, t, a, &loadPlan{loginShare: 1}, p.st); err != nil {
			return fmt.Errorf("signing %s in: %w", login, err)
		}
		p.pool <- a
		return nil
	})
}

// wait returns the signed-in accounts once every added doctor is signed in.
func (p *signInPool) wait() (chan *loadAccount, error) {
	return p.pool, p.g.Wait()
}
