// Package reports computes the directors' statistics: every figure the
// modules register (figure.Figure), per region or territory, for a period
// and the period before it, with a daily series, and the drill-down
// lists. The daily summary push reads the same figures (Counter), so its
// numbers and the reports' agree.
package reports

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"slices"
	"time"

	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/api/ordinator/reports/v1/reportsv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the reports' migrations (the indexes the figures
// read through; the same for both dialects).
var Migrations = syncengine.DialectMigrations(migrations)

// Schema is the reports' indexes, on the tables of the modules they read.
func Schema() module.Schema {
	return module.Schema{Name: "reports", Migrations: Migrations, Requires: []module.Schema{
		auth.Schema(), points.Schema(), probase.Schema(), content.Schema(), cases.Schema(), gifts.Schema(), studies.Schema()}}
}

// Config configures the reports.
type Config struct {
	Store   syncengine.Store
	Figures []figure.Figure
	Lists   []figure.List
	Now     func() time.Time // default time.Now
}

// Service computes reports.
type Service struct {
	cfg Config
}

// New returns the reports over the given figures and lists.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// Figures are the figures the service computes, in order.
func (s *Service) Figures() []figure.Figure { return s.cfg.Figures }

// Scope names what a report covers: a region, or a territory of it.
type Scope = figure.Scope

// Report is a scope's figures for a period.
type Report struct {
	Scope
	RegionName, TerritoryName string
	Period, Previous          Period
	Values                    []Value
	Lists                     []Table
}

// Table is a drill-down list.
type Table struct {
	Key, Title string
	Columns    []string
	Rows       [][]string
}

// ListLimit bounds the rows of a drill-down list.
const ListLimit = 500

// Report computes the report of a scope for a period ("2026-11", see
// ParsePeriod), for p: directors for the regions they follow, moderators
// and admins for any. Bad input computes nothing.
func (s *Service) Report(ctx context.Context, p syncengine.Principal, sc Scope, period string) (*Report, error) {
	var r *Report
	err := s.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		loc, err := s.resolve(ctx, q, p, sc)
		if err != nil {
			return err
		}
		per, err := ParsePeriod(period, loc)
		if err != nil {
			return err
		}
		r, err = s.compute(ctx, q, sc, per, true)
		return err
	})
	return r, err
}

// ReportFor computes the report of a scope for a period already parsed, as
// the system (the snapshot job, the command line).
func (s *Service) ReportFor(ctx context.Context, q syncengine.Querier, sc Scope, per Period) (*Report, error) {
	if _, err := s.resolve(ctx, q, auth.System, sc); err != nil {
		return nil, err
	}
	return s.compute(ctx, q, sc, per, true)
}

// Location is a region's time zone, periods' days are its days.
func (s *Service) Location(ctx context.Context, q syncengine.Querier, region string) (*time.Location, error) {
	return s.resolve(ctx, q, auth.System, Scope{Region: region})
}

// resolve checks the scope exists and p may read it, and returns the
// region's time zone.
func (s *Service) resolve(ctx context.Context, q syncengine.Querier, p syncengine.Principal, sc Scope) (*time.Location, error) {
	var zone string
	if err := q.QueryRow(ctx, `SELECT time_zone FROM regions WHERE id = $1`, sc.Region).Scan(&zone); errors.Is(err, sql.ErrNoRows) {
		return nil, syncengine.Errorf(syncengine.ENOTFOUND, "no region %q", sc.Region)
	} else if err != nil {
		return nil, err
	}
	if sc.Territory != "" {
		var region string
		err := q.QueryRow(ctx, `SELECT region_id FROM territories WHERE id = $1`, sc.Territory).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && region != sc.Region) {
			return nil, syncengine.Errorf(syncengine.ENOTFOUND, "no territory %q in region %q", sc.Territory, sc.Region)
		} else if err != nil {
			return nil, err
		}
	}
	if err := auth.Require(p, auth.RoleDirector, auth.RoleModerator); err != nil {
		return nil, err
	}
	if auth.ClaimsOf(p).Role == auth.RoleDirector {
		follows, err := auth.DirectorRegions(ctx, q, p.UserID)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(follows, sc.Region) {
			return nil, syncengine.Errorf(syncengine.EPERMISSION, "you do not follow region %q", sc.Region)
		}
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return loc, nil
}

func (s *Service) compute(ctx context.Context, q syncengine.Querier, sc Scope, per Period, lists bool) (*Report, error) {
	r := &Report{Scope: sc, Period: per, Previous: per.Previous()}
	if err := q.QueryRow(ctx, `SELECT name FROM regions WHERE id = $1`, sc.Region).Scan(&r.RegionName); err != nil {
		return nil, err
	}
	if sc.Territory != "" {
		if err := q.QueryRow(ctx, `SELECT name FROM territories WHERE id = $1`, sc.Territory).Scan(&r.TerritoryName); err != nil {
			return nil, err
		}
	}
	w := window{prev: r.Previous, cur: per, now: s.cfg.Now()}
	for _, f := range s.cfg.Figures {
		v, err := compute(ctx, q, f, sc, w)
		if err != nil {
			return nil, err
		}
		r.Values = append(r.Values, v)
	}
	if lists {
		for _, l := range s.cfg.Lists {
			rows, err := l.Rows(ctx, q, sc, w.stateAt(per), ListLimit)
			if err != nil {
				return nil, err
			}
			r.Lists = append(r.Lists, Table{Key: l.Key, Title: l.Title, Columns: l.Columns, Rows: rows})
		}
	}
	return r, nil
}

// Counter is one figure as the daily summary reads it: the region's value
// from from to to (local midnights), computed as the reports compute it.
func (s *Service) Counter(key string) func(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	return func(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
		for _, f := range s.cfg.Figures {
			if f.Key != key {
				continue
			}
			per, err := Range(from, to)
			if err != nil {
				return 0, err
			}
			v, err := compute(ctx, q, f, Scope{Region: regionID}, window{prev: per.Previous(), cur: per, now: s.cfg.Now()})
			return v.Current, err
		}
		return 0, syncengine.Errorf(syncengine.ENOTFOUND, "no figure %q", key)
	}
}

// Module is the reports as the server runs them: ReportService and the
// job that writes the directors' phone snapshots.
func (s *Service) Module() module.Module {
	return module.Module{
		Schema: Schema(),
		Handlers: func(opts ...connect.HandlerOption) []module.Handler {
			return []module.Handler{module.Connect(reportsv1connect.NewReportServiceHandler(NewHandler(s), opts...))}
		},
		Jobs: []module.Job{s.Job(time.Hour)},
	}
}

// ModuleFigures are the figures and lists every module registers, in the
// order reports show them.
func ModuleFigures() ([]figure.Figure, []figure.List) {
	var figs []figure.Figure
	for _, f := range [][]figure.Figure{probase.Figures(), studies.Figures(), auth.Figures(), content.Figures(), points.Figures(), cases.Figures(), gifts.Figures()} {
		figs = append(figs, f...)
	}
	return figs, append(studies.Lists(), probase.Lists()...)
}
