package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/reports/export"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// reportFlags are the flags the report commands share.
type reportFlags struct {
	cfg                 Config
	region, period, out *string
	territories         *bool
}

func newReportFlags(name string) (*reportFlags, *ffcli.Command) {
	f := &reportFlags{}
	fs := newFlagSet(name)
	f.cfg.registerStorage(fs)
	f.region = fs.String("region", "", "the region's id; several separated by commas; \"all\" for every region")
	f.period = fs.String("period", "", "2026-11-05 (day), 2026-W45, 2026-11, 2026-Q4 or 2026-11-01..2026-11-20 (days included)")
	f.territories = fs.Bool("territories", false, "also each territory of the regions")
	f.out = fs.String("out", "", "write to this file instead of standard output")
	return f, &ffcli.Command{FlagSet: fs, Options: envOptions}
}

// compute opens the store and computes the reports the flags name.
func (f *reportFlags) compute(ctx context.Context) ([]*reports.Report, error) {
	if *f.region == "" || *f.period == "" {
		return nil, fmt.Errorf("give --region and --period")
	}
	if err := f.cfg.validate(); err != nil {
		return nil, err
	}
	store, err := openStore(ctx, &f.cfg)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	svc := newReports(store, nil)
	var out []*reports.Report
	err = store.View(ctx, func(q syncengine.Querier) error {
		regions := strings.Split(*f.region, ",")
		if *f.region == "all" {
			if regions, err = sqlq.Strings(ctx, q, `SELECT id FROM regions ORDER BY id`); err != nil {
				return err
			}
		}
		for _, region := range regions {
			scopes := []reports.Scope{{Region: strings.TrimSpace(region)}}
			if *f.territories {
				ts, err := auth.RegionTerritories(ctx, q, scopes[0].Region)
				if err != nil {
					return err
				}
				for _, t := range ts {
					scopes = append(scopes, reports.Scope{Region: scopes[0].Region, Territory: t})
				}
			}
			for _, sc := range scopes {
				loc, err := svc.Location(ctx, q, sc.Region)
				if err != nil {
					return err
				}
				per, err := reports.ParsePeriod(*f.period, loc)
				if err != nil {
					return err
				}
				r, err := svc.ReportFor(ctx, q, sc, per)
				if err != nil {
					return err
				}
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// write writes b to --out or standard output.
func (f *reportFlags) write(stdout io.Writer, b []byte) error {
	if *f.out == "" {
		_, err := stdout.Write(b)
		return err
	}
	return os.WriteFile(*f.out, b, 0o644)
}

func reportCommand(stdout, stderr io.Writer) *ffcli.Command {
	f, cmd := newReportFlags("report")
	format := cmd.FlagSet.String("format", "csv", "csv, xlsx or pdf (one page per region or territory)")
	cmd.Name = "report"
	cmd.ShortUsage = "ordinator report --region msk --period 2026-11 --format csv|xlsx|pdf --out FILE"
	cmd.ShortHelp = "the directors' report of regions for a period, as CSV, XLSX or PDF"
	cmd.LongHelp = "Computes the report of each region (and with --territories each territory) for the period,\n" +
		"with the previous period beside it, as the console and ReportService show it. Doctors' names\n" +
		"appear in the drill-down lists: the file is for the region's directors."
	cmd.Subcommands = []*ffcli.Command{aggregatesCommand(stdout, stderr)}
	cmd.Exec = func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("report takes flags only, got %q", args)
		}
		if !slices.Contains(export.Formats, *format) {
			return fmt.Errorf("--format %s: use csv, xlsx or pdf", *format)
		}
		rs, err := f.compute(ctx)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := export.Write(&buf, *format, rs); err != nil {
			return err
		}
		if err := f.write(stdout, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d reports, %d figures each, period %s\n", len(rs), len(rs[0].Values), rs[0].Period.Name)
		return nil
	}
	return cmd
}

func aggregatesCommand(stdout, stderr io.Writer) *ffcli.Command {
	f, cmd := newReportFlags("report export-aggregates")
	cmd.Name = "export-aggregates"
	cmd.ShortUsage = "ordinator report export-aggregates --region all --period 2026-Q4 [--out FILE]"
	cmd.ShortHelp = "aggregated figures only, small counts suppressed, as CSV"
	cmd.LongHelp = "Writes the figures of the regions (and with --territories their territories) as CSV: no\n" +
		"drill-down lists, no names, and every count below " + fmt.Sprint(export.MinCount) + " shown as \"<" + fmt.Sprint(export.MinCount) + "\", so that no\n" +
		"doctor can be singled out. Run only by hand; nothing exports it automatically."
	cmd.Exec = func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("report export-aggregates takes flags only, got %q", args)
		}
		rs, err := f.compute(ctx)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := export.Aggregates(&buf, rs); err != nil {
			return err
		}
		if err := f.write(stdout, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d scopes, aggregated figures only (counts below %d suppressed)\n", len(rs), export.MinCount)
		return nil
	}
	return cmd
}
