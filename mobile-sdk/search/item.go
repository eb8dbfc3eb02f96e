package search

import (
	"strings"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
)

// ItemCollection is the collection content items sync under.
const ItemCollection = contentv1.ItemCollection

// ItemDoc is the document of a content item as the device indexes it: its
// title, and as text its summary and every text a doctor reads in it (an
// article's body, a paper's authors, journal and abstract, a video's
// description, a training's lessons and quiz questions).
func ItemDoc(it *contentv1.Item) Doc {
	parts := []string{it.GetSummary()}
	switch b := it.GetBody().(type) {
	case *contentv1.Item_Article:
		parts = append(parts, b.Article.GetBody().GetText())
	case *contentv1.Item_Paper:
		p := b.Paper
		parts = append(parts, strings.Join(p.GetAuthors(), ", "), p.GetJournal(), p.GetAbstract().GetText())
	case *contentv1.Item_Video:
		parts = append(parts, b.Video.GetDescription().GetText())
	case *contentv1.Item_Training:
		for _, l := range b.Training.GetLessons() {
			parts = append(parts, l.GetTitle(), l.GetBody().GetText())
		}
		for _, q := range b.Training.GetQuiz().GetQuestions() {
			parts = append(parts, q.GetText())
		}
	}
	return Doc{Collection: ItemCollection, ID: it.GetId(), Title: it.GetTitle(), Text: strings.Join(parts, "\n")}
}
