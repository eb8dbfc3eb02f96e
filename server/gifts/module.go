package gifts

import (
	"context"
	"time"

	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1/giftsv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
)

// tickEvery is how often a server process runs the waves' scheduled work
// (announcements, stock levels, releases); every process may, the work is
// idempotent.
const tickEvery = 5 * time.Second

// Schema is the gifts module's tables.
func Schema() module.Schema {
	return module.Schema{Name: "gifts", Migrations: Migrations, Requires: []module.Schema{auth.Schema(), notify.Schema(), points.Schema()}}
}

// Module is the gifts module as the server runs it: the doctors' order
// mutations, GiftAdminService and WarehouseService, and the waves'
// scheduled work (Run).
func (s *Service) Module() module.Module {
	return module.Module{
		Schema:   Schema(),
		Register: s.Register,
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			h := NewHandler(s)
			return []module.Handler{
				module.Connect(giftsv1connect.NewGiftAdminServiceHandler(h, opts...)),
				module.Connect(giftsv1connect.NewWarehouseServiceHandler(h, opts...)),
			}
		},
		Loops: []func(context.Context) error{func(ctx context.Context) error { s.Run(ctx); return nil }},
	}
}

// Run runs Tick until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := s.Tick(ctx, now); err != nil && ctx.Err() == nil {
				s.log.Error("gift waves tick failed", "err", err)
			}
		}
	}
}
