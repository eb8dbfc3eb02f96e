package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/chromedp/chromedp"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/console/consoletest"
)

// TestConsolePeople: an admin finds a rep on the People page, signs the
// rep's tablet out (its next sync wipes it), disables and enables the
// account, resets its password, then creates a director and gives them a
// region; all in a real browser, with the tablet as the CLI device.
func TestConsolePeople(t *testing.T) {
	for _, mode := range consoleModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			p := startPlatform(t, mode.opts)
			p.User(auth.RoleAdmin, "admin@people.test")
			rep := p.User(auth.RoleRep, "rep@people.test")
			tablet := t.TempDir()
			mustDevice(t, "login", "--server", p.URL, "--login", "rep@people.test", "--password", platformPassword, "--dir", tablet)
			mustDevice(t, "sync", "--dir", tablet)
			devices, err := p.Accounts.ListDevices(ctx, rep.ID)
			if err != nil || len(devices) != 1 {
				t.Fatalf("the rep's devices: %v %v", devices, err)
			}
			signIn := func(password string) error {
				_, err := authv1connect.NewAuthServiceClient(http.DefaultClient, p.URL).Login(ctx,
					connect.NewRequest(&authv1.LoginRequest{Login: "rep@people.test", Password: password, DeviceName: "test"}))
				return err
			}

			admin := consoletest.New(t).Tab("admin")
			admin.Do(chromedp.Navigate(p.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#login")))
			admin.Do(chromedp.SendKeys(chromedp.CSS("#login"), "admin@people.test"), chromedp.SendKeys(chromedp.CSS("#password"), platformPassword),
				chromedp.Click(chromedp.CSS("#signin")))
			admin.Do(chromedp.Click(chromedp.CSS(`nav a[href="/console/people"]`)))
			admin.Do(chromedp.SetValue(chromedp.CSS("#f-role"), "rep"), chromedp.Click(chromedp.CSS("#apply")))
			admin.WaitText("#people-count", "1 учётная запись")
			admin.FitsWidths()
			admin.Do(chromedp.Click(chromedp.CSS("#person-" + rep.ID + " a.person-link")))
			admin.WaitText("#role", "представитель")
			admin.WaitText("#assigned", "north")

			admin.Do(chromedp.Click(chromedp.CSS("#revoke-" + devices[0].ID)))
			admin.WaitText("#done", "Устройство вышло")
			if out, errOut, _ := device(t, ctx, "sync", "--dir", tablet); !strings.Contains(out+errOut, "the server revoked this device") {
				t.Fatalf("the tablet's sync after the revoke:\n%s%s", out, errOut)
			}

			admin.Wait(`document.readyState === "complete"`) // the page a click lands on has finished loading
			admin.Do(chromedp.Click(chromedp.CSS("#disable")))
			admin.WaitText("#status", "отключена")
			if err := signIn(platformPassword); connect.CodeOf(err) != connect.CodePermissionDenied {
				t.Fatalf("the disabled rep signing in: %v", err)
			}
			admin.Wait(`document.readyState === "complete"`) // the page a click lands on has finished loading
			admin.Do(chromedp.Click(chromedp.CSS("#enable")))
			admin.WaitText("#status", "активна")

			admin.Do(chromedp.SendKeys(chromedp.CSS("#password"), "short"), chromedp.Click(chromedp.CSS("#reset")))
			admin.WaitText("#password-error", "10")
			admin.Wait(`document.readyState === "complete"`) // the page a click lands on has finished loading
			admin.Do(chromedp.SendKeys(chromedp.CSS("#password"), "a brand new password"), chromedp.Click(chromedp.CSS("#reset")))
			admin.WaitText("#done", "Пароль изменён")
			if err := signIn("a brand new password"); err != nil {
				t.Fatalf("the new password: %v", err)
			}

			admin.Do(chromedp.Click(chromedp.CSS(`nav a[href="/console/people"]`)), chromedp.WaitVisible(chromedp.CSS("#new-person")))
			admin.Do(chromedp.SetValue(chromedp.CSS("#role"), "director"), chromedp.SendKeys(chromedp.CSS("#display_name"), "Сергей Волков"),
				chromedp.SendKeys(chromedp.CSS("#email"), "volkov@people.test"), chromedp.SetValue(chromedp.CSS("#region_id"), "msk"),
				chromedp.SendKeys(chromedp.CSS("#password"), "long enough pw"), chromedp.Click(chromedp.CSS("#create-person")))
			admin.WaitText("#done", "Учётная запись создана")
			admin.Wait(`document.readyState === "complete"`) // the page a click lands on has finished loading
			admin.Do(chromedp.SetValue(chromedp.CSS("#give"), "msk"), chromedp.Click(chromedp.CSS("#give-button")))
			admin.WaitText("#assigned", "Moscow")
			admin.FitsWidths()
		})
	}
}
