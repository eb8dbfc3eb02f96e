package probase

import (
	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/probase/v1/probasev1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/notify"
)

// Schema is the doctors directory's tables.
func Schema() module.Schema {
	return module.Schema{Name: "probase", Migrations: Migrations, Requires: []module.Schema{auth.Schema(), notify.Schema()}}
}

// Module is the doctors directory as the server runs it: the reps'
// mutations, DirectoryService and ModerationService.
func (s *Service) Module() module.Module {
	return module.Module{
		Schema:   Schema(),
		Register: s.Register,
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			h := NewHandler(s)
			return []module.Handler{
				module.Connect(probasev1connect.NewModerationServiceHandler(h, opts...)),
				module.Connect(probasev1connect.NewDirectoryServiceHandler(h, opts...)),
			}
		},
	}
}
