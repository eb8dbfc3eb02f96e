package content_test

import (
	"strings"
	"testing"
	"time"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/content"
)

const trainingFile = `---
id: emollients-course
kind: training
title: Эмоленты в практике дерматолога
specialties: [dermatology, pediatrics]
regions: [msk, spb]
starts: 2026-03-01
ends: 2026-12-31T18:00:00+03:00
points: 40
pass_mark: 50
quiz:
  - question: Что составляет основу ухода при атопическом дерматите?
    options:
      - text: Эмоленты
        correct: true
      - text: Антибиотики
  - question: Как часто наносить эмоленты?
    options:
      - text: Раз в неделю
      - text: Не реже двух раз в день
        correct: true
---
# Зачем нужны эмоленты

Они восстанавливают **барьер** кожи.

` + "```" + `
# not a lesson heading, inside code
` + "```" + `

# Как выбирать

Без отдушек.
`

func TestParseMarkdown(t *testing.T) {
	it, err := content.ParseMarkdown([]byte(trainingFile))
	if err != nil {
		t.Fatal(err)
	}
	tr := it.GetTraining()
	if it.Id != "emollients-course" || it.Title != "Эмоленты в практике дерматолога" || len(it.Specialties) != 2 || len(it.RegionIds) != 2 ||
		it.StartsAtUnixMs != time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli() ||
		it.EndsAtUnixMs != time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC).UnixMilli() ||
		tr.Points != 40 || tr.Quiz.PassMarkPercent != 50 || len(tr.Lessons) != 2 || len(tr.Quiz.Questions) != 2 {
		t.Fatalf("parsed %v", it)
	}
	if tr.Lessons[0].Title != "Зачем нужны эмоленты" || !strings.Contains(tr.Lessons[0].Body.Source, "# not a lesson heading") || tr.Lessons[1].Title != "Как выбирать" {
		t.Fatalf("lessons %v", tr.Lessons)
	}
	if q := tr.Quiz.Questions[1]; q.Options[1].Id != "b" || len(q.CorrectOptionIds) != 1 || q.CorrectOptionIds[0] != "b" {
		t.Fatalf("question %v", q)
	}

	paper, err := content.ParseMarkdown([]byte("---\nkind: paper\ntitle: Emollients in AD\nauthors: [A. Ivanova, B. Smith]\njournal: JEADV\nyear: 2024\ndoi: 10.1111/jdv.19999\nspecialties: [dermatology]\nregions: [msk]\nlanguage: en\n---\nA randomised trial.\n"))
	if err != nil || paper.GetPaper().GetDoi() != "10.1111/jdv.19999" || paper.GetPaper().GetAbstract().GetSource() != "A randomised trial.\n" || paper.Language != "en" {
		t.Fatalf("paper %v %v", paper, err)
	}
	video, err := content.ParseMarkdown([]byte("---\nkind: video\ntitle: Вебинар\nurl: https://video.example/1\nduration: 12m30s\nspecialties: [dermatology]\nregions: [msk]\n---\n"))
	if err != nil || video.GetVideo().GetDurationSeconds() != 750 || video.GetVideo().GetDescription() != nil {
		t.Fatalf("video %v %v", video, err)
	}

	for _, tc := range []struct{ file, says string }{
		{"# no front matter\n", "front matter: missing"},
		{"---\ntitle: x\n", "front matter: is not closed"},
		{"---\ntitle: x\ncolour: red\n---\nbody", "field colour not found"},
		{"---\ntitle: x\nstarts: next monday\n---\nbody", "starts: \"next monday\" is not a date"},
		{"---\ntitle: x\nkind: podcast\n---\nbody", "kind: \"podcast\" is not article"},
		{"---\ntitle: x\nkind: training\n---\nintro text\n# Lesson\ntext", "lessons start with a '# Lesson title' line"},
		{"---\ntitle: x\nkind: video\nduration: long\n---\n", "duration: \"long\" is not a length"},
	} {
		if _, err := content.ParseMarkdown([]byte(tc.file)); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: %v, want an error saying %q", tc.file, err, tc.says)
		}
	}
}

func TestImportedTrainingSaves(t *testing.T) {
	e := newEnv(t, "sqlite")
	it, err := content.ParseMarkdown([]byte(trainingFile))
	if err != nil {
		t.Fatal(err)
	}
	saved := e.create(it)
	if saved.Item.Kind != contentv1.ItemKind_ITEM_KIND_TRAINING || saved.Item.GetTraining().GetLessons()[0].GetBody().GetHtml() == "" {
		t.Fatalf("saved %v", saved.Item)
	}
	if len(saved.Item.GetTraining().GetQuiz().GetQuestions()[0].Id) != 36 {
		t.Fatalf("question ids were not assigned: %v", saved.Item.GetTraining().GetQuiz())
	}
}
