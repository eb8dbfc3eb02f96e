package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// studiesCommand is "ordinator studies": admin tasks on observational
// studies, run against the database directly as the system.
func studiesCommand(stdout io.Writer) *ffcli.Command {
	return &ffcli.Command{
		Name:       "studies",
		ShortUsage: "ordinator studies <create|enrol|list|results> [flags]",
		ShortHelp:  "define observational studies and enrol doctors",
		FlagSet:    newFlagSet("studies"),
		Subcommands: []*ffcli.Command{
			studiesCreateCommand(stdout),
			studiesEnrolCommand(stdout),
			studiesListCommand(stdout),
			studiesResultsCommand(stdout),
		},
	}
}

// withStudies opens the store the flags name and runs fn with the service.
func withStudies(ctx context.Context, cfg *Config, fn func(*studies.Service, syncengine.Store) error) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(studies.New(studies.Config{Store: store}), store)
}

func studiesCreateCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	var st studies.Study
	var visits, fields string
	fs := newFlagSet("studies create")
	cfg.registerStorage(fs)
	fs.StringVar(&st.Title, "title", "", "the study's title (required)")
	fs.StringVar(&st.Description, "description", "", "what doctors are asked to observe")
	fs.StringVar(&visits, "visits", "", "weeks of each visit from a doctor's start, e.g. 0,4,8 (required)")
	fs.StringVar(&fields, "fields", "", "answers every result must have, e.g. iga,erythema")
	fs.Int64Var(&st.PointsPerResult, "points", 0, "points a doctor earns per accepted result")
	fs.StringVar(&st.RegionID, "region", "", "only doctors of this region may be enrolled")
	return &ffcli.Command{
		Name:       "create",
		ShortUsage: "ordinator studies create --title T --visits 0,4,8 [flags]",
		ShortHelp:  "define a study and print its id",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			for _, w := range splitList(visits) {
				n, err := strconv.ParseInt(w, 10, 32)
				if err != nil {
					return fmt.Errorf("--visits %q: use week numbers separated by commas, e.g. 0,4,8", visits)
				}
				st.VisitWeeks = append(st.VisitWeeks, int32(n))
			}
			st.Fields = splitList(fields)
			return withStudies(ctx, &cfg, func(s *studies.Service, _ syncengine.Store) error {
				created, err := s.CreateStudy(ctx, auth.System, st)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "created study %s: %s (visits at weeks %s)\n", created.ID, created.Title, joinWeeks(created.VisitWeeks))
				return nil
			})
		},
	}
}

func studiesEnrolCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	var study, doctor, start string
	fs := newFlagSet("studies enrol")
	cfg.registerStorage(fs)
	fs.StringVar(&study, "study", "", "the study's id (required)")
	fs.StringVar(&doctor, "doctor", "", "the doctor's account: e-mail, phone or id (required)")
	fs.StringVar(&start, "start", "", "the doctor's first day, YYYY-MM-DD (default: today in their time zone)")
	return &ffcli.Command{
		Name:       "enrol",
		ShortUsage: "ordinator studies enrol --study ID --doctor LOGIN [--start YYYY-MM-DD]",
		ShortHelp:  "enrol a verified doctor and print the results they owe",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if study == "" || doctor == "" {
				return fmt.Errorf("--study and --doctor are required")
			}
			return withStudies(ctx, &cfg, func(s *studies.Service, store syncengine.Store) error {
				id := doctor
				if strings.ContainsAny(doctor, "@+") {
					err := store.View(ctx, func(q syncengine.Querier) error {
						u, err := auth.FindUserByLogin(ctx, q, doctor)
						id = u.ID
						return err
					})
					if err != nil {
						return err
					}
				}
				_, results, err := s.EnrolDoctor(ctx, auth.System, study, id, start)
				if err != nil {
					return err
				}
				for _, r := range results {
					fmt.Fprintf(stdout, "visit %d of %s: due %s\n", r.Visit, r.StudyTitle, r.DueDate)
				}
				return nil
			})
		},
	}
}

func studiesListCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	fs := newFlagSet("studies list")
	cfg.registerStorage(fs)
	return &ffcli.Command{
		Name:       "list",
		ShortUsage: "ordinator studies list",
		ShortHelp:  "list studies",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			return withStudies(ctx, &cfg, func(s *studies.Service, _ syncengine.Store) error {
				list, err := s.ListStudies(ctx, auth.System)
				if err != nil {
					return err
				}
				for _, st := range list {
					fmt.Fprintf(stdout, "%s\t%s\tweeks %s\t%d points\n", st.ID, st.Title, joinWeeks(st.VisitWeeks), st.PointsPerResult)
				}
				return nil
			})
		},
	}
}

func studiesResultsCommand(stdout io.Writer) *ffcli.Command {
	var cfg Config
	var study string
	fs := newFlagSet("studies results")
	cfg.registerStorage(fs)
	fs.StringVar(&study, "study", "", "the study's id (required)")
	return &ffcli.Command{
		Name:       "results",
		ShortUsage: "ordinator studies results --study ID",
		ShortHelp:  "who owes which result of a study, overdue first",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			if study == "" {
				return syncengine.Invalid("no study given", syncengine.Violation{Field: "study", Description: "is required: a study id from 'ordinator studies list'"})
			}
			return withStudies(ctx, &cfg, func(s *studies.Service, _ syncengine.Store) error {
				results, err := s.ListResults(ctx, auth.System, study)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "STATUS\tDUE\tDOCTOR\tVISIT\tSUBMITTED\tLAST REMINDER")
				count := map[studiesv1.ResultStatus]int{}
				for _, r := range results {
					count[r.Status]++
					fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\n", resultStatus(r.Status), r.DueDate, r.DoctorName, r.Visit, dayOf(r.SubmittedAtUnixMs), reminderOf(r))
				}
				w.Flush()
				fmt.Fprintf(stdout, "%d overdue, %d owed, %d submitted\n", count[studiesv1.ResultStatus_RESULT_STATUS_OVERDUE],
					count[studiesv1.ResultStatus_RESULT_STATUS_OWED], count[studiesv1.ResultStatus_RESULT_STATUS_SUBMITTED])
				return nil
			})
		},
	}
}

func resultStatus(s studiesv1.ResultStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "RESULT_STATUS_"))
}

// dayOf is the UTC day of a time in milliseconds, "-" for none.
func dayOf(ms int64) string {
	if ms == 0 {
		return "-"
	}
	return time.UnixMilli(ms).UTC().Format(time.DateOnly)
}

func reminderOf(r *studiesv1.StudyResult) string {
	if r.LastReminderAtUnixMs == 0 {
		return "-"
	}
	return dayOf(r.LastReminderAtUnixMs) + " by " + r.LastReminderBy
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func joinWeeks(weeks []int32) string {
	parts := make([]string, len(weeks))
	for i, w := range weeks {
		parts[i] = strconv.Itoa(int(w))
	}
	return strings.Join(parts, ", ")
}
