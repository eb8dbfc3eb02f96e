// Package cases implements clinical cases: doctors write them offline
// (structured patient data and free text checked for anything that could
// identify a patient, see rules/anonymity), with before/after photos
// from server/media; moderators publish them to the doctors of the author's
// specialty, who discuss them; the manufacturer gets per-product outcome
// figures with no personal data.
//
// Drafts, submitted and rejected cases sync only to their author's user
// bucket; a published case also syncs to auth.SpecialtyBucket of the
// author's specialty, with its comments.
package cases

import (
	"embed"
	"log/slog"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Collections this module syncs (their names are declared in the protos).
const (
	CaseCollection    = casesv1.CaseCollection
	CommentCollection = casesv1.CaseCommentCollection
)

// Notice kinds this module sends.
const (
	NoticePublished = "case.published"
	NoticeRejected  = "case.rejected"
)

// Statuses of a case, as stored.
const (
	statusDraft     = "draft"
	statusSubmitted = "submitted"
	statusPublished = "published"
	statusRejected  = "rejected"
	// A case its author discarded: its content and photos are gone, its
	// history stays.
	statusDiscarded = "discarded"
)

// Config configures the service. Zero values take the defaults.
type Config struct {
	// PublishPoints are the points an author earns when a case is
	// published (default 100).
	PublishPoints int64
	Logger        *slog.Logger
}

// Service is the clinical cases module.
type Service struct {
	store syncengine.Store
	cfg   Config
	log   *slog.Logger
}

// New returns the service.
func New(store syncengine.Store, cfg Config) *Service {
	if cfg.PublishPoints <= 0 {
		cfg.PublishPoints = 100
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{store: store, cfg: cfg, log: cfg.Logger}
}

// Register adds the cases' mutations to the sync engine.
func (s *Service) Register(r *syncengine.Registry) {
	r.Register(casesv1.SaveDraftMutation, saveDraft)
	r.Register(casesv1.SubmitMutation, submit)
	r.Register(casesv1.WithdrawMutation, withdraw)
	r.Register(casesv1.CommentMutation, comment)
}
