package cases_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The manufacturer's export counts published cases per product (however
// doctors spelled it) with their outcomes and treatment length, and holds
// nothing about patients or doctors.
func TestExport(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author, colleague := e.phone(e.author), e.phone(e.colleague)
		with := func(product string, outcome casesv1.Outcome, days int32) *casesv1.CaseContent {
			c := content()
			c.Product, c.Outcome, c.DurationDays = product, outcome, days
			return c
		}
		published(t, e, author, with("Эффаклар Дуо(+)", casesv1.Outcome_OUTCOME_CLEARED, 56), 41)
		published(t, e, colleague, with("эффаклар  дуо(+)", casesv1.Outcome_OUTCOME_MARKED_IMPROVEMENT, 84), 43)
		published(t, e, author, with("Эффаклар Дуо(+)", casesv1.Outcome_OUTCOME_NO_CHANGE, 28), 45)
		published(t, e, colleague, with("Lipikar Baume AP+M", casesv1.Outcome_OUTCOME_PARTIAL_IMPROVEMENT, 30), 47)
		e.clock.Advance(48 * time.Hour)
		later := e.clock.Now()
		author = e.phone(e.author) // signed in again after two days
		published(t, e, e.phone(e.cosmetologist), with("=Cicaplast", casesv1.Outcome_OUTCOME_WORSENED, 14), 49)
		// Submitted but not published: not counted.
		draftID := uuid.NewString()
		b, a := photo(96, 64, 51), photo(96, 64, 52)
		bID, aID := uuid.NewString(), uuid.NewString()
		author.media.Upload(bID, b)
		author.media.Upload(aID, a)
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: draftID, Content: with("Эффаклар Дуо(+)", casesv1.Outcome_OUTCOME_CLEARED, 10)})
		c := with("Эффаклар Дуо(+)", casesv1.Outcome_OUTCOME_CLEARED, 10)
		c.Photos = []*casesv1.CasePhoto{before(bID), after(aID)}
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: draftID, Content: c})
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: draftID})

		// The directors' summary figures: six submitted, five published, all
		// by doctors of msk; the last one two days after the others.
		figures := func(count func(context.Context, syncengine.Querier, string, time.Time, time.Time) (int64, error), from time.Time) int64 {
			var n int64
			must(t, e.store.View(ctx, func(q syncengine.Querier) error {
				var err error
				n, err = count(ctx, q, "msk", from, later.Add(time.Hour))
				return err
			}))
			return n
		}
		if s, p := figures(cases.CountSubmitted, time.Time{}), figures(cases.CountPublished, time.Time{}); s != 6 || p != 5 {
			t.Fatalf("summary figures: %d submitted, %d published; want 6 and 5", s, p)
		}
		if s, p := figures(cases.CountSubmitted, later), figures(cases.CountPublished, later); s != 2 || p != 1 {
			t.Fatalf("summary figures since %v: %d submitted, %d published; want 2 and 1", later, s, p)
		}

		admin := e.console(e.admin)
		export := func(req *casesv1.ExportCasesRequest) *casesv1.ExportCasesResponse {
			t.Helper()
			res, err := admin.reports.ExportCases(ctx, connect.NewRequest(req))
			must(t, err)
			return res.Msg
		}
		all := export(&casesv1.ExportCasesRequest{})
		want := "product,cases,cleared,marked_improvement,partial_improvement,no_change,worsened,median_duration_days\n" +
			"Эффаклар Дуо(+),3,1,1,0,1,0,56\n" +
			"'=Cicaplast,1,0,0,0,0,1,14\n" +
			"Lipikar Baume AP+M,1,0,0,1,0,0,30\n"
		if string(all.Csv) != want || all.Products != 3 || all.Cases != 5 {
			t.Fatalf("export (%d products, %d cases):\n%s\nwant:\n%s", all.Products, all.Cases, all.Csv, want)
		}
		for _, private := range []string{e.author.Name, e.colleague.Name, e.author.ID, "Акне", "Пациентка", "dermatology"} {
			if strings.Contains(string(all.Csv), private) {
				t.Fatalf("the export carries %q", private)
			}
		}
		derm := export(&casesv1.ExportCasesRequest{Specialty: "dermatology"})
		if derm.Cases != 4 || strings.Contains(string(derm.Csv), "Cicaplast") {
			t.Fatalf("dermatology only:\n%s", derm.Csv)
		}
		recent := export(&casesv1.ExportCasesRequest{PublishedFromUnixMs: later.UnixMilli()})
		old := export(&casesv1.ExportCasesRequest{PublishedToUnixMs: later.UnixMilli()})
		if recent.Cases != 1 || old.Cases != 4 {
			t.Fatalf("by time: %d recent, %d older", recent.Cases, old.Cases)
		}
		// A filter that can only be a mistake is refused, not answered with
		// an empty export.
		for _, bad := range []*casesv1.ExportCasesRequest{
			{Specialty: "astrology"},
			{PublishedFromUnixMs: later.UnixMilli(), PublishedToUnixMs: later.Add(-time.Hour).UnixMilli()},
		} {
			_, err := admin.reports.ExportCases(ctx, connect.NewRequest(bad))
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("export %v: %v, want invalid argument", bad, err)
			}
		}
	})
}
