package content_test

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func html(src string) *contentv1.Item {
	it := article("x", "Статья", "", derm, msk)
	it.GetArticle().Body = &contentv1.RichText{Format: contentv1.TextFormat_TEXT_FORMAT_HTML, Source: src}
	return it
}

func TestBadInputIsRefusedAndNothingPublished(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		doc := e.doctor("doc", "dermatology", "msk", true)
		now := e.clock.Now()
		noSpecialty := article("x", "Статья", "Текст.", nil, msk)
		backwards := article("x", "Статья", "Текст.", derm, msk)
		backwards.StartsAtUnixMs, backwards.EndsAtUnixMs = now.Add(48*time.Hour).UnixMilli(), now.Add(24*time.Hour).UnixMilli()
		noQuiz := training("x", 10, derm, msk)
		noQuiz.GetTraining().Quiz = nil
		badAnswer := training("x", 10, derm, msk)
		badAnswer.GetTraining().GetQuiz().GetQuestions()[1].CorrectOptionIds = []string{"d"}
		for _, tc := range []struct {
			name  string
			item  *contentv1.Item
			field string
			says  string
		}{
			{"script in HTML", html(`<p>Hi</p><script>alert(1)</script>`), "item.article.body.source", "<script>"},
			{"event handler", html(`<img src="x.png" onerror="alert(1)">`), "item.article.body.source", "event handler"},
			{"javascript link", html(`<a href="JaVa&#x09;Script:alert(1)">x</a>`), "item.article.body.source", "javascript URL"},
			{"iframe", html(`<iframe src="https://evil.example"></iframe>`), "item.article.body.source", "<iframe>"},
			{"script in Markdown", article("x", "Статья", "Текст\n\n<script>steal()</script>\n", derm, msk), "item.article.body.source", "<script>"},
			{"javascript link in Markdown", article("x", "Статья", "[жми](javascript:alert(1))", derm, msk), "item.article.body.source", "javascript URL"},
			{"no specialty", noSpecialty, "item.specialties", "at least one"},
			{"unknown specialty", article("x", "Статья", "Текст.", []string{"dermatology", "astrology"}, msk), "item.specialties[0]", `"astrology" is not a specialty: use one of dermatology,`},
			{"no region", article("x", "Статья", "Текст.", derm, nil), "item.region_ids", "at least one"},
			{"unknown region", article("x", "Статья", "Текст.", derm, []string{"atlantis"}), "item.region_ids[0]", "no region"},
			{"window ends before it starts", backwards, "item.ends_at_unix_ms", "ends"},
			{"empty article", article("x", "Статья", "  ", derm, msk), "item.article.body.source", "required"},
			{"no title", article("x", "", "Текст.", derm, msk), "item.title", "required"},
			{"training without a quiz", noQuiz, "item.training.quiz.questions", "quiz"},
			{"correct answer not an option", badAnswer, "item.training.quiz.questions[1].correct_option_ids", "not one of"},
			{"video without https", &contentv1.Item{Title: "V", Specialties: derm, RegionIds: msk, Body: &contentv1.Item_Video{Video: &contentv1.Video{Url: "javascript:alert(1)"}}}, "item.video.url", "https"},
			{"paper without a way to find it", &contentv1.Item{Title: "P", Specialties: derm, RegionIds: msk, Body: &contentv1.Item_Paper{Paper: &contentv1.Paper{Journal: "JEADV"}}}, "item.paper.doi", "DOI or a URL"},
			{"no body", &contentv1.Item{Title: "?", Specialties: derm, RegionIds: msk}, "item.body", "required"},
		} {
			_, err := e.svc.CreateItem(e.ctx, e.editor, tc.item)
			if code(err) != "invalid" || !violation(err, tc.field) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s: %v, want a violation on %s saying %q", tc.name, err, tc.field, tc.says)
			}
		}
		if _, err := e.svc.GetItem(e.ctx, e.editor, "x"); code(err) != "not_found" {
			t.Fatalf("a refused item was saved: %v", err)
		}
		// Harmless markup outside the safe set is dropped, not refused.
		it := html(`<p style="color:red" class="x">Текст <font face="Arial">шрифтом</font> и <a href="https://example.org">ссылка</a></p>`)
		saved, err := e.svc.CreateItem(e.ctx, e.editor, it)
		if err != nil {
			t.Fatal(err)
		}
		if got := saved.Item.GetArticle().GetBody().GetHtml(); got != `<p>Текст шрифтом и <a href="https://example.org" rel="nofollow noreferrer noopener" target="_blank">ссылка</a></p>` {
			t.Fatalf("sanitised to %s", got)
		}
		if got := saved.Item.GetArticle().GetBody().GetSource(); got != it.GetArticle().GetBody().GetSource() {
			t.Fatalf("the editor's source was not kept: %s", got)
		}
		// An update with a script leaves the published version on phones.
		e.publish("x")
		bad := proto.Clone(it).(*contentv1.Item)
		bad.GetArticle().GetBody().Source += `<script>alert(1)</script>`
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, bad, 1); code(err) != "invalid" {
			t.Fatalf("update with a script: %v", err)
		}
		doc.Sync()
		if got := doc.items()["x"]; got == nil || got.Version != 1 {
			t.Fatalf("phone holds %v", got)
		}
		// The kind of an item cannot change.
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, training("x", 1, derm, msk), 0); code(err) != "invalid" || !violation(err, "item.body") {
			t.Fatalf("article to training: %v", err)
		}
		// A taken id.
		if _, err := e.svc.CreateItem(e.ctx, e.editor, article("x", "Другая", "Текст.", derm, msk)); code(err) != "conflict" {
			t.Fatalf("taken id: %v", err)
		}
		// Only moderators and admins edit.
		rep := e.staff(auth.RoleRep, "rep@ordinator.test", "msk")
		if _, err := e.svc.CreateItem(e.ctx, rep, article("y", "Статья", "Текст.", derm, msk)); code(err) != "permission_denied" {
			t.Fatalf("rep creating: %v", err)
		}
		if _, err := e.svc.PublishItem(e.ctx, doc.P, "x"); code(err) != "permission_denied" {
			t.Fatalf("doctor publishing: %v", err)
		}
	})
}

