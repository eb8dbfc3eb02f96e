package notify

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Job is a periodic task that one server process at a time runs; modules
// declare theirs in their descriptors.
type Job = module.Job

// SchedulerConfig tunes a Scheduler. Zero values take the defaults.
type SchedulerConfig struct {
	Store syncengine.Store
	// Owner names this process in its claims (default a random one).
	Owner string
	// Lease bounds one run of a job (default 5 min): past it another
	// process may run the job again.
	Lease time.Duration
	// Tick is how often due jobs are looked for (default 15 s).
	Tick   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Scheduler runs periodic jobs, each shared by every server process
// through the notify_jobs table: a process claims a due job (FOR UPDATE
// SKIP LOCKED on PostgreSQL) and holds it by a lease while it runs.
type Scheduler struct {
	cfg     SchedulerConfig
	mu      sync.Mutex
	jobs    []Job
	ensured map[string]bool
}

// NewScheduler returns a scheduler without jobs.
func NewScheduler(cfg SchedulerConfig) *Scheduler {
	if cfg.Owner == "" {
		cfg.Owner = uuid.NewString()
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Scheduler{cfg: cfg, ensured: map[string]bool{}}
}

// Add registers a job; call before Run.
func (s *Scheduler) Add(j Job) {
	if j.Name == "" || j.Every <= 0 || j.Run == nil {
		panic("notify: a job needs a name, an interval and a function")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.jobs {
		if have.Name == j.Name {
			panic("notify: job " + j.Name + " added twice")
		}
	}
	s.jobs = append(s.jobs, j)
}

// Run runs due jobs every tick until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("scheduled jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunDue runs, once, every due job this process can claim. A job that
// fails is logged and runs again at its next interval.
func (s *Scheduler) RunDue(ctx context.Context) error {
	s.mu.Lock()
	jobs := append([]Job(nil), s.jobs...)
	s.mu.Unlock()
	for _, j := range jobs {
		now := s.cfg.Now()
		ok, err := s.claim(ctx, j.Name, now)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := j.Run(ctx, now); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.cfg.Logger.Error("scheduled job failed", "job", j.Name, "err", err)
		}
		done := context.WithoutCancel(ctx)
		err = s.cfg.Store.Update(done, func(tx syncengine.Tx) error {
			_, err := tx.Exec(done, `UPDATE notify_jobs SET next_run_at = $1, lease_until = 0, owner = '' WHERE name = $2 AND owner = $3`,
				now.Add(j.Every).UnixMilli(), j.Name, s.cfg.Owner)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// claim takes a due job for this process.
func (s *Scheduler) claim(ctx context.Context, name string, now time.Time) (bool, error) {
	claimed := false
	err := s.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		claimed = false
		s.mu.Lock()
		ensured := s.ensured[name]
		s.mu.Unlock()
		if !ensured {
			if _, err := tx.Exec(ctx, `INSERT INTO notify_jobs (name, next_run_at, lease_until, owner) VALUES ($1, 0, 0, '') ON CONFLICT (name) DO NOTHING`, name); err != nil {
				return err
			}
		}
		ms := now.UnixMilli()
		var got string
		err := tx.QueryRow(ctx, `SELECT name FROM notify_jobs WHERE name = $1 AND next_run_at <= $2 AND lease_until <= $2`+tx.Dialect().SkipLocked(),
			name, ms).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE notify_jobs SET lease_until = $1, owner = $2 WHERE name = $3`, ms+s.cfg.Lease.Milliseconds(), s.cfg.Owner, name); err != nil {
			return err
		}
		claimed = true
		return nil
	})
	if err == nil {
		s.mu.Lock()
		s.ensured[name] = true
		s.mu.Unlock()
	}
	return claimed, err
}
