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
// PostgreSQL with a pgx tracer: three per attempt, its reads (the training
// as the doctor may read it, with the version they took queued beside it;
// the status row's update, which returns the row; the progress row's
// upsert, which returns it); the status row's creation and the attempt are
// queued and travel with those reads.
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
	ph.CheckRoundTrips(&trips, 3, func() syncengine.Mutation {
		return ph.Mutation(content.MutationCompleteTraining, complete(tr, answers(tr, false)))
	})
}
