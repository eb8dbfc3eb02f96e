package export_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/reports/export"
)

// TestCSVCells checks a drill-down list's names cannot turn into formulas
// in a spreadsheet, while numbers stay as they are.
func TestCSVCells(t *testing.T) {
	r := &reports.Report{Scope: reports.Scope{Region: "msk"}, RegionName: "Moscow",
		Values: []reports.Value{{Key: "points_spent", Group: "doctors", Current: -3, Previous: 2}},
		Lists:  []reports.Table{{Key: "overdue", Title: "Overdue", Columns: []string{"doctor", "n"}, Rows: [][]string{{"=HYPERLINK(\"x\")", "-7"}}}}}
	var buf bytes.Buffer
	if err := export.CSV(&buf, []*reports.Report{r}); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(&buf)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var sawName, sawFigure bool
	for _, rec := range recs {
		switch {
		case len(rec) == 2 && rec[1] == "-7":
			sawName = rec[0] == `'=HYPERLINK("x")`
		case len(rec) > 7 && rec[4] == "points_spent":
			sawFigure = rec[6] == "-3" && rec[7] == "2"
		}
	}
	if !sawName || !sawFigure {
		t.Fatalf("guarded name %v, figure numbers kept %v:\n%s", sawName, sawFigure, buf.String())
	}
}
