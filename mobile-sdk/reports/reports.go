// Package reports gives a director's app the report snapshots the server
// keeps in the director's user: bucket: the current week and month of each
// region they follow and of each of its territories, with every figure,
// its previous period and its daily series, readable offline.
package reports

import (
	"context"
	"strings"

	reportsv1 "github.com/ordinatorhq/ordinator/api/ordinator/reports/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Spans of a snapshot.
const (
	Week  = "week"
	Month = "month"
)

// Snapshots are the report snapshots on the phone. Columns: region,
// territory ("" for the whole region), span (week, month).
var Snapshots = sdk.ProtoCollection[*reportsv1.ReportSnapshot](reportsv1.ReportSnapshotCollection,
	sdk.ProtoColumn[*reportsv1.ReportSnapshot]{Name: "region", Type: sdk.Text, Value: func(s *reportsv1.ReportSnapshot) any { return s.GetReport().GetRegionId() }},
	sdk.ProtoColumn[*reportsv1.ReportSnapshot]{Name: "territory", Type: sdk.Text, Value: func(s *reportsv1.ReportSnapshot) any { return s.GetReport().GetTerritoryId() }},
	sdk.ProtoColumn[*reportsv1.ReportSnapshot]{Name: "span", Type: sdk.Text, Value: func(s *reportsv1.ReportSnapshot) any { return s.GetSpan() }},
)

// Register adds the snapshots to a schema, before sdk.Open.
func Register(s *sdk.Schema) { s.AddCollection(Snapshots.Collection) }

// ID is the id of the snapshot of a region (territory "") or a territory
// for a span.
func ID(region, territory, span string) string {
	id := region
	if territory != "" {
		id += "/" + territory
	}
	return id + ":" + span
}

// Get returns the snapshot of a region (territory "") or territory for a
// span, and whether the phone holds it.
func Get(ctx context.Context, r *sdk.Replica, region, territory, span string) (*reportsv1.ReportSnapshot, bool, error) {
	return Snapshots.Get(ctx, r, ID(region, territory, span))
}

// Regions lists the regions the phone holds snapshots of, in order.
func Regions(ctx context.Context, r *sdk.Replica) ([]string, error) {
	snaps, err := Snapshots.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "territory", Op: sdk.Eq, Value: ""}, {Column: "span", Op: sdk.Eq, Value: Month}}, OrderBy: "region"})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(snaps))
	for i, s := range snaps {
		out[i] = s.GetReport().GetRegionId()
	}
	return out, nil
}

// Territories lists the territories of a region the phone holds
// snapshots of, in order.
func Territories(ctx context.Context, r *sdk.Replica, region string) ([]string, error) {
	snaps, err := Snapshots.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "region", Op: sdk.Eq, Value: region}, {Column: "span", Op: sdk.Eq, Value: Month}}, OrderBy: "territory"})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range snaps {
		if t := s.GetReport().GetTerritoryId(); t != "" {
			out = append(out, t)
		}
	}
	return out, nil
}

// Figure returns a figure of a report by key (nil if it has none).
func Figure(r *reportsv1.Report, key string) *reportsv1.Figure {
	for _, f := range r.GetFigures() {
		if strings.EqualFold(f.GetKey(), key) {
			return f
		}
	}
	return nil
}
