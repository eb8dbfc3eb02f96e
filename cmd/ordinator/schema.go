package main

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ordinatorhq/ordinator/server/modules"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
)

// A migration set is versioned on its own, in its goose_<name> table: the
// sync engine's, then each module's.
type migrationSet struct {
	name string
	fsys fs.FS
}

func migrationSets(d syncengine.Dialect) []migrationSet {
	engine := sqlite.Migrations()
	if d == syncengine.Postgres {
		engine = postgres.Migrations()
	}
	sets := []migrationSet{{"syncengine", engine}}
	for _, m := range modules.Schemas() {
		sets = append(sets, migrationSet{m.Name, m.Migrations(d)})
	}
	return sets
}

// latest is the newest migration a set holds (goose names them
// 00001_name.sql).
func (m migrationSet) latest() (int64, error) {
	files, err := fs.Glob(m.fsys, "*.sql")
	if err != nil {
		return 0, err
	}
	var v int64
	for _, f := range files {
		n, err := strconv.ParseInt(strings.SplitN(path.Base(f), "_", 2)[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("migrations %s: %s is not named NNNNN_name.sql", m.name, f)
		}
		v = max(v, n)
	}
	return v, nil
}

// versionQuery reads a set's applied version from its goose table; it
// fails if the table does not exist (nothing applied).
func versionQuery(set string) string {
	return `SELECT COALESCE(MAX(version_id), 0) FROM goose_` + set + ` WHERE version_id > 0 AND is_applied`
}

// schemaState is each set's applied version, in migrationSets order.
type schemaState []int64

// total is the schema version: the sum of the sets' versions, which grows
// by one with every migration applied.
func (s schemaState) total() int64 {
	var n int64
	for _, v := range s {
		n += v
	}
	return n
}

// describe lists the sets' versions: "syncengine 2, accounts 2, ...".
func (s schemaState) describe(sets []migrationSet) string {
	parts := make([]string, len(sets))
	for i, m := range sets {
		parts[i] = fmt.Sprintf("%s %d", m.name, s[i])
	}
	return strings.Join(parts, ", ")
}

// readSchema reads the applied versions with queryRow; a set whose table
// is missing is an error.
func readSchema(ctx context.Context, sets []migrationSet, queryRow func(ctx context.Context, query string) (int64, error)) (schemaState, error) {
	state := make(schemaState, len(sets))
	for i, m := range sets {
		v, err := queryRow(ctx, versionQuery(m.name))
		if err != nil {
			return state, fmt.Errorf("migrations %s: %w", m.name, err)
		}
		state[i] = v
	}
	return state, nil
}

// storeSchema reads the applied versions through the store.
func storeSchema(ctx context.Context, store syncengine.Store, sets []migrationSet) (state schemaState, err error) {
	err = store.View(ctx, func(q syncengine.Querier) error {
		state, err = readSchema(ctx, sets, func(ctx context.Context, query string) (v int64, err error) {
			err = q.QueryRow(ctx, query).Scan(&v)
			return v, err
		})
		return err
	})
	return state, err
}

// schemaBefore reads the database's schema before openStore migrates it,
// over a connection of its own, without creating anything: a database that
// does not exist yet, or cannot be reached (openStore then says why), has
// nothing applied.
func schemaBefore(ctx context.Context, cfg *Config, sets []migrationSet) schemaState {
	zero := make(schemaState, len(sets))
	missingIsZero := func(q func(ctx context.Context, query string) (int64, error)) schemaState {
		state := make(schemaState, len(sets))
		for i, m := range sets {
			if v, err := q(ctx, versionQuery(m.name)); err == nil {
				state[i] = v
			}
		}
		return state
	}
	if cfg.DatabaseURL != "" {
		conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
		if err != nil {
			return zero
		}
		defer conn.Close(ctx)
		return missingIsZero(func(ctx context.Context, query string) (v int64, err error) {
			err = conn.QueryRow(ctx, query).Scan(&v)
			return v, err
		})
	}
	file := filepath.Join(cfg.DataDir, "ordinator.db")
	if _, err := os.Stat(file); err != nil {
		return zero
	}
	db, err := sql.Open("sqlite", sqlite.DSN(file, true))
	if err != nil {
		return zero
	}
	defer db.Close()
	return missingIsZero(func(ctx context.Context, query string) (v int64, err error) {
		err = db.QueryRowContext(ctx, query).Scan(&v)
		return v, err
	})
}

// schemaCurrent checks that every migration this binary holds is applied,
// naming the first set that is behind (a replica started against a
// database not yet migrated, or migrated by an older binary).
func schemaCurrent(ctx context.Context, store syncengine.Store) error {
	sets := migrationSets(store.Dialect())
	state, err := storeSchema(ctx, store, sets)
	if err != nil {
		return err
	}
	for i, m := range sets {
		want, err := m.latest()
		if err != nil {
			return err
		}
		if state[i] < want {
			return fmt.Errorf("migrations %s at version %d of %d: run ordinator migrate", m.name, state[i], want)
		}
	}
	return nil
}
