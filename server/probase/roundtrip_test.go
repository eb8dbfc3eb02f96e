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
// PostgreSQL with a pgx tracer, for an edit that needs a moderator: seven,
// each a read the mutation decides by (the doctor locked, the version the
// rep saw, the clinic and the territory checked, the clinic's name, the
// request's insert, whose count says whether its id was used, the rep's
// territories for the request's record); the history line is queued and
// travels with the next read.
func TestProposeEditRoundTrips(t *testing.T) {
	var trips testenv.RoundTrips
	e := newEnvOn(t, func(now func() time.Time) syncengine.Store {
		return servertest.TracedStore(t, now, &trips, probase.Schema())
	})
	rep := e.device(e.repA)
	edits := 0
	rep.CheckRoundTrips(&trips, 7, func() syncengine.Mutation {
		edits++
		return rep.Mutation("doctor.propose_edit", &probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: e.doctor.Id,
			BaseVersion: e.doctor.Version, Changes: changes("position", fmt.Sprint("position ", edits))})
	})
}
