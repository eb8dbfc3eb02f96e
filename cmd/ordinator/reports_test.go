package main

import (
	"context"
	"slices"
	"testing"
	"time"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkreports "github.com/ordinatorhq/ordinator/mobile-sdk/reports"
	"github.com/ordinatorhq/ordinator/server/auth"
)

// TestReportSnapshotOnTheDirectorsPhone: on the whole platform, on both
// stores, the snapshot job puts the week and month of msk and its
// territories on the msk director's phone, which reads them offline
// through the SDK; the phone of spb's director holds only spb's.
func TestReportSnapshotOnTheDirectorsPhone(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p := startPlatform(t, platformOptions{Postgres: pg})
			if _, err := p.Accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "spb", Name: "Санкт-Петербург", TimeZone: "Europe/Moscow"}); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Accounts.CreateTerritory(ctx, auth.System, auth.Territory{ID: "west", RegionID: "spb", Name: "west"}); err != nil {
				t.Fatal(err)
			}
			p.User(auth.RoleDirector, "msk@reports.test")
			spb, err := p.Accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDirector, Email: "spb@reports.test", Password: platformPassword, Name: "spb", RegionID: "spb"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Accounts.AssignRegion(ctx, auth.System, spb.ID, "spb", true); err != nil {
				t.Fatal(err)
			}
			p.User(auth.RoleDoctor, "doctor@reports.test")
			if err := newReports(p.Store, nil).WriteSnapshots(ctx, time.Now()); err != nil {
				t.Fatal(err)
			}
			schema := sdk.NewSchema()
			sdkreports.Register(schema)
			phone, other := p.Device("msk@reports.test", schema), p.Device("spb@reports.test", schema)
			syncDevice(t, phone)
			syncDevice(t, other)

			phone.SetConnectivity(sdk.Offline)
			for _, span := range []string{sdkreports.Week, sdkreports.Month} {
				snap, ok, err := sdkreports.Get(ctx, phone, "msk", "", span)
				if err != nil || !ok {
					t.Fatalf("msk %s is not on the phone (%v)", span, err)
				}
				if f := sdkreports.Figure(snap.Report, "new_doctors"); f == nil || f.Current != 1 || len(f.Series) == 0 {
					t.Errorf("msk %s new doctors: %v", span, f)
				}
			}
			if got, err := sdkreports.Territories(ctx, phone, "msk"); err != nil || !slices.Equal(got, []string{"north", "south"}) {
				t.Errorf("msk's territories on the phone: %v (%v)", got, err)
			}
			for _, c := range []struct {
				phone *sdk.Replica
				want  []string
			}{{phone, []string{"msk"}}, {other, []string{"spb"}}} {
				if got, err := sdkreports.Regions(ctx, c.phone); err != nil || !slices.Equal(got, c.want) {
					t.Errorf("regions on a phone: %v, want %v (%v)", got, c.want, err)
				}
			}
			if _, ok, _ := sdkreports.Get(ctx, other, "msk", "north", sdkreports.Month); ok {
				t.Error("spb's director holds a snapshot of msk")
			}
			if n, err := other.Count(ctx, sdk.Query{Collection: sdkreports.Snapshots.Collection.Name}); err != nil || n != 4 {
				t.Errorf("spb's director holds %d snapshots, want 4 (%v)", n, err)
			}
		})
	}
}
