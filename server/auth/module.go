package auth

import (
	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	"github.com/ordinatorhq/ordinator/server/module"
)

// Schema is the accounts module's tables.
func Schema() module.Schema { return module.Schema{Name: "auth", Migrations: Migrations} }

// Module is the accounts module as the server runs it: AuthService and
// AdminService, some of whose procedures need no signed-in caller.
func (s *Service) Module() module.Module {
	return module.Module{
		Schema: Schema(),
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			h := NewHandler(s)
			return []module.Handler{
				module.Connect(authv1connect.NewAuthServiceHandler(h, opts...)),
				module.Connect(authv1connect.NewAdminServiceHandler(h, opts...)),
			}
		},
		Public: PublicProcedures,
	}
}
