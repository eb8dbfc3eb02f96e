package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// TestUpgrade opens a database an older server left, with superseded
// changes compaction had not reached yet: they are gone, nothing else is.
func TestUpgrade(t *testing.T) {
	url := testenv.PostgresURL(t, testenv.Template{Name: "empty", Version: "1"})
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MigrateTo(t, db, goose.DialectPostgres, postgres.Migrations(), 1)
	storetest.SeedLegacyLog(t, db)
	db.Close()
	s, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckUpgradedLog(t, s)
}
