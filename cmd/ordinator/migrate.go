package main

import (
	"context"
	"fmt"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"
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
			store, err := openStore(ctx, &cfg)
			if err != nil {
				return err
			}
			store.Close()
			fmt.Fprintf(stdout, "database is up to date (%s)\n", store.Dialect())
			return nil
		},
	}
}
