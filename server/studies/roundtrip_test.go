package studies_test

import (
	"testing"
	"time"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestSubmitResultRoundTrips counts study.submit_result's round trips to
// PostgreSQL with a pgx tracer: two per result, its reads (the enrolment,
// with the visit's row queued beside it; the balance's credit, which
// returns the balance, with the result's update, which returns the
// record); the ledger entry is queued and travels with the commit.
func TestSubmitResultRoundTrips(t *testing.T) {
	var trips testenv.RoundTrips
	e := newEnvOn(t, func(now func() time.Time) syncengine.Store {
		return servertest.TracedStore(t, now, &trips, studies.Schema())
	})
	admin, doc := e.account(auth.RoleAdmin), e.account(auth.RoleDoctor)
	weeks := make([]int32, 25)
	for i := range weeks {
		weeks[i] = int32(i)
	}
	st, _ := e.study(admin, doc, weeks, "2026-03-01")
	var u auth.User
	if err := e.store.View(e.ctx, func(q syncengine.Querier) error {
		var err error
		u, err = auth.FindUser(e.ctx, q, doc.user.Id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d := servertest.NewDevice(t, servertest.DeviceConfig{Engine: e.engine, Principal: auth.Principal(u, ""), Schema: 1, Clock: e.clock.Now})
	visit := int32(0)
	d.CheckRoundTrips(&trips, 2, func() syncengine.Mutation {
		visit++
		return d.Mutation(studies.MutationSubmitResult, &studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: visit,
			Answers: map[string]string{"iga": "2", "erythema": "mild"}, ObservedOn: "2026-03-01"})
	})
}
