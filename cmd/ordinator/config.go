package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"time"

	"github.com/peterbourgon/ff/v3"

	"github.com/ordinatorhq/ordinator/syncengine/postgres"
)

// Client schema versions the server accepts: a device whose local schema is
// older than minClientSchema must upgrade before it syncs.
const (
	minClientSchema     = 1
	currentClientSchema = 1
)

// Config is everything the binary can be told. The zero-flag defaults run
// the platform embedded; each flag also reads ORDINATOR_<FLAG> (dashes as
// underscores), and flags win over the environment.
type Config struct {
	Addr            string
	MetricsAddr     string
	DataDir         string
	DatabaseURL     string
	Country         string
	LogFormat       string
	LogLevel        string
	MaxRequestBytes int
	Demo            bool
	// DemoOnProduction allows --demo on PostgreSQL.
	DemoOnProduction bool
	// TLSCert and TLSKey serve HTTP/2 over TLS instead of h2c.
	TLSCert, TLSKey string
	// DrainDelay keeps serving, not ready, after SIGTERM.
	DrainDelay time.Duration
	// DatabasePooler is "transaction" when DatabaseURL goes through
	// PgBouncer in transaction mode; DatabaseDirectURL then reaches the
	// database itself, for LISTEN and migrations.
	DatabasePooler    string
	DatabaseDirectURL string
	// DatabaseReadURL, if set, is a hot standby of DatabaseURL's database
	// that pulls read from (a CloudNativePG cluster's -ro service).
	DatabaseReadURL string
	// DatabaseReadWait bounds how long a pull waits for the replica to
	// replay what the device has already seen before the primary answers.
	DatabaseReadWait time.Duration
	// OTLPEndpoint, if set, is where traces go (OTLP over HTTP).
	OTLPEndpoint string

	CompactEvery       time.Duration
	TombstoneRetention time.Duration
	OutcomeRetention   time.Duration

	Media        MediaConfig
	ContentEvery time.Duration
	Bundles      BundleConfig
	// CasePoints are the points a doctor earns for a published case.
	CasePoints     int64
	FCMCredentials string
	PushWorkers    int

	ConsoleIdleTimeout time.Duration
	ConsoleLifetime    time.Duration

	// oldRegion catches the --region this stack's country was once given.
	oldRegion      string
	PasswordChecks int
	// PushService chooses the push sender of this country's stack.
	PushService         string
	RuStoreProject      string
	RuStoreServiceToken string
}

// envOptions makes ff read ORDINATOR_* variables.
var envOptions = []ff.Option{ff.WithEnvVarPrefix("ORDINATOR")}

