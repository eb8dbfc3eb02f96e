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
	storetest.Run(t, newStore, storetest.Options{Sever: sever})
}

// sever terminates one busy backend of the store's database other than
// its own: a writer mid-transaction, or a puller.
func sever(s syncengine.Store) error {
	_, err := s.(*postgres.Store).Pool().Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
			AND state IN ('active', 'idle in transaction') AND query NOT ILIKE 'LISTEN%'
		ORDER BY random() LIMIT 1`)
	if err != nil && s.Transient(err) {
		return nil // the pool lent a connection an earlier call broke
	}
	return err
}
