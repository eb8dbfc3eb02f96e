package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/console/consoletest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestConsoleReports: a director signs in to the console, lands on the
// reports of the region they follow, reads a figure the test wrote with
// its SVG chart and the drill-down of doctors nobody touched for 90 days
// (one the test backdated), picks a territory, and is refused a region
// they do not follow — on PostgreSQL+MinIO and embedded.
func TestConsoleReports(t *testing.T) {
	for _, m := range consoleModes {
		t.Run(m.name, func(t *testing.T) {
			ctx := context.Background()
			d := startConsoleDesk(t, m.opts)
			dir, err := d.Accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDirector, Email: "sergey.dir@console.test", Password: platformPassword, Name: "Сергей Волков", RegionID: "msk"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Accounts.AssignRegion(ctx, auth.System, dir.ID, "msk", true); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "spb", Name: "Санкт-Петербург", TimeZone: "Europe/Moscow"}); err != nil {
				t.Fatal(err)
			}
			quiet, err := d.App.directory.CreateDoctor(ctx, auth.System, "crm-8", []*probasev1.FieldChange{
				{Field: "full_name", Values: []string{"Борис Орлов"}}, {Field: "specialty", Values: []string{"dermatology"}},
				{Field: "phones", Values: []string{"+79169998877"}}, {Field: "territory_id", Values: []string{"south"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			// Entered 120 days ago and never touched since.
			if err := d.Store.Update(ctx, func(tx syncengine.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE doctors SET created_at = $1 WHERE id = $2`, time.Now().AddDate(0, 0, -120).UnixMilli(), quiet.Id)
				return err
			}); err != nil {
				t.Fatal(err)
			}

			tab := consoletest.New(t).Tab("director")
			d.signIn(t, tab, "sergey.dir@console.test")
			tab.WaitText("h1", "Отчёты: Moscow")
			tab.WaitText("#figure-doctors td.current", "2")
			tab.Wait(`document.querySelector("#figure-doctors svg.chart polyline.line") !== null && document.querySelector("#figure-new_doctors svg.chart rect.bar") !== null`)
			tab.WaitText("#list-untouched_doctors", "Борис Орлов")
			tab.FitsWidths()
			if got := tab.Text("nav"); got != "Отчёты" {
				t.Fatalf("the director's navigation: %q", got)
			}
			tab.Wait(htmxIdle)
			tab.Do(chromedp.SetValue(chromedp.CSS("#r-scope"), "msk/south"), chromedp.Click(chromedp.CSS("#show-report")))
			tab.WaitText("h1", "Moscow / south")
			tab.WaitText("#figure-doctors td.current", "1")
			tab.WaitText("#list-untouched_doctors", "Борис Орлов")
			tab.Do(chromedp.Navigate(d.URL + "/console/reports?scope=spb"))
			tab.WaitText("#error", "У вас нет на это прав")
		})
	}
}
