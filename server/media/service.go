package media

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Config configures a Service. Zero values take the defaults below.
type Config struct {
	Store syncengine.Store
	Blobs BlobStore

	// MaxBytes is the largest file accepted (default 32 MiB).
	MaxBytes int64
	// PartSize: larger files upload in parts of this size (default 8 MiB,
	// at least MinPartSize).
	PartSize int64
	// Limits bound cleaning (defaults: 50 megapixels, 320-pixel
	// thumbnails, JPEG quality 90).
	Limits Limits
	// UploadTTL is how long presigned upload requests stay valid (default
	// 1 h; a device asks again to resume later); DownloadTTL the same for
	// downloads (default 5 min).
	UploadTTL   time.Duration
	DownloadTTL time.Duration
	// Retention is how long an upload may stay incomplete, and a media
	// unreferenced, before it is collected (default 7 days).
	Retention time.Duration
	// MaxPending bounds the uploads one user has in progress (default 100).
	MaxPending int
	// Workers bounds the images cleaned at once (default GOMAXPROCS): a
	// 12-megapixel photo takes about 70 MB while it is worked on.
	Workers int
	// ReadPolicies say who besides its owner may read a media, by purpose.
	ReadPolicies map[mediav1.MediaPurpose]ReadPolicy

	Logger *slog.Logger
}

// Service runs uploads, their completion, downloads and collection.
type Service struct {
	cfg     Config
	store   syncengine.Store
	blobs   BlobStore
	workers chan struct{}
	log     *slog.Logger
	// cleaner is clean; tests make it fail the way a decoder bug would.
	cleaner func([]byte, Limits) (*cleaned, error)
}

// New returns a service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Blobs == nil {
		return nil, errors.New("media: a store and a blob store are required")
	}
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.MaxBytes, 32<<20)
	def(&cfg.PartSize, 8<<20)
	def(&cfg.Limits.MaxPixels, 50_000_000)
	if cfg.PartSize < MinPartSize {
		return nil, errors.New("media: parts must be at least 5 MiB")
	}
	if cfg.Limits.Thumbnail <= 0 {
		cfg.Limits.Thumbnail = 320
	}
	if cfg.Limits.Quality <= 0 || cfg.Limits.Quality > 100 {
		cfg.Limits.Quality = 90
	}
	if cfg.UploadTTL <= 0 {
		cfg.UploadTTL = time.Hour
	}
	if cfg.DownloadTTL <= 0 {
		cfg.DownloadTTL = 5 * time.Minute
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 7 * 24 * time.Hour
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 100
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, store: cfg.Store, blobs: cfg.Blobs, workers: make(chan struct{}, cfg.Workers), log: cfg.Logger, cleaner: clean}, nil
}

// Run collects garbage every interval until ctx ends. With several server
// processes, each runs it; they skip one another's rows.
func (s *Service) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		st, err := s.CollectGarbage(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("media collection failed", "err", err)
			continue
		}
		if st != (GCStats{}) {
			s.log.Info("collected media", "uploads", st.Uploads, "media", st.Media)
		}
	}
}

func authenticated(p syncengine.Principal) error {
	if p.UserID == "" {
		return syncengine.Errorf(syncengine.EUNAUTHENTICATED, "sign in first")
	}
	return nil
}

func (s *Service) view(ctx context.Context, fn func(syncengine.Querier) error) error {
	return s.store.View(ctx, fn)
}

func (s *Service) load(ctx context.Context, id string) (*Media, error) {
	var m *Media
	err := s.view(ctx, func(q syncengine.Querier) error {
		var err error
		m, err = getMedia(ctx, q, id, "")
		return err
	})
	return m, err
}

// owned loads a media the principal owns: ENOTFOUND or EPERMISSION
// otherwise.
func (s *Service) owned(ctx context.Context, p syncengine.Principal, id string) (*Media, error) {
	m, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.OwnerID != p.UserID {
		return nil, syncengine.Errorf(syncengine.EPERMISSION, "media %s belongs to another user", id)
	}
	return m, nil
}
