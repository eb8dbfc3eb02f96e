package media

import (
	"context"
	"time"

	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/server/module"
)

// collectEvery is how often each server process looks for abandoned uploads
// and unused media.
const collectEvery = time.Hour

// Schema is the media module's tables.
func Schema() module.Schema { return module.Schema{Name: "media", Migrations: Migrations} }

// Module is the media module as the server runs it: MediaService, and the
// collection of abandoned uploads and unused media.
func (s *Service) Module() module.Module {
	return module.Module{
		Schema: Schema(),
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			return []module.Handler{module.Connect(mediav1connect.NewMediaServiceHandler(NewHandler(s), opts...))}
		},
		Loops: []func(context.Context) error{func(ctx context.Context) error { return s.Run(ctx, collectEvery) }},
	}
}
