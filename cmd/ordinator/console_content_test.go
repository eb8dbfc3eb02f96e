package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/mobile-sdk/content"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/console/consoletest"
)

// TestConsoleTraining: a moderator writes a training with a quiz in the
// browser, is refused a question with no correct option next to it,
// previews it, saves and publishes it; a dermatologist's phone then holds
// it through the SDK, its lesson rendered exactly as the preview showed,
// and passes its quiz.
func TestConsoleTraining(t *testing.T) {
	for _, mode := range consoleModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			d := startConsoleDesk(t, mode.opts)
			d.User(auth.RoleDoctor, "learner@console.test")
			phone := contentPhone(t, d.platform, "learner@console.test")

			b := consoletest.New(t)
			olga := b.Tab("olga")
			d.signIn(t, olga, "olga@console.test")
			olga.WaitText("#summary", "Подход")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS(`a[href="/console/content"]`)))
			olga.WaitText("h1", "Библиотека материалов")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS("#new-training")))
			olga.WaitText("h1", "Новое обучение")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.SendKeys(chromedp.CSS("#title"), "Эмоленты в практике"),
				chromedp.Click(chromedp.CSS(`input[name="specialties"][value="dermatology"]`)),
				chromedp.Click(chromedp.CSS(`input[name="regions"][value="msk"]`)),
				chromedp.SendKeys(chromedp.CSS("#lesson-0-title"), "Зачем нужны эмоленты"),
				chromedp.SendKeys(chromedp.CSS("#lesson-0-body"), "Они восстанавливают **барьер** кожи."),
				chromedp.SendKeys(chromedp.CSS("#q-0-text"), "Что составляет основу ухода?"),
				chromedp.SendKeys(chromedp.CSS("#q-0-o-0"), "Эмоленты"),
				chromedp.SendKeys(chromedp.CSS("#q-0-o-1"), "Антибиотики"),
				chromedp.SetValue(chromedp.CSS("#pass_mark"), "100"),
				chromedp.SetValue(chromedp.CSS("#points"), "30"),
				chromedp.Click(chromedp.CSS("#save")))
			olga.WaitText("#q-0-correct-error", "at least one option must be correct")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS("#q-0-c-0")), chromedp.Click(chromedp.CSS("#preview-button")))
			olga.WaitText("#preview", "Что составляет основу ухода?")
			olga.WaitText("#preview .correct", "Эмоленты")
			preview := consoletest.Get(olga, chromedp.Evaluate[string](`document.querySelector("#preview .lesson .rich").innerHTML`))
			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS("#save")))
			olga.WaitText("#state", "Черновик")
			olga.Wait(htmxIdle)
			olga.Do(chromedp.Click(chromedp.CSS("#publish")))
			olga.WaitText("#state", "Опубликован")
			olga.FitsWidths()
			id := olga.Location()[strings.LastIndex(olga.Location(), "/")+1:]

			contentSync(t, phone)
			it, ok, err := content.Items.Get(ctx, phone, id)
			if err != nil || !ok {
				t.Fatalf("the training %s is not on the phone (%v)", id, err)
			}
			tr := it.GetTraining()
			if it.Title != "Эмоленты в практике" || len(tr.GetLessons()) != 1 || len(tr.GetQuiz().GetQuestions()) != 1 || tr.GetPoints() != 30 {
				t.Fatalf("the phone holds %v", it)
			}
			if got := tr.Lessons[0].GetBody().GetHtml(); strings.TrimSpace(got) != strings.TrimSpace(preview) || !strings.Contains(got, "<strong>барьер</strong>") {
				t.Fatalf("the phone's lesson %q, the console's preview %q", got, preview)
			}
			q := tr.Quiz.Questions[0]
			grade, _, err := content.CompleteTraining(ctx, phone, id, []*contentv1.QuizAnswer{{QuestionId: q.Id, OptionIds: []string{q.Options[0].Id}}})
			if err != nil || !grade.GetPassed() {
				t.Fatalf("the quiz on the phone: %v (%v)", grade, err)
			}
			before := contentBalance(t, phone)
			contentSync(t, phone)
			if after := contentBalance(t, phone); after != before+30 {
				t.Fatalf("points on the phone %d, then %d: want 30 for passing", before, after)
			}
		})
	}
}

// TestConsoleDemoContent: the demo library as a moderator finds it, the
// README's pictures of the content pages (ORDINATOR_CONSOLE_SCREENSHOTS,
// run with TestConsoleDemo).
func TestConsoleDemoContent(t *testing.T) {
	mod := demoModerator(t)
	mod.Do(chromedp.Click(chromedp.CSS(`a[href="/console/content"]`)))
	mod.WaitText("#items", "Эмоленты в практике дерматолога")
	mod.WaitText("#items", "Черновик")
	mod.FitsWidths()
	mod.Shot("content-list")
	mod.Wait(htmxIdle)
	mod.Do(chromedp.Click(chromedp.CSS(`a[href="/console/content/demo-emollients"]`)))
	mod.WaitText("#state", "Опубликован")
	mod.WaitText("#preview", "Не реже двух раз в день")
	mod.FitsWidths()
	mod.Shot("content-training")
}
