package gifts_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestPlaceOrderRoundTrips counts gift.place_order's round trips to
// PostgreSQL with a pgx tracer: two per order (the offer's read; then the
// numbered order's insert, the balance's debit and the stock's take, queued
// reads that travel together); the ledger entry and the lines are queued
// writes and travel with the next order's first statement, or with the
// commit.
func TestPlaceOrderRoundTrips(t *testing.T) {
	var trips testenv.RoundTrips
	e := newEnvOn(t, gifts.Config{}, func(now func() time.Time) syncengine.Store {
		return servertest.TracedStore(t, now, &trips, gifts.Schema())
	})
	cream := e.item("CREAM-50", "Repair cream 50 ml", 100_000)
	w := e.wave("msk", 2*time.Hour, time.Hour)
	e.offer(w, cream, 10, 0, 100_000) // plenty in every shard
	d := e.device(e.doctor("msk", 100_000, true))
	d.CheckRoundTrips(&trips, 2, func() syncengine.Mutation {
		return d.Mutation(gifts.MutationPlaceOrder, orderArgs(uuid.NewString(), w.ID, line(cream, 1)))
	})
}
