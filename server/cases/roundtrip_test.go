package cases_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestSaveDraftRoundTrips counts case.save_draft's round trips to
// PostgreSQL with a pgx tracer, for new drafts without photos: one per
// draft, its reads (the case looked for and locked, with the author's name
// for its record queued beside it); the case's insert and its history line
// are queued and travel with the next read or the commit.
func TestSaveDraftRoundTrips(t *testing.T) {
	var trips testenv.RoundTrips
	b := servertest.Backend{DB: syncengine.Postgres, Blobs: servertest.MinIO}
	e := newEnvOn(t, b, func(now func() time.Time) syncengine.Store {
		return servertest.TracedStore(t, now, &trips, cases.Schema())
	})
	ph := e.phone(e.author)
	ph.CheckRoundTrips(&trips, 1, func() syncengine.Mutation {
		return ph.Mutation("case.save_draft", &casesv1.SaveDraftArgs{CaseId: uuid.NewString(), Content: content()})
	})
}
