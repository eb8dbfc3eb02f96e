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
	push := func(n int) int64 {
		ms := make([]syncengine.Mutation, n)
		for i := range ms {
			ms[i] = ph.Mutation(content.MutationCompleteTraining, complete(tr, answers(tr, false)))
		}
		return ph.PushRoundTrips(&trips, ms...)
	}
	push(2) // prepares the statements
	const perAttempt = 5
	for _, n := range []int{1, 20} {
		if got, want := push(n), int64(servertest.EngineRoundTrips+perAttempt*n); got != want {
			t.Errorf("%d training.complete in a push: %d round trips, want %d (%d each)", n, got, want, perAttempt)
		}
	}
}
