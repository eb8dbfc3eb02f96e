package cases

import (
	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/cases/v1/casesv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
)

// Schema is the clinical cases' tables.
func Schema() module.Schema {
	return module.Schema{Name: "cases", Migrations: Migrations, Requires: []module.Schema{auth.Schema(), notify.Schema(), points.Schema(), media.Schema()}}
}

// Module is the clinical cases module as the server runs it: the doctors'
// mutations, CaseModerationService and CaseReportService.
func (s *Service) Module() module.Module {
	return module.Module{
		Schema:   Schema(),
		Register: s.Register,
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			h := NewHandler(s)
			return []module.Handler{
				module.Connect(casesv1connect.NewCaseModerationServiceHandler(h, opts...)),
				module.Connect(casesv1connect.NewCaseReportServiceHandler(h, opts...)),
			}
		},
	}
}