// registerStorage adds the flags that choose the database.
func (c *Config) registerStorage(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", "./ordinator-data", "directory for the embedded SQLite database and blobs")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "PostgreSQL URL (postgres://...); empty runs on SQLite in --data-dir")
	fs.StringVar(&c.DatabasePooler, "database-pooler", "", "transaction when --database-url goes through PgBouncer in transaction mode; empty for a direct connection")
	fs.StringVar(&c.DatabaseDirectURL, "database-direct-url", "", "with --database-pooler: the database's own URL, for LISTEN and migrations")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	registerCountry(fs, c)
}

// registerCountry adds the flag naming this stack's country: every command
// that opens the stack's database, and the content key generator, knows it.
func registerCountry(fs *flag.FlagSet, cfg *Config) {
	fs.StringVar(&cfg.Country, "country", "local", "country code of this stack (one deployment per country), e.g. ru, kz, uz")
}

// registerServe adds the flags of the server itself.
func (c *Config) registerServe(fs *flag.FlagSet) {
	c.registerStorage(fs)
	fs.StringVar(&c.DatabaseReadURL, "database-read-url", "", "hot standby of the --database-url database (streaming replication, e.g. CloudNativePG's -ro service) that pulls read from; writes and the rest stay on --database-url")
	fs.DurationVar(&c.DatabaseReadWait, "database-read-wait", postgres.DefaultReplicaWait, "how long a pull waits for --database-read-url to replay what the device has already seen before the primary answers it instead")
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on (Connect, gRPC and gRPC-Web over h2c)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "127.0.0.1:9464", "address of the Prometheus /metrics listener, never the API's; empty serves no metrics")
	fs.StringVar(&c.oldRegion, "region", "", "renamed --country (regions are the directors' areas, see admin create-region)")
	fs.StringVar(&c.PushService, "push-service", "", "push sender of this stack: fcm, rustore or log (default: fcm with --fcm-credentials, else log)")
	fs.StringVar(&c.RuStoreProject, "rustore-project", "", "RuStore Push project id, for --push-service rustore")
	fs.StringVar(&c.RuStoreServiceToken, "rustore-service-token", "", "RuStore Push service token, for --push-service rustore")
	fs.IntVar(&c.MaxRequestBytes, "max-request-bytes", 8<<20, "largest request message accepted")
	fs.BoolVar(&c.Demo, "demo", false, "seed a demo region, territories, clinics, doctors and one account of each role, and print their logins")
	fs.BoolVar(&c.DemoOnProduction, "demo-on-production", false, "allow --demo on PostgreSQL (its accounts' password is public)")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate (chain) to serve HTTPS and HTTP/2 over TLS; with --tls-key")
	fs.StringVar(&c.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.DurationVar(&c.DrainDelay, "drain-delay", 0, "after SIGTERM, go on serving this long with /readyz answering 503, so load balancers move traffic away first")
	fs.DurationVar(&c.CompactEvery, "compact-every", 10*time.Minute, "how often to compact the change log")
	fs.DurationVar(&c.TombstoneRetention, "tombstone-retention", 30*24*time.Hour, "how long deletions stay in the change log; devices offline longer re-download")
	fs.DurationVar(&c.OutcomeRetention, "outcome-retention", 30*24*time.Hour, "how long mutation outcomes are kept")
	c.Media.register(fs)
	fs.DurationVar(&c.ContentEvery, "content-every", time.Minute, "how often content whose publish window opened or closed is moved onto or off phones")
	c.Bundles.registerPull(fs)
	fs.Int64Var(&c.CasePoints, "case-points", 100, "points a doctor earns when a clinical case is published")
	fs.StringVar(&c.FCMCredentials, "fcm-credentials", "", "Firebase service-account key file (JSON) to send pushes through FCM; empty writes pushes to the log")
	fs.IntVar(&c.PushWorkers, "push-workers", 2, "push delivery workers in this process (always 1 on SQLite)")
	fs.DurationVar(&c.ConsoleIdleTimeout, "console-idle-timeout", 30*time.Minute, "a web console session unused this long ends")
	fs.DurationVar(&c.ConsoleLifetime, "console-lifetime", 12*time.Hour, "a web console session ends this long after sign-in, used or not")
	fs.StringVar(&c.OTLPEndpoint, "otlp-endpoint", "", "OpenTelemetry collector to send traces to by OTLP over HTTP, e.g. http://otel-collector:4318; empty sends none")
	fs.IntVar(&c.PasswordChecks, "password-checks", 0, "sign-ins that may hash a password at once; more queue (0: half the CPUs, at least 1)")
}

var countryPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,15}$`)

func (c *Config) validate() error {
	if c.oldRegion != "" {
		return fmt.Errorf("--region (ORDINATOR_REGION) %q: the stack's country is now --country (ORDINATOR_COUNTRY); regions are the directors' areas inside it", c.oldRegion)
	}
	if !countryPattern.MatchString(c.Country) {
		return fmt.Errorf("--country %q: use lowercase letters, digits and dashes, e.g. ru", c.Country)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format %q: use text or json", c.LogFormat)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	if c.ConsoleIdleTimeout < 0 || c.ConsoleLifetime < 0 {
		return fmt.Errorf("--console-idle-timeout and --console-lifetime must be positive durations, e.g. 30m")
	}
	if err := c.Bundles.validate(); err != nil {
		return err
	}
	switch {
	case c.DatabasePooler != "" && c.DatabasePooler != "transaction":
		return fmt.Errorf("--database-pooler %q: use transaction (PgBouncer's pool_mode) or leave it empty", c.DatabasePooler)
	case c.DatabasePooler != "" && (c.DatabaseURL == "" || c.DatabaseDirectURL == ""):
		return fmt.Errorf("--database-pooler needs --database-url (through the pooler) and --database-direct-url (to the database itself, for LISTEN and migrations)")
	case c.DatabasePooler == "" && c.DatabaseDirectURL != "":
		return fmt.Errorf("--database-direct-url is only for --database-pooler transaction")
	case c.DatabaseReadURL != "" && c.DatabaseURL == "":
		return fmt.Errorf("--database-read-url needs --database-url: it is a read replica of that database (SQLite has none)")
	case c.DatabaseReadWait < 0 || c.DatabaseReadWait > time.Minute:
		return fmt.Errorf("--database-read-wait %s: give a duration up to 1m (0 for the default, %s)", c.DatabaseReadWait, postgres.DefaultReplicaWait)
	}
	if c.PasswordChecks < 0 || c.PasswordChecks > 256 {
		return fmt.Errorf("--password-checks %d: use 1 to 256, or 0 for half the CPUs", c.PasswordChecks)
	}
	if c.PushWorkers < 0 || c.PushWorkers > 64 {
		return fmt.Errorf("--push-workers %d: use 1 to 64", c.PushWorkers)
	}
	return nil
}

func (c *Config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
