package notify

import (
	"time"

	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/notify/v1/notifyv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
)

// The pruning job runs hourly and keeps a month of delivery records.
const (
	pruneEvery = time.Hour
	pruneAfter = 30 * 24 * time.Hour
)

// Schema is the notification module's tables; its queries read the
// accounts' (users, devices).
func Schema() module.Schema {
	return module.Schema{Name: "notify", Migrations: Migrations, Requires: []module.Schema{auth.Schema()}}
}

// Module is the device side of notifications as the server runs it: the
// inbox mutations, NotifyService and the pruning job. Delivery (workers,
// the waker, the scheduler, live presence) is configured per process, by
// whoever wires the binary, and added to the descriptor's loops there.
func (s *Service) Module() module.Module {
	return module.Module{
		Schema:   Schema(),
		Register: s.Register,
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			return []module.Handler{module.Connect(notifyv1connect.NewNotifyServiceHandler(NewHandler(s), opts...))}
		},
		Jobs: []module.Job{PruneJob(s.store, pruneEvery, pruneAfter)},
	}
}
