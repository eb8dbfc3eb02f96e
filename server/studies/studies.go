// Package studies is observational studies: studies with a schedule of
// visits, doctors enrolled in them and the results each doctor owes.
// Results sync to the doctor's phone; a result past its due date becomes
// overdue and syncs to the reps of the doctor's territory too, who may send
// a reminder. Doctors submit results offline ("study.submit_result"), which
// may earn points. A scheduler job reminds doctors by push at 09:00 in
// their time zone the day before a result is due, and again once it is
// overdue.
package studies

import (
	"context"
	"embed"
	"log/slog"
	"time"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Collections the module syncs (their names are declared in the protos).
const (
	// EnrolmentCollection holds a doctor's enrolments, in their bucket,
	// with record id "<study id>/<doctor id>".
	EnrolmentCollection = studiesv1.StudyEnrolmentCollection
	// ResultCollection holds results, in the doctor's bucket and, while
	// overdue, the bucket of the doctor's territory.
	ResultCollection = studiesv1.StudyResultCollection
)

// Mutations the module registers.
const (
	MutationSubmitResult = studiesv1.SubmitResultMutation
	MutationRemind       = studiesv1.RemindMutation
)

// Notification kinds the module sends.
const (
	NoticeDue      = "study.due"
	NoticeOverdue  = "study.overdue"
	NoticeReminder = "study.reminder"
)

// Result statuses.
const (
	statusOwed      = "owed"
	statusOverdue   = "overdue"
	statusSubmitted = "submitted"
)

// Territories tells which territory a doctor's account belongs to, for the
// reps of that territory to see the doctor's overdue results. The doctors
// directory knows; DoctorsTable reads its table.
type Territories interface {
	// DoctorTerritory returns the territory of the doctor with this
	// account, or "" if the directory has none for them.
	DoctorTerritory(ctx context.Context, q syncengine.Querier, userID string) (string, error)
}

// TerritoriesFunc adapts a function to Territories.
type TerritoriesFunc func(ctx context.Context, q syncengine.Querier, userID string) (string, error)

// DoctorTerritory implements Territories.
func (f TerritoriesFunc) DoctorTerritory(ctx context.Context, q syncengine.Querier, userID string) (string, error) {
	return f(ctx, q, userID)
}

// Config configures the service.
type Config struct {
	Store syncengine.Store
	// Territories finds doctors' territories; without it overdue results
	// stay on the doctor's phone only.
	Territories Territories
	// RemindHour is the local hour reminders go out at (default 9).
	RemindHour int
	Logger     *slog.Logger
}

// Service is the studies module.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.RemindHour <= 0 || cfg.RemindHour > 23 {
		cfg.RemindHour = 9
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, log: cfg.Logger}
}

// Register adds the module's mutations to r.
func (s *Service) Register(r *syncengine.Registry) {
	r.Register(MutationSubmitResult, submitResult)
	r.Register(MutationRemind, remind)
}

// Job returns the scheduler job that marks results overdue and reminds
// doctors.
func (s *Service) Job(every time.Duration) notify.Job {
	return notify.Job{Name: "studies.reminders", Every: every, Run: s.Remind}
}

// CountOverdue is the overdue-results figure of the directors' summary:
// the results of the region's doctors overdue now.
func CountOverdue(ctx context.Context, q syncengine.Querier, regionID string, _, to time.Time) (int64, error) {
	return figure.Total(ctx, q, Figures(), "overdue_results", regionID, to, to)
}
