package content_test

import (
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestCompleteTrainingRoundTrips counts training.complete's round trips to
// PostgreSQL with a pgx tracer: five per attempt, its reads (the training
// as the doctor may read it, the version they took, the status row's
// update, which returns whether they passed before, and the progress and
// status rows read back for their records); the status row's creation,
// the attempt and the progress are queued and travel with those reads.
func TestCompleteTrainingRoundTrips(t *testing.T) {
	var trips testenv.RoundTrips
	e := newEnvOn(t, func(now func() time.Time) syncengine.Store {
		return servertest.TracedStore(t, now, &trips, media.Schema(), content.Schema())
	})
	e.create(training("course", 50, derm, msk))
	e.publish("course")
	ph := e.doctor("doc", "dermatology", "msk", true)
	ph.Sync()
	tr := ph.items()["course"]
	ph.CheckRoundTrips(&trips, 5, func() syncengine.Mutation {
		return ph.Mutation(content.MutationCompleteTraining, complete(tr, answers(tr, false)))
	})
}
