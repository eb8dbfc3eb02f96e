package points

import (
	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/points/v1/pointsv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Schema is the points ledger's tables.
func Schema() module.Schema {
	return module.Schema{Name: "points", Migrations: Migrations, Requires: []module.Schema{auth.Schema()}}
}

// Module is the points ledger as the server runs it over store:
// PointsService. Other modules write the ledger in their own transactions.
func Module(store syncengine.Store) module.Module {
	return module.Module{
		Schema: Schema(),
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			return []module.Handler{module.Connect(pointsv1connect.NewPointsServiceHandler(NewHandler(store), opts...))}
		},
	}
}
