package reports_test

import (
	"context"
	"fmt"
	"log"
	"os"

	reportsv1 "github.com/ordinatorhq/ordinator/api/ordinator/reports/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/reports"
)

// A director's phone, offline, reads the month's figures of a region from
// the snapshot the server synced (here put by a local-only mutation).
func Example() {
	dir, _ := os.MkdirTemp("", "replica-")
	defer os.RemoveAll(dir)
	schema := sdk.NewSchema()
	reports.Register(schema)
	schema.AddMutation("test.put_snapshot", sdk.ProtoMutation(func(tx *sdk.LocalTx, s *reportsv1.ReportSnapshot) error {
		return reports.Snapshots.Put(tx, s.GetId(), s)
	}))
	ctx := context.Background()
	r, err := sdk.Open(ctx, sdk.Options{Dir: dir, ServerURL: "https://ru.ordinator.example", Schema: schema})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	r.SetConnectivity(sdk.Offline)
	r.MutateProto(ctx, "test.put_snapshot", &reportsv1.ReportSnapshot{Id: reports.ID("msk", "", reports.Month), Span: reports.Month,
		Report: &reportsv1.Report{RegionId: "msk", RegionName: "Москва", Period: &reportsv1.Period{Name: "2026-11"},
			Figures: []*reportsv1.Figure{{Key: "approved_edits", Label: "Edits approved", Current: 42, Previous: 37,
				Series: []*reportsv1.Point{{Day: "2026-11-01", Value: 2}, {Day: "2026-11-02", Value: 5}}}}}})

	snap, ok, err := reports.Get(ctx, r, "msk", "", reports.Month)
	if err != nil || !ok {
		log.Fatal(ok, err)
	}
	f := reports.Figure(snap.GetReport(), "approved_edits")
	fmt.Println(snap.GetReport().GetRegionName(), snap.GetReport().GetPeriod().GetName(), f.GetLabel(), f.GetCurrent(), "previous", f.GetPrevious())
	for _, p := range f.GetSeries() {
		fmt.Println(p.GetDay(), p.GetValue())
	}
	regions, _ := reports.Regions(ctx, r)
	fmt.Println(regions)
	// Output:
	// Москва 2026-11 Edits approved 42 previous 37
	// 2026-11-01 2
	// 2026-11-02 5
	// [msk]
}
