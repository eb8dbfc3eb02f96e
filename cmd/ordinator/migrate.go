package main

import (
	"context"
	"fmt"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/ordinatorhq/ordinator/syncengine"
)

func migrateCommand(stdout, stderr io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("migrate")
	cfg.registerStorage(fs)
	return &ffcli.Command{
		Name:       "migrate",
		ShortUsage: "ordinator migrate [flags]",
		ShortHelp:  "apply database migrations (serve does this too)",
		LongHelp:   "Applies every pending migration to the database, idempotently. With no flags it migrates the embedded SQLite database.",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("migrate takes no arguments, got %q", args)
			}
			if err := cfg.validate(); err != nil {
				return err
			}
			dialect := syncengine.SQLite
			if cfg.DatabaseURL != "" {
				dialect = syncengine.Postgres
			}
			sets := migrationSets(dialect)
			before := schemaBefore(ctx, &cfg, sets)
			store, err := openStore(ctx, &cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			after, err := storeSchema(ctx, store, sets)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, migrateReport(dialect, sets, before, after))
			return nil
		},
	}
}

// migrateReport says what migrate did: "applied 23 migrations (postgres),
// now at version 23 (syncengine 2, accounts 2, ...)", or "already at
// version 23 ..." when there was nothing to apply.
func migrateReport(d syncengine.Dialect, sets []migrationSet, before, after schemaState) string {
	applied := after.total() - before.total()
	detail := fmt.Sprintf("version %d (%s)", after.total(), after.describe(sets))
	switch applied {
	case 0:
		return fmt.Sprintf("already at %s, nothing to apply (%s)", detail, d)
	case 1:
		return fmt.Sprintf("applied 1 migration (%s), now at %s", d, detail)
	}
	return fmt.Sprintf("applied %d migrations (%s), now at %s", applied, d, detail)
}
