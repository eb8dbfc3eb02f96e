package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// TestUpgrade opens a database an older server left, with superseded
// changes compaction had not reached yet: they are gone, nothing else is.
func TestUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ordinator.db")
	db, err := sql.Open("sqlite", sqlite.DSN(path, false))
	if err != nil {
		t.Fatal(err)
	}
	storetest.MigrateTo(t, db, goose.DialectSQLite3, sqlite.Migrations(), 1)
	storetest.SeedLegacyLog(t, db)
	db.Close()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckUpgradedLog(t, s)
}
