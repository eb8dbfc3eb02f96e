// Package gifts is gift waves and the gift warehouse: doctors exchange
// points for items during a wave (a time window per region) through the
// offline mutations gift.place_order and gift.cancel_order, applied exactly
// once by the sync engine without overselling stock or overdrawing points;
// the warehouse records stock movements, packs orders into shipments by
// address and reports stock; Tick announces waves opening, closing soon and
// closed, and keeps the stock levels devices see roughly current.
package gifts

import (
	"context"
	"embed"
	"log/slog"
	"time"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Mutations this module applies and collections it syncs (their names are
// declared in the protos).
const (
	MutationPlaceOrder  = giftsv1.PlaceOrderMutation
	MutationCancelOrder = giftsv1.CancelOrderMutation
)

const (
	WaveCollection        = giftsv1.WaveCollection        // region bucket
	CatalogCollection     = giftsv1.CatalogItemCollection // region bucket, id "<wave>/<item>"
	OrderCollection       = giftsv1.OrderCollection       // the doctor's bucket
	catalogIDSeparator    = "/"
	defaultGrace          = 24 * time.Hour
	defaultClosingSoon    = 24 * time.Hour
	defaultPublishEvery   = 5 * time.Second
	defaultNoticePageSize = 500
)

// Notification kinds this module enqueues (texts in server/notify/templates.go).
const (
	NoticeWaveOpened      = "gift.wave_opened"
	NoticeWaveClosingSoon = "gift.wave_closing_soon"
	NoticeWaveClosed      = "gift.wave_closed"
	NoticeShipped         = "gift.shipped"
)

// Config tunes the service. Zero values take the defaults.
type Config struct {
	// Grace is how long after a wave closes an order made offline before
	// the close is still accepted, for waves created without their own
	// (default 24 hours).
	Grace time.Duration
	// ClosingSoon is how long before a wave closes its doctors are told
	// (default 24 hours).
	ClosingSoon time.Duration
	// PublishEvery bounds how stale the stock level devices see may get
	// while orders come in (default 5 s).
	PublishEvery time.Duration
	// NoticePageSize is how many doctors one announcement transaction
	// notifies (default 500).
	NoticePageSize int
	// Territory queues the read of the territory a doctor's orders count
	// under in the territory report ("" for none) with
	// syncengine.Tx.QueueScan, to land in into when wait returns; nil
	// counts every order under "". The doctors directory knows it.
	Territory func(ctx context.Context, tx syncengine.Tx, userID string, into *string) (wait func() error)
	Logger    *slog.Logger
}

// Service is the gifts module.
type Service struct {
	store syncengine.Store
	cfg   Config
	log   *slog.Logger
}

// New returns the service.
func New(store syncengine.Store, cfg Config) *Service {
	if cfg.Grace <= 0 {
		cfg.Grace = defaultGrace
	}
	if cfg.ClosingSoon <= 0 {
		cfg.ClosingSoon = defaultClosingSoon
	}
	if cfg.PublishEvery <= 0 {
		cfg.PublishEvery = defaultPublishEvery
	}
	if cfg.NoticePageSize <= 0 {
		cfg.NoticePageSize = defaultNoticePageSize
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{store: store, cfg: cfg, log: cfg.Logger}
}

// Register adds the module's mutations to a registry.
func (s *Service) Register(r *syncengine.Registry) {
	r.Register(MutationPlaceOrder, mutator.New(func() *giftsv1.PlaceOrderArgs { return &giftsv1.PlaceOrderArgs{} }, s.placeOrder))
	r.Register(MutationCancelOrder, mutator.New(func() *giftsv1.CancelOrderArgs { return &giftsv1.CancelOrderArgs{} }, s.cancelOrder))
}
