package reports

import (
	"time"

	reportsv1 "github.com/ordinatorhq/ordinator/api/ordinator/reports/v1"
)

// Proto is a report as ReportService and the phone snapshot carry it.
func (r *Report) Proto() *reportsv1.Report {
	out := &reportsv1.Report{RegionId: r.Region, RegionName: r.RegionName, TerritoryId: r.Territory, TerritoryName: r.TerritoryName,
		Period: periodProto(r.Period), Previous: periodProto(r.Previous)}
	for _, v := range r.Values {
		f := &reportsv1.Figure{Key: v.Key, Label: v.Label, Group: v.Group, State: v.State, Current: v.Current, Previous: v.Previous}
		for _, p := range v.By {
			f.By = append(f.By, &reportsv1.Part{Key: p.Key, Value: p.Value})
		}
		for _, p := range v.Series {
			f.Series = append(f.Series, &reportsv1.Point{Day: p.Day, Value: p.Value})
		}
		out.Figures = append(out.Figures, f)
	}
	for _, t := range r.Lists {
		tb := &reportsv1.Table{Key: t.Key, Title: t.Title, Columns: t.Columns}
		for _, row := range t.Rows {
			tb.Rows = append(tb.Rows, &reportsv1.Row{Cells: row})
		}
		out.Lists = append(out.Lists, tb)
	}
	return out
}

func periodProto(p Period) *reportsv1.Period {
	return &reportsv1.Period{Name: p.Name, FirstDay: p.From.Format(time.DateOnly), LastDay: p.To.AddDate(0, 0, -1).Format(time.DateOnly)}
}
