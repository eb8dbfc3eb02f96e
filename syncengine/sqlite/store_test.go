package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func newStore(t *testing.T, clock func() time.Time) syncengine.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ordinator.db"), sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestStore(t *testing.T) {
	// One writer connection serialises commits by construction, so the
	// commit-order test (sized for PostgreSQL) runs smaller here.
	storetest.Run(t, newStore, storetest.Options{MutationsPerWriter: 200})
}
