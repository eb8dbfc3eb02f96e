package reports_test

import (
	"bytes"
	"encoding/csv"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/reports/export"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestExports: the XLSX opens with excelize with its sheets and every
// figure's value; the PDF has one page per region, in Cyrillic, as
// pdftotext reads it; the CSV parses with the figures and the lists.
func TestExports(t *testing.T) {
	w := newWorld(t, syncengine.SQLite)
	var rs []*reports.Report
	for _, region := range []string{"msk", "spb"} {
		r, err := w.reports.Report(w.ctx, staff, reports.Scope{Region: region}, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	file := func(format string) []byte {
		var b bytes.Buffer
		if err := export.Write(&b, format, rs); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}

	x, err := excelize.OpenReader(bytes.NewReader(file("xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := x.GetSheetList(), []string{export.SheetFigures, export.SheetSeries, "overdue_doctors", "untouched_doctors"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	rows, err := x.GetRows(export.SheetFigures)
	if err != nil || len(rows) != 1+2*len(rs[0].Values) || rows[0][4] != "figure" {
		t.Fatalf("figures sheet: %d rows (%v)", len(rows), err)
	}
	for i, r := range rs {
		for j, v := range r.Values {
			cell, _ := excelize.CoordinatesToCellName(7, 2+i*len(r.Values)+j)
			typ, _ := x.GetCellType(export.SheetFigures, cell)
			got, _ := x.GetCellValue(export.SheetFigures, cell)
			if row := rows[1+i*len(r.Values)+j]; row[0] != r.Region || row[4] != v.Key || got != strconv.FormatInt(v.Current, 10) || typ == excelize.CellTypeSharedString {
				t.Errorf("%s %s: row %v, %s %v, want %d", r.Region, v.Key, row, got, typ, v.Current)
			}
		}
	}
	overdue, _ := x.GetRows("overdue_doctors")
	if want := len(rs[0].Lists[0].Rows) + len(rs[1].Lists[0].Rows); len(overdue) != 1+want || want == 0 {
		t.Errorf("overdue sheet has %d rows, want %d", len(overdue), 1+want)
	}
	series, _ := x.GetRows(export.SheetSeries)
	if len(series) != 1+2*30*(len(rs[0].Values)-4) { // every figure but the four states, 30 days of November
		t.Errorf("series sheet has %d rows", len(series))
	}

	pdf := exec.Command("pdftotext", "-layout", "-", "-")
	pdf.Stdin = bytes.NewReader(file("pdf"))
	text, err := pdf.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(strings.TrimRight(string(text), "\f\n"), "\f")
	if len(pages) != 2 || !strings.Contains(pages[0], "Москва") || !strings.Contains(pages[1], "Санкт-Петербург") ||
		!strings.Contains(pages[0], "Edits approved") || strings.Contains(pages[0], "Санкт-Петербург") {
		t.Fatalf("%d pages:\n%s", len(pages), text)
	}

	recs := csv.NewReader(bytes.NewReader(file("csv")))
	recs.FieldsPerRecord = -1
	all, err := recs.ReadAll()
	if err != nil || all[0][0] != "# figures" || all[1][4] != "figure" || all[2][4] != rs[0].Values[0].Key || all[2][6] != strconv.FormatInt(rs[0].Values[0].Current, 10) {
		t.Fatalf("csv: %v %v", all[:3], err)
	}
	if !slices.ContainsFunc(all, func(r []string) bool {
		return len(r) == 1 && strings.HasPrefix(r[0], "# Doctors with overdue study results — Москва")
	}) {
		t.Error("the csv has no overdue list of Moscow")
	}
}
