package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// template is a database with the engine's and the test collections'
// migrations applied, cloned for every test.
var template = testenv.Template{
	Name:    "syncengine",
	Version: storetest.SchemaVersion(postgres.Migrations()),
	Migrate: func(ctx context.Context, url string) error {
		s, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Migrate(ctx, "storetest", storetest.Migrations())
	},
}

func newStore(t *testing.T, clock func() time.Time) syncengine.Store {
	s, err := postgres.Open(context.Background(), testenv.PostgresURL(t, template), postgres.Options{Now: clock, MaxConns: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, newStore, storetest.Options{})
}
