package studies

import (
	"time"

	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/studies/v1/studiesv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
)

// jobEvery is how often the scheduler looks for results falling due or
// overdue.
const jobEvery = time.Minute

// Schema is the studies module's tables.
func Schema() module.Schema {
	return module.Schema{Name: "studies", Migrations: Migrations, Requires: []module.Schema{auth.Schema(), notify.Schema(), points.Schema()}}
}

// Module is the studies module as the server runs it: the doctors' and
// reps' mutations, StudiesService, and the reminders job.
func (s *Service) Module() module.Module {
	return module.Module{
		Schema:   Schema(),
		Register: s.Register,
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			return []module.Handler{module.Connect(studiesv1connect.NewStudiesServiceHandler(NewHandler(s), opts...))}
		},
		Jobs: []module.Job{s.Job(jobEvery)},
	}
}
