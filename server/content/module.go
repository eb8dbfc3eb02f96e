package content

import (
	"context"

	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/content/v1/contentv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/points"
)

// Schema is the content library's tables.
func Schema() module.Schema {
	return module.Schema{Name: "content", Migrations: Migrations, Requires: []module.Schema{auth.Schema(), points.Schema()}}
}

// Module is the content library as the server runs it: the doctors'
// progress mutations, ContentService, and the loop that moves items whose
// publish window opened or closed (every Config.WindowEvery).
func (s *Service) Module() module.Module {
	return module.Module{
		Schema:   Schema(),
		Register: s.Register,
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			return []module.Handler{module.Connect(contentv1connect.NewContentServiceHandler(NewHandler(s), opts...))}
		},
		Loops: []func(context.Context) error{func(ctx context.Context) error { s.Run(ctx, s.cfg.WindowEvery); return nil }},
	}
}
