package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
)

func exportCommand(stdout, stderr io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("export cases")
	cfg.registerStorage(fs)
	specialty := fs.String("specialty", "", "only cases published to this specialty, e.g. dermatology")
	from := fs.String("from", "", "only cases published on or after this day (YYYY-MM-DD, UTC)")
	to := fs.String("to", "", "only cases published before this day (YYYY-MM-DD, UTC)")
	out := fs.String("out", "", "write the CSV to this file instead of standard output")
	casesCmd := &ffcli.Command{
		Name:       "cases",
		ShortUsage: "ordinator export cases [flags]",
		ShortHelp:  "published clinical cases per product, as CSV",
		LongHelp: "Counts published clinical cases per product with the distribution of their outcomes and\n" +
			"the median length of treatment, for the manufacturer. Columns: " + strings.Join(cases.CSVHeader, ", ") + ".\n" +
			"Products are grouped however doctors spelled them (case and spaces aside). No personal data.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("export cases takes flags only, got %q", args)
			}
			if err := cfg.validate(); err != nil {
				return err
			}
			f := cases.ExportFilter{Specialty: *specialty}
			var err error
			if f.From, err = day("--from", *from); err != nil {
				return err
			}
			if f.To, err = day("--to", *to); err != nil {
				return err
			}
			store, err := openStore(ctx, &cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			report, err := cases.New(store, cases.Config{Logger: cfg.logger(stderr)}).Export(ctx, auth.System, f)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := report.WriteCSV(&buf); err != nil {
				return err
			}
			if *out == "" {
				_, err = stdout.Write(buf.Bytes())
			} else {
				err = os.WriteFile(*out, buf.Bytes(), 0o644)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "%d products, %d published cases\n", len(report.Rows), report.Cases)
			return nil
		},
	}
	return &ffcli.Command{
		Name:        "export",
		ShortUsage:  "ordinator export <what> [flags]",
		ShortHelp:   "export reports for the manufacturer",
		FlagSet:     newFlagSet("export"),
		Subcommands: []*ffcli.Command{casesCmd},
	}
}

// day parses a flag's YYYY-MM-DD day (UTC); "" is no day.
func day(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, errors.New(flag + " " + s + ": give a day as YYYY-MM-DD")
	}
	return t, nil
}
