package main

import (
	"time"

	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// newReports returns the directors' reports over every module's figures.
func newReports(store syncengine.Store, now func() time.Time) *reports.Service {
	figs, lists := reports.ModuleFigures()
	return reports.New(reports.Config{Store: store, Figures: figs, Lists: lists, Now: now})
}

// summaryFigures are the figures of the daily summary push, read from the
// reports so that the push and the reports agree.
var summaryFigures = []string{notify.FigureNewDoctors, notify.FigureApprovedEdits, notify.FigureCasesSubmitted,
	notify.FigureCasesPublished, notify.FigureOverdueResults, notify.FigureGiftOrders}
