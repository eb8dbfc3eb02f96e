package probase_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestProposeEditRoundTrips counts doctor.propose_edit's round trips to
// PostgreSQL with a pgx tracer, for an edit that needs a moderator: four,
// each a read the mutation decides by (the rep's territories, with the
// version the rep saw queued beside them; the doctor locked; the clinic's
// name; the clinic and the territory checked, with the request's insert,
// whose answer says whether its id was used); the history line is queued
// and travels with the commit.
func TestProposeEditRoundTrips(t *testing.T) {
	var trips testenv.RoundTrips
	e := newEnvOn(t, func(now func() time.Time) syncengine.Store {
		return servertest.TracedStore(t, now, &trips, probase.Schema())
	})
	rep := e.device(e.repA)
	edits := 0
	rep.CheckRoundTrips(&trips, 4, func() syncengine.Mutation {
		edits++
		return rep.Mutation("doctor.propose_edit", &probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: e.doctor.Id,
			BaseVersion: e.doctor.Version, Changes: changes("position", fmt.Sprint("position ", edits))})
	})
}