func TestImages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		doc := e.doctor("doc", "dermatology", "msk", true)
		imgs := e.images()
		mine := imgs.register(e.editor, 1, contentImage) // its bytes not sent yet
		uploading := mine.id
		colleague := e.staff(auth.RoleModerator, "another-editor@ordinator.test", "")
		theirs := imgs.register(colleague, 2, contentImage)
		imgs.send(colleague, theirs)
		it := article("illustrated", "С картинками", "Текст.", derm, msk)
		it.ImageMediaIds = []string{theirs.id}
		if _, err := e.svc.CreateItem(e.ctx, e.editor, it); code(err) != "permission_denied" {
			t.Fatalf("another's image: %v", err)
		}
		it.ImageMediaIds = []string{imgs.register(e.editor, 3, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO).id}
		if _, err := e.svc.CreateItem(e.ctx, e.editor, it); !violation(err, "image_media_ids") {
			t.Fatalf("a photo uploaded for a case: %v", err)
		}
		it.ImageMediaIds = []string{"not-a-media-id"}
		if _, err := e.svc.CreateItem(e.ctx, e.editor, it); !violation(err, "item.image_media_ids[0]") {
			t.Fatalf("bad media id: %v", err)
		}
		it.ImageMediaIds = []string{uploading}
		e.create(it)
		if !imgs.referenced(uploading, "content:illustrated") {
			t.Fatal("the image was not referenced")
		}
		// Not published until the image is ready.
		if _, err := e.svc.PublishItem(e.ctx, e.editor, "illustrated"); code(err) != "failed_precondition" || !violation(err, "item.image_media_ids[0]") {
			t.Fatalf("publishing with an image uploading: %v", err)
		}
		doc.Sync()
		if got := doc.ids(); got != nil {
			t.Fatalf("phone holds %v", got)
		}
		imgs.send(e.editor, mine)
		e.publish("illustrated")
		doc.Sync()
		if got := doc.items()["illustrated"].GetImageMediaIds(); len(got) != 1 || got[0] != uploading {
			t.Fatalf("phone has images %v", got)
		}
		// The doctor may read the image; another doctor may not.
		other := e.doctor("other", "oncology", "msk", true)
		must(t, e.store.View(e.ctx, func(q syncengine.Querier) error {
			ok, err := e.svc.MayReadImages(e.ctx, q, doc.P, []string{"content:illustrated"})
			if err != nil || !ok {
				t.Fatalf("doctor reading the image: %v %v", ok, err)
			}
			ok, err = e.svc.MayReadImages(e.ctx, q, other.P, []string{"content:illustrated"})
			if err != nil || ok {
				t.Fatalf("another specialty reading the image: %v %v", ok, err)
			}
			return nil
		}))
		// Removing the image releases it.
		it.ImageMediaIds = nil
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, it, 0); err != nil {
			t.Fatal(err)
		}
		if imgs.referenced(uploading, "content:illustrated") {
			t.Fatal("the removed image is still referenced")
		}
	})
}
