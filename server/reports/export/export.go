// Package export writes the directors' reports as files: CSV and XLSX
// (github.com/xuri/excelize/v2) of every table, and a printable PDF
// (codeberg.org/go-pdf/fpdf) with one page per report, in DejaVu Sans so
// that Cyrillic renders (fonts/DejaVuSans.LICENSE: the Bitstream Vera
// licence, DejaVu changes public domain).
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/ordinatorhq/ordinator/internal/csvcell"
	"github.com/ordinatorhq/ordinator/server/reports"
)

// Formats are the export formats.
var Formats = []string{"csv", "xlsx", "pdf"}

// Write writes reports in a format (csv, xlsx or pdf).
func Write(w io.Writer, format string, rs []*reports.Report) error {
	switch format {
	case "csv":
		return CSV(w, rs)
	case "xlsx":
		return XLSX(w, rs)
	case "pdf":
		return PDF(w, rs)
	}
	return fmt.Errorf("export: unknown format %q (csv, xlsx or pdf)", format)
}

// scope names a report's region or territory.
func scope(r *reports.Report) string {
	if r.Territory != "" {
		return r.RegionName + " / " + r.TerritoryName
	}
	return r.RegionName
}

// figureHeader and figureRow are the figures table, shared by CSV and XLSX.
var figureHeader = []string{"region", "territory", "period", "group", "figure", "label", "current", "previous", "breakdown"}

func figureRows(r *reports.Report) [][]string {
	var rows [][]string
	for _, v := range r.Values {
		by := ""
		for i, p := range v.By {
			if i > 0 {
				by += "; "
			}
			by += p.Key + "=" + strconv.FormatInt(p.Value, 10)
		}
		rows = append(rows, []string{r.Region, r.Territory, r.Period.Name, v.Group, v.Key, v.Label,
			strconv.FormatInt(v.Current, 10), strconv.FormatInt(v.Previous, 10), by})
	}
	return rows
}

var seriesHeader = []string{"region", "territory", "figure", "day", "value"}

func seriesRows(r *reports.Report) [][]string {
	var rows [][]string
	for _, v := range r.Values {
		for _, p := range v.Series {
			rows = append(rows, []string{r.Region, r.Territory, v.Key, p.Day, strconv.FormatInt(p.Value, 10)})
		}
	}
	return rows
}

// CSV writes the figures, then the daily series, then each drill-down
// list, each table after a blank line and a "# title" line.
func CSV(w io.Writer, rs []*reports.Report) error {
	cw := csv.NewWriter(w)
	table := func(title string, header []string, rows [][]string) {
		cw.Write([]string{"# " + title})
		cw.Write(header)
		for _, row := range rows {
			safe := make([]string, len(row))
			for i, c := range row {
				// Names and titles come from people's input: a spreadsheet
				// must not read them as formulas (numbers stay numbers).
				if _, err := strconv.ParseInt(c, 10, 64); err != nil {
					c = csvcell.Safe(c)
				}
				safe[i] = c
			}
			cw.Write(safe)
		}
		cw.Write(nil)
	}
	var figs, series [][]string
	for _, r := range rs {
		figs, series = append(figs, figureRows(r)...), append(series, seriesRows(r)...)
	}
	table("figures", figureHeader, figs)
	table("series", seriesHeader, series)
	for _, r := range rs {
		for _, l := range r.Lists {
			table(l.Title+" — "+scope(r), l.Columns, l.Rows)
		}
	}
	cw.Flush()
	return cw.Error()
}
