package main

import (
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// newReports returns the directors' reports over every module's figures,
// in the order reports show them.
func newReports(store syncengine.Store, now func() time.Time) *reports.Service {
	var figs []figure.Figure
	for _, f := range [][]figure.Figure{probase.Figures(), studies.Figures(), auth.Figures(), content.Figures(), points.Figures(), cases.Figures(), gifts.Figures()} {
		figs = append(figs, f...)
	}
	return reports.New(reports.Config{Store: store, Figures: figs, Lists: append(studies.Lists(), probase.Lists()...), Now: now})
}

// summaryFigures are the figures of the daily summary push, read from the
// reports so that the push and the reports agree.
var summaryFigures = []string{notify.FigureNewDoctors, notify.FigureApprovedEdits, notify.FigureCasesSubmitted,
	notify.FigureCasesPublished, notify.FigureOverdueResults, notify.FigureGiftOrders}
