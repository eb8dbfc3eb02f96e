package main

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/console/consoletest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestConsoleSync: a rep's territory holds a number of doctors the test
// chooses, the rep's tablet syncs them through the SDK, and a moderator
// looks the rep up in the sync inspector: the territory bucket is there,
// granted as the rep's territory, with that count and the checksum the
// tablet holds, and the tablet with its last pull and schema.
func TestConsoleSync(t *testing.T) {
	for _, mode := range consoleModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			p := startPlatform(t, mode.opts)
			mod := p.User(auth.RoleModerator, "mod@sync.test")
			rep := p.User(auth.RoleRep, "rep@sync.test", "south")
			const doctors = 7 // territory south has no clinics: its bucket holds the doctors alone
			for i := range doctors {
				if _, err := p.App.directory.CreateDoctor(ctx, auth.System, fmt.Sprintf("sync-%d", i), []*probasev1.FieldChange{
					{Field: "full_name", Values: []string{fmt.Sprintf("Доктор Юга %d", i)}}, {Field: "specialty", Values: []string{"dermatology"}},
					{Field: "territory_id", Values: []string{"south"}},
				}); err != nil {
					t.Fatal(err)
				}
			}
			tablet := p.Device("rep@sync.test", directorySchema())
			syncDevice(t, tablet)
			south := auth.TerritoryBucket("south")
			sums, err := tablet.Checksums(ctx)
			if err != nil || sums[south].Count != doctors {
				t.Fatalf("the tablet holds %+v of %s (%v), want %d records", sums[south], south, err, doctors)
			}
			var pulled syncengine.Client
			if err := p.Store.View(ctx, func(q syncengine.Querier) error {
				clients, err := syncengine.UserClients(ctx, q, rep.ID)
				for _, c := range clients {
					if c.ClientID == tablet.ClientID() {
						pulled = c
					}
				}
				return err
			}); err != nil || pulled.LastPull.IsZero() {
				t.Fatalf("the tablet's recorded pull: %+v (%v)", pulled, err)
			}
			// The page shows times in the moderator's zone, the server's
			// when the account has none.
			loc := time.Local
			if mod.TimeZone != "" {
				if loc, err = time.LoadLocation(mod.TimeZone); err != nil {
					t.Fatal(err)
				}
			}

			tab := consoletest.New(t).Tab("moderator")
			tab.Do(chromedp.Navigate(p.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#login")))
			tab.Do(chromedp.SendKeys(chromedp.CSS("#login"), "mod@sync.test"), chromedp.SendKeys(chromedp.CSS("#password"), platformPassword),
				chromedp.Click(chromedp.CSS("#signin")))
			tab.Do(chromedp.Click(chromedp.CSS(`nav a[href="/console/sync"]`)), chromedp.WaitVisible(chromedp.CSS("#account")))
			tab.Wait(`document.readyState === "complete"`) // the page a click lands on has finished loading
			tab.Do(chromedp.SendKeys(chromedp.CSS("#account"), "rep@sync.test"), chromedp.Click(chromedp.CSS("#inspect")))
			row := `tr[data-bucket="` + string(south) + `"]`
			tab.WaitText(row+" .count", strconv.Itoa(doctors))
			if got := tab.Text(row + " .count"); got != strconv.Itoa(doctors) {
				t.Fatalf("the inspector counts %q records in %s, want %d", got, south, doctors)
			}
			tab.WaitText(row+" .checksum", fmt.Sprintf("%016x", sums[south].Sum))
			tab.WaitText(row+" .reason", "территория")
			client := `tr[data-client="` + tablet.ClientID() + `"]`
			tab.WaitText(client+" .last-pull", pulled.LastPull.In(loc).Format("02.01.2006 15:04"))
			tab.WaitText(client+" .schema", strconv.Itoa(int(currentClientSchema)))
			tab.FitsWidths()
		})
	}
}
