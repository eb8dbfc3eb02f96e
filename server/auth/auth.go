// Package auth is accounts, roles and sessions: doctors register themselves
// and are verified by a moderator from their diploma; reps, directors and
// moderators are created by an admin; regions, territories and who covers
// them; logins that open device-bound sessions with short-lived signed
// access tokens and rotating refresh tokens (stored hashed); and the
// authenticator that checks a token on every call and stream.
package auth

import (
	"context"
	"crypto/rand"
	"embed"
	"log/slog"
	"runtime"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Config tunes the service. Zero values take the defaults.
type Config struct {
	AccessTTL  time.Duration // default 15 minutes
	RefreshTTL time.Duration // default 60 days
	Argon2     Argon2        // default DefaultArgon2
	// Failed logins allowed before delays start, per account (default 5)
	// and per address (default 20, since many may share one).
	AccountFailures int
	AddressFailures int
	Now             func() time.Time
	Logger          *slog.Logger
	// Registrations allowed per address before delays start (default 20);
	// the count starts over after an hour without attempts.
	AddressRegistrations int
	// PasswordChecks is how many sign-ins may hash a password at once
	// (default half the CPUs, at least one). Argon2id is deliberately
	// expensive: a burst of sign-ins beyond it queues instead of taking
	// every core from the other requests.
	PasswordChecks int

	// OnRevoke runs inside the transaction that ends a device session, so
	// other modules can drop what belongs to it (push tokens...).
	OnRevoke []func(ctx context.Context, tx syncengine.Tx, deviceID string) error
	// Notify, if set, is called inside the transaction of an event that
	// tells a user something (a diploma decision...).
	Notify func(ctx context.Context, tx syncengine.Tx, n Notice) error
	// DiplomaMedia, if set, checks inside the submitting transaction that a
	// media belongs to the user and is a ready diploma photo, and keeps it.
	DiplomaMedia func(ctx context.Context, tx syncengine.Tx, userID, mediaID string) error
	// OnAccountChange runs inside every transaction that changes an
	// account or its assignments, after the change, so modules that show
	// something of the account elsewhere (the directors' doctor summaries
	// show a doctor's verification and a territory's reps) rewrite it in
	// the same transaction.
	OnAccountChange []func(ctx context.Context, tx syncengine.Tx, c AccountChange) error
}

// AccountChange is what OnAccountChange is told: the account as it is now,
// and the territories whose reps changed (a rep given or refused them).
type AccountChange struct {
	User        User
	Territories []string
}

// Notice is a message for a user that another module delivers (inbox and
// push).
type Notice struct {
	UserID string
	Kind   string
	Params map[string]string
	// DedupeKey makes enqueuing the same notice twice a no-op.
	DedupeKey string
}

// Service is the accounts module.
type Service struct {
	store syncengine.Store
	cfg   Config
	key   []byte // signs access tokens
	// refreshKey derives refresh tokens (see refreshToken).
	refreshKey []byte
	// failureKey keys the sign-in and registration counters (see limitKey).
	failureKey []byte
	log        *slog.Logger
	passwords  *semaphore.Weighted
}

// New returns the service, loading (or, the first time, creating) the
// token signing key shared by every server process.
func New(ctx context.Context, store syncengine.Store, cfg Config) (*Service, error) {
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 15 * time.Minute
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 60 * 24 * time.Hour
	}
	if cfg.Argon2 == (Argon2{}) {
		cfg.Argon2 = DefaultArgon2
	}
	if cfg.AccountFailures <= 0 {
		cfg.AccountFailures = 5
	}
	if cfg.AddressFailures <= 0 {
		cfg.AddressFailures = 20
	}
	if cfg.AddressRegistrations <= 0 {
		cfg.AddressRegistrations = 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PasswordChecks <= 0 {
		cfg.PasswordChecks = max(1, runtime.GOMAXPROCS(0)/2)
	}
	s := &Service{store: store, cfg: cfg, log: cfg.Logger, passwords: semaphore.NewWeighted(int64(cfg.PasswordChecks))}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	err := store.Update(ctx, func(tx syncengine.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO auth_keys (id, secret, created_at) VALUES ('access', $1, $2) ON CONFLICT (id) DO NOTHING`,
			secret, cfg.Now().UnixMilli()); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT secret FROM auth_keys WHERE id = 'access'`).Scan(&s.key)
	})
	if err != nil {
		return nil, err
	}
	s.refreshKey = refreshKey(s.key)
	s.failureKey = deriveKey(s.key, "ordinator login failures")
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now() }
