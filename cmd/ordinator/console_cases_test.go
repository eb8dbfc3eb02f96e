package main

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/console/consoletest"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// pushCase has a doctor's phone save and submit a case through the
// SyncService.
func pushCase(t *testing.T, url string, token *string, id string, c *casesv1.CaseContent) {
	t.Helper()
	args := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	res, err := syncv1connect.NewSyncServiceClient(http.DefaultClient, url, servertest.WithToken(token)).Push(context.Background(), connect.NewRequest(&syncv1.PushRequest{
		ClientId: "phone-" + id, ClientSchemaVersion: currentClientSchema, Mutations: []*syncv1.Mutation{
			{Seq: 1, Name: "case.save_draft", Args: args(&casesv1.SaveDraftArgs{CaseId: id, Content: c})},
			{Seq: 2, Name: "case.submit", Args: args(&casesv1.SubmitArgs{CaseId: id})},
		}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Msg.Outcomes {
		if o.Status != syncv1.OutcomeStatus_OUTCOME_STATUS_APPLIED {
			t.Fatalf("%s: %v", o.MutationName, o.Rejection)
		}
	}
}

// photosShown waits until every image of the page has loaded from storage
// (a presigned URL the CSP lets through).
const photosShown = `(() => { const imgs = [...document.querySelectorAll("img.thumb")]; return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0); })()`

// TestConsoleCases: a doctor's phone uploads two photos (to MinIO, or the
// embedded blob store) and submits a case; a moderator finds it in the
// console's queue with its thumbnail, opens it, sees both photos and the
// full-size image, and publishes it. A doctor's diploma photo waits in the
// diplomas; the moderator sees it and verifies the doctor.
func TestConsoleCases(t *testing.T) {
	for _, mode := range consoleModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			d := startConsoleDesk(t, mode.opts)
			d.User(auth.RoleDoctor, "author@console.test")
			token := &d.Login("author@console.test").Tokens.AccessToken
			photos := uploadPhotos(t, ctx, d.URL, token, 2)
			caseID := uuid.NewString()
			age := int32(41)
			pushCase(t, d.URL, token, caseID, &casesv1.CaseContent{Sex: casesv1.Sex_SEX_FEMALE, AgeYears: &age, Diagnosis: "Розацеа, эритематозно-телеангиэктатический подтип",
				Phototype: casesv1.Phototype_PHOTOTYPE_II, Product: "Розалиак AR", Regimen: "утром и вечером", DurationDays: 56, Outcome: casesv1.Outcome_OUTCOME_MARKED_IMPROVEMENT,
				Photos: []*casesv1.CasePhoto{{MediaId: photos[0], Stage: casesv1.PhotoStage_PHOTO_STAGE_BEFORE}, {MediaId: photos[1], Stage: casesv1.PhotoStage_PHOTO_STAGE_AFTER}}})

			var maria auth.User
			if err := d.Store.View(ctx, func(q syncengine.Querier) error {
				var err error
				maria, err = auth.FindUserByLogin(ctx, q, "maria@console.test")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			diploma := uuid.NewString()
			if _, err := d.App.media.Ingest(ctx, auth.Principal(maria, "phone"), diploma, mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA, "image/jpeg",
				mediatest.JPEG(mediatest.Photo(300, 200, 5), 85, mediatest.Metadata{})); err != nil {
				t.Fatal(err)
			}
			if _, err := d.App.accounts.AttachDiploma(ctx, auth.Principal(maria, "phone"), diploma); err != nil {
				t.Fatal(err)
			}

			b := consoletest.New(t)
			olga := b.Tab("olga")
			d.signIn(t, olga, "olga@console.test")
			olga.WaitText("#summary", "Подходят 0 заявок")
			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/cases"]`)))
			olga.WaitText("#summary", "1 случай.")
			olga.WaitText("#f-specialty", "Дерматология (1)")
			olga.Wait(photosShown)
			olga.FitsWidths()
			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/cases/` + caseID + `"]`)))
			olga.WaitText("#status", "Ожидают")
			olga.WaitText("#anonymity", "Проверка не нашла ничего")
			olga.WaitText("#facts", "Значительное улучшение")
			olga.Wait(photosShown + ` && document.querySelectorAll("#photos img.thumb").length === 2`)
			olga.FitsWidths()
			full := consoletest.Get(olga, chromedp.Evaluate[string](`document.querySelector("#photos a.photo-link").href`))
			olga.Do(chromedp.SendKeys(chromedp.CSS("#note"), "Хорошие снимки при одном освещении"), chromedp.Click(chromedp.CSS("#publish-button")))
			olga.WaitText("#status", "Опубликованы")
			if v, err := cases.New(d.Store, cases.Config{}).GetCase(ctx, auth.System, caseID); err != nil || v.Case.Status != casesv1.CaseStatus_CASE_STATUS_PUBLISHED || v.Case.ModeratorNote != "Хорошие снимки при одном освещении" {
				t.Fatalf("after publishing: %v, %v", v.Case, err)
			}
			// The full-size image opens from its short-lived URL.
			viewer := b.Tab("viewer")
			viewer.Do(chromedp.Navigate(full))
			viewer.Wait(`document.contentType === "image/jpeg" && document.images.length === 1 && document.images[0].naturalWidth > 0`)

			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/diplomas"]`)))
			olga.WaitText("#summary", "Ожидает 1 диплом.")
			olga.WaitText("#diploma-"+maria.ID, "Мария Иванова")
			olga.Wait(photosShown)
			olga.FitsWidths()
			olga.Do(chromedp.Click(chromedp.CSS("#diploma-" + maria.ID + " .verify-button")))
			olga.WaitText("main", "Дипломов на проверке нет")
			if u, _, _, err := d.App.accounts.Me(ctx, maria.ID); err != nil || !u.Verified {
				t.Fatalf("the doctor after the console's verification: %+v, %v", u, err)
			}
		})
	}
}

// TestConsoleDemoModeration: the demo's moderator finds the submitted case
// with its photos and the new doctor's diploma; its admin finds the study
// and its doctor's results owed. Its pages are the README's pictures
// (ORDINATOR_CONSOLE_SCREENSHOTS=docs/console), like TestConsoleDemo's.
func TestConsoleDemoModeration(t *testing.T) {
	url := serveDemo(t)
	b := consoletest.New(t)
	signIn := func(tab *consoletest.Tab, login string) {
		tab.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#login")))
		tab.Do(chromedp.SendKeys(chromedp.CSS("#login"), login), chromedp.SendKeys(chromedp.CSS("#password"), demoPassword), chromedp.Click(chromedp.CSS("#signin")))
		tab.WaitText("#summary", "Подходят 4 заявки")
	}
	mod := b.Tab("moderator")
	signIn(mod, "moderator@demo.ordinator")
	mod.Do(chromedp.Click(chromedp.CSS(`a[href="/console/cases"]`)))
	mod.WaitText("#summary", "1 случай.")
	mod.Wait(photosShown)
	mod.Shot("cases")
	mod.Do(chromedp.Click(chromedp.CSS("a.case-link")))
	mod.WaitText("#anonymity", "Проверка не нашла ничего")
	mod.Wait(photosShown + ` && document.querySelectorAll("#photos img.thumb").length === 2`)
	mod.Shot("case")
	mod.Do(chromedp.Click(chromedp.CSS(`a[href="/console/diplomas"]`)))
	mod.WaitText("#summary", "Ожидает 1 диплом.")
	mod.WaitText("main", "Др. Тимур Ахмедов")
	mod.Wait(photosShown)
	mod.Shot("diplomas")
	// A moderator's navigation has no studies: they are the admins'.
	if n := consoletest.Get(mod, chromedp.Evaluate[int](`document.querySelectorAll('a[href="/console/studies"]').length`)); n != 0 {
		t.Fatalf("the moderator sees %d links to the studies", n)
	}

	admin := b.Tab("admin")
	signIn(admin, "admin@demo.ordinator")
	admin.Do(chromedp.Click(chromedp.CSS(`a[href="/console/studies"]`)))
	admin.Do(chromedp.Click(chromedp.CSS("a.study-link")))
	admin.WaitText("#summary", "Участвует 1 врач. Ожидается результатов: 4, просрочено: 0.")
	admin.Do(chromedp.SendKeys(chromedp.CSS("#q"), "Ахмедов"), chromedp.Click(chromedp.CSS("#search-button")))
	admin.WaitText("#enrol", "диплом не подтверждён")
	admin.FitsWidths()
	admin.Shot("study")
}
