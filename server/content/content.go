// Package content is the content library doctors read by specialty:
// articles (sanitised Markdown or HTML), scientific paper references, video
// links and trainings (lessons ending in a quiz with a pass mark), each
// targeted at specialties and regions, with a publish window, a version, a
// public flag and attached images.
//
// Editors (moderators and admins) create, update, publish and unpublish
// items. A published item syncs to exactly the phones of its audience while
// its window is open — the verified doctors of each targeted specialty in
// each targeted region, and for a public item the unverified ones too — and
// leaves them when it is unpublished, retargeted or its window ends; a
// scheduler re-evaluates windows, safely from several processes. Doctors
// record their reading offline ("content.record_progress") and complete
// trainings offline ("training.complete"): the server grades the answers
// with the same grader the device uses (rules/quiz) and credits the
// training's points once through the points ledger. Directors count reading
// per item for their regions.
package content

import (
	"context"
	"embed"
	"log/slog"
	"strconv"
	"time"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Collections this module syncs (their names are declared in the protos).
const (
	// ItemCollection holds published items (contentv1.Item, sources
	// stripped) in their audience's buckets.
	ItemCollection = contentv1.ItemCollection
	// ProgressCollection holds a doctor's reading of an item
	// (contentv1.Progress) in their user bucket, id "<user>:<item>".
	ProgressCollection = contentv1.ProgressCollection
	// TrainingStatusCollection holds a doctor's record with a training
	// (contentv1.TrainingStatus) in their user bucket, id
	// "<user>:<training>".
	TrainingStatusCollection = contentv1.TrainingStatusCollection
)

// Mutations this module registers.
const (
	MutationRecordProgress   = contentv1.RecordProgressMutation
	MutationCompleteTraining = contentv1.CompleteTrainingMutation
)

// Media is what the module needs of the media module for images attached
// to items (purpose CONTENT_IMAGE). Attaching records a reference
// "content:<item id>" so the image is kept while an item uses it.
type Media interface {
	// Attach checks that editorID may attach the media to an item and
	// records the reference, in tx. It refuses a rejected media; one that
	// is still uploading may be attached.
	Attach(ctx context.Context, tx syncengine.Tx, mediaID, editorID, ref string) error
	// Detach removes the reference.
	Detach(ctx context.Context, tx syncengine.Tx, mediaID, ref string) error
	// Ready reports whether the media is processed and can be shown: an
	// item is published only once all its images are.
	Ready(ctx context.Context, q syncengine.Querier, mediaID string) (bool, error)
}

// Config tunes the service. Zero values take the defaults.
type Config struct {
	// Media attaches images; without it, items cannot have images.
	Media Media
	// CompletionGrace is how long after a training's window has ended a
	// completion made offline is still accepted (default 72 hours).
	CompletionGrace time.Duration
	// WindowEvery is how often the module's loop moves items whose publish
	// window opened or closed onto or off phones; zero runs no loop.
	WindowEvery time.Duration
	// Now is the clock of reads (writes use the store's); default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service is the content module.
type Service struct {
	store syncengine.Store
	cfg   Config
	log   *slog.Logger
}

// New returns the service.
func New(store syncengine.Store, cfg Config) *Service {
	if cfg.CompletionGrace <= 0 {
		cfg.CompletionGrace = 72 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{store: store, cfg: cfg, log: cfg.Logger}
}

// Register adds the module's mutations to the sync engine's registry.
func (s *Service) Register(r *syncengine.Registry) {
	r.Register(MutationRecordProgress, s.recordProgressMutator())
	r.Register(MutationCompleteTraining, s.completeTrainingMutator())
}

func (s *Service) now() int64 { return s.cfg.Now().UnixMilli() }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func parseInt(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// imageRef is the media reference of an item's images.
func imageRef(itemID string) string { return "content:" + itemID }
