package export

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/ordinatorhq/ordinator/server/reports"
)

// Sheets of the XLSX export; each drill-down list gets its own, named by
// its key.
const (
	SheetFigures = "Figures"
	SheetSeries  = "Series"
)

// XLSX writes a workbook: Figures, Series and one sheet per drill-down
// list (rows of every report). Numbers are numbers.
func XLSX(w io.Writer, rs []*reports.Report) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetFigures); err != nil {
		return err
	}
	var figs, series [][]string
	lists := map[string][][]string{}
	var order []string
	headers := map[string][]string{}
	for _, r := range rs {
		figs, series = append(figs, figureRows(r)...), append(series, seriesRows(r)...)
		for _, l := range r.Lists {
			if _, ok := headers[l.Key]; !ok {
				order = append(order, l.Key)
				headers[l.Key] = append([]string{"region", "territory"}, l.Columns...)
			}
			for _, row := range l.Rows {
				lists[l.Key] = append(lists[l.Key], append([]string{r.Region, r.Territory}, row...))
			}
		}
	}
	if err := sheet(f, SheetFigures, figureHeader, figs, 6, 7); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetSeries); err != nil {
		return err
	}
	if err := sheet(f, SheetSeries, seriesHeader, series, 4); err != nil {
		return err
	}
	for _, k := range order {
		if _, err := f.NewSheet(k); err != nil {
			return err
		}
		if err := sheet(f, k, headers[k], lists[k]); err != nil {
			return err
		}
	}
	_, err := f.WriteTo(w)
	return err
}

// sheet writes a header and rows; the columns numeric lists hold integers.
func sheet(f *excelize.File, name string, header []string, rows [][]string, numeric ...int) error {
	put := func(row int, cells []string) error {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
			for _, n := range numeric {
				if n == i && row > 1 {
					if v, err := strconv.ParseInt(c, 10, 64); err == nil {
						vals[i] = v
					}
				}
			}
		}
		return f.SetSheetRow(name, fmt.Sprintf("A%d", row), &vals)
	}
	if err := put(1, header); err != nil {
		return err
	}
	for i, r := range rows {
		if err := put(i+2, r); err != nil {
			return err
		}
	}
	return nil
}
