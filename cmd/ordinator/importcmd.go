package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/peterbourgon/ff/v3/ffcli"
	"github.com/schollz/progressbar/v3"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
)

func importCommand(stdout, stderr io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("import doctors")
	cfg.registerStorage(fs)
	quiet := fs.Bool("quiet", false, "no progress bar")
	doctors := &ffcli.Command{
		Name:       "doctors",
		ShortUsage: "ordinator import doctors [flags] FILE.csv",
		ShortHelp:  "import doctors from a CSV file",
		LongHelp: "Creates or updates doctors by external_id. The header names the columns:\n" +
			"external_id (required), full_name, specialty, clinic_id, position, phones (separated by ;),\n" +
			"email, postal_code, city, street, building, apartment, territory_id, status.\n" +
			"Every row is checked with the doctor template; bad rows are reported by line and skipped.\n" +
			"Importing the same file again changes nothing.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return errors.New("import doctors needs one CSV file")
			}
			if err := cfg.validate(); err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rows, unreadable, err := probase.ReadImport(f)
			if err != nil {
				return fmt.Errorf("%s: %v", args[0], err)
			}
			store, err := openStore(ctx, &cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			dir, err := probase.New(ctx, store, cfg.logger(stderr))
			if err != nil {
				return err
			}
			var bar *progressbar.ProgressBar
			if !*quiet {
				bar = progressbar.NewOptions(len(rows), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("importing doctors"),
					progressbar.OptionShowCount(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
			}
			rep, err := dir.Import(ctx, auth.System, rows, func(n int) {
				if bar != nil {
					bar.Add(n)
				}
			})
			if err != nil {
				return err
			}
			for _, le := range append(unreadable, rep.Errors...) {
				fmt.Fprintf(stdout, "%s: %v\n", args[0], le)
			}
			fmt.Fprintf(stdout, "%d created, %d updated, %d unchanged, %d rejected\n", rep.Created, rep.Updated, rep.Unchanged, len(unreadable)+len(rep.Errors))
			if len(unreadable)+len(rep.Errors) > 0 {
				return fmt.Errorf("%d rows were not imported", len(unreadable)+len(rep.Errors))
			}
			return nil
		},
	}
	return &ffcli.Command{
		Name:        "import",
		ShortUsage:  "ordinator import <what> [flags] FILE",
		ShortHelp:   "import data from files",
		FlagSet:     newFlagSet("import"),
		Subcommands: []*ffcli.Command{doctors},
	}
}
