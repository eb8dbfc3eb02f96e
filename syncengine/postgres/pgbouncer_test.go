package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// TestStoreThroughPgBouncer runs the whole store conformance suite (push,
// pull, live changes, compaction...) through PgBouncer in transaction
// mode, LISTEN and migrations going to the database directly.
func TestStoreThroughPgBouncer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, clock func() time.Time) syncengine.Store {
		direct := testenv.PostgresURL(t, template)
		s, err := postgres.Open(context.Background(), testenv.PgBouncer(t, direct), postgres.Options{Now: clock, MaxConns: 16, TransactionPooler: true, DirectURL: direct})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}, storetest.Options{})
}

// A transaction pooler without a direct URL is refused: LISTEN through it
// would hear nothing.
func TestPoolerNeedsDirectURL(t *testing.T) {
	direct := testenv.PostgresURL(t, template)
	if _, err := postgres.Open(context.Background(), direct, postgres.Options{TransactionPooler: true}); err == nil {
		t.Fatal("opened a pooled store without a direct URL")
	}
}
