package console_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
)

// trainingForm is the editor's form of a training with one lesson and one
// question, as a browser posts it; slots left blank are dropped.
func trainingForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "kind": {"training"}, "title": {"Emollients"}, "language": {"en"}, "specialties": {"dermatology"},
		"regions": {"msk"}, "lesson.0.title": {""}, "lesson.0.body": {""}, "lesson.1.title": {"Why"}, "lesson.1.body": {"They restore the **barrier**."},
		"q.0.id": {""}, "q.0.text": {"What is the basis of care?"}, "q.0.o.0.text": {"Emollients"}, "q.0.o.1.text": {"Antibiotics"}, "q.0.o.2.text": {""},
		"q.0.correct": {"0"}, "q.1.text": {""}, "q.1.o.0.text": {""}, "pass_mark": {"50"}, "points": {"40"}}
}

func with(form url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "-" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

var itemPath = regexp.MustCompile(`^/console/content/([A-Za-z0-9_-]+)$`)

// TestContentEditor: a training with its quiz, refused field by field
// with the content module's words and nothing saved, previewed as phones
// get it without saving, saved, published, changed on a stale version
// (refused), unpublished; forged ids and tokens change nothing.
func TestContentEditor(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		c, queue := e.staff("mod@console.test")
		csrf := queue.csrf(t)
		if p := c.get("/console/content/new?kind=training"); p.status != http.StatusOK || !strings.Contains(p.body, `name="q.0.o.3.text"`) {
			t.Fatalf("a new training's editor: %d\n%s", p.status, p.body)
		}
		if p := c.get("/console/content/new?kind=poem"); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("a kind there is not: %d", p.status)
		}
		saved := func() int {
			items, _, err := e.content.ListItems(e.ctx, auth.System, content.Filter{})
			must(t, err)
			return len(items)
		}

		for _, tc := range []struct {
			form  url.Values
			field string
			want  string
		}{
			{with(trainingForm(csrf), "title", " "), "title", "is required"},
			{with(trainingForm(csrf), "q.0.correct", "-"), "q-0-correct", "at least one option must be correct"},
			{with(trainingForm(csrf), "q.0.o.1.text", "", "q.0.correct", "-"), "q-0-options", "must be 2 to 10 options"},
			{with(trainingForm(csrf), "lesson.1.body", " "), "lesson-1-body", "is required"},
			{with(trainingForm(csrf), "pass_mark", "0"), "pass_mark", "must be 1 to 100"},
			{with(trainingForm(csrf), "pass_mark", "half"), "pass_mark", "must be a whole number"},
			{with(trainingForm(csrf), "specialties", "astrology"), "specialties", "astrology"},
			{with(trainingForm(csrf), "ends", "2020-01-01T10:00", "starts", "2021-01-01T10:00"), "ends", "ends"},
			{with(trainingForm(csrf), "lesson.1.body", "<script>alert(1)</script>"), "lesson-1-body", "not allowed"},
		} {
			for _, action := range []string{"save", "preview"} {
				p := c.post("/console/content/new", with(tc.form, "action", action))
				if p.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(p, tc.field), tc.want) {
					t.Fatalf("%s with %s: %d, %q\n%s", action, tc.field, p.status, fieldError(p, tc.field), p.body)
				}
				if !strings.Contains(p.body, `value="What is the basis of care?"`) && !strings.Contains(p.body, "What is the basis of care?</textarea>") {
					t.Fatalf("the refused form lost the question")
				}
			}
		}
		if n := saved(); n != 0 {
			t.Fatalf("refused forms saved %d items", n)
		}

		prev := c.post("/console/content/new", with(trainingForm(csrf), "action", "preview"))
		if prev.status != http.StatusOK || !strings.Contains(prev.body, `id="preview"`) || !strings.Contains(prev.body, "They restore the <strong>barrier</strong>.") ||
			!strings.Contains(prev.body, `<li class="correct">Emollients`) {
			t.Fatalf("the preview: %d\n%s", prev.status, prev.body)
		}
		checkPage(t, "the preview", prev)
		if n := saved(); n != 0 {
			t.Fatal("previewing saved the item")
		}
		if p := c.post("/console/content/new", with(trainingForm(csrf), "action", "add")); !strings.Contains(p.body, `name="lesson.2.title"`) || !strings.Contains(p.body, `name="q.2.text"`) {
			t.Fatalf("more slots:\n%s", p.body)
		}

		p := c.post("/console/content/new", with(trainingForm(csrf), "action", "save"))
		m := itemPath.FindStringSubmatch(p.location)
		if p.status != http.StatusSeeOther || m == nil {
			t.Fatalf("saving: %d %q\n%s", p.status, p.location, p.body)
		}
		id := m[1]
		ed, err := e.content.GetItem(e.ctx, auth.System, id)
		must(t, err)
		tr := ed.Item.GetTraining()
		if len(tr.Lessons) != 1 || len(tr.Quiz.Questions) != 1 || len(tr.Quiz.Questions[0].Options) != 2 || tr.Quiz.PassMarkPercent != 50 || tr.Points != 40 {
			t.Fatalf("saved %v", ed.Item)
		}
		page := c.get(p.location)
		if !strings.Contains(page.body, `id="state"`) || !strings.Contains(page.body, "content-draft") || !strings.Contains(page.body, "<strong>barrier</strong>") {
			t.Fatalf("the saved item:\n%s", page.body)
		}
		if p := c.post(p.location+"/publish", url.Values{}); p.status != http.StatusForbidden {
			t.Fatalf("publishing without the token: %d", p.status)
		}
		if p := c.post(p.location+"/publish", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
			t.Fatalf("publishing: %d", p.status)
		}
		if ed, _ := e.content.GetItem(e.ctx, auth.System, id); ed.Status.State.String() != "ITEM_STATE_LIVE" {
			t.Fatalf("published: %v", ed.Status.State)
		}
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(c.get(p.location).body)[1]
		edit := with(trainingForm(csrf), "action", "save", "version", version, "title", "Emollients, revised", "q.0.id", tr.Quiz.Questions[0].Id)
		if p := c.post(p.location, edit); p.status != http.StatusSeeOther {
			t.Fatalf("a new version: %d\n%s", p.status, p.body)
		}
		if p := c.post(p.location, with(edit, "title", "A stale edit")); p.status != http.StatusConflict || !strings.Contains(p.body, `id="banner"`) {
			t.Fatalf("an edit of a stale version: %d\n%s", p.status, p.body)
		}
		if ed, _ := e.content.GetItem(e.ctx, auth.System, id); ed.Item.Title != "Emollients, revised" {
			t.Fatalf("the stale edit changed the item: %q", ed.Item.Title)
		}
		if p := c.post(p.location+"/unpublish", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
			t.Fatalf("unpublishing: %d", p.status)
		}
		if p := c.get(p.location); !strings.Contains(p.body, "content-unpublished") {
			t.Fatalf("the unpublished item:\n%s", p.body)
		}
		if list := c.get("/console/content?state=unpublished&kind=training"); !strings.Contains(list.body, "Emollients, revised") {
			t.Fatalf("the library filtered:\n%s", list.body)
		}
		if list := c.get("/console/content?state=live"); strings.Contains(list.body, "Emollients, revised") {
			t.Fatal("an unpublished item listed as live")
		}
		if list := c.get("/console/content?state=sleeping"); list.status != http.StatusUnprocessableEntity || fieldError(list, "state") == "" {
			t.Fatalf("a state there is not: %d", list.status)
		}

		ended := c.post("/console/content/new", with(trainingForm(csrf), "action", "save", "title", "Last year's course", "ends", "2020-01-01T10:00"))
		if ended.status != http.StatusSeeOther {
			t.Fatalf("saving an item whose window has ended: %d\n%s", ended.status, ended.body)
		}
		if p := c.post(ended.location+"/publish", url.Values{"csrf": {csrf}}); p.status != http.StatusConflict || fieldError(p, "ends") != "is in the past" ||
			!strings.Contains(p.body, "move its end first") {
			t.Fatalf("publishing an item whose window has ended: %d %q\n%s", p.status, fieldError(p, "ends"), p.body)
		}
		if ed, _ := e.content.GetItem(e.ctx, auth.System, strings.TrimPrefix(ended.location, "/console/content/")); ed.Status.State.String() != "ITEM_STATE_DRAFT" {
			t.Fatalf("the refused publication: %v", ed.Status.State)
		}
		for _, path := range []string{"/console/content/forged", "/console/content/no such id"} {
			if p := c.get(strings.ReplaceAll(path, " ", "%20")); p.status != http.StatusNotFound {
				t.Fatalf("GET %s: %d", path, p.status)
			}
		}
		for _, path := range []string{"/console/content/forged", "/console/content/forged/publish", "/console/content/forged/unpublish"} {
			if p := c.post(path, with(trainingForm(csrf), "action", "save")); p.status != http.StatusNotFound {
				t.Fatalf("POST %s: %d", path, p.status)
			}
		}
		if n := saved(); n != 2 {
			t.Fatalf("%d items after forged requests", n)
		}
	})
}

const paperFile = `---
id: barrier-paper
kind: paper
title: Skin barrier repair
authors: [A. Ivanova, B. Petrov]
journal: J Derm
year: 2024
doi: 10.1111/jdv.12345
specialties: [dermatology]
regions: [msk]
---
The **abstract**.
`

// upload posts a file to the import form as a browser does.
func (c *client) upload(path, csrf, name string, data []byte) page {
	c.e.t.Helper()
	return c.postFile(path, csrf, "file", name, data)
}

// postFile posts a multipart form as a browser does: the token, the other
// fields (name, value pairs), and the file as field unless name is "".
func (c *client) postFile(path, csrf, field, name string, data []byte, fields ...string) page {
	c.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if csrf != "" {
		must(c.e.t, w.WriteField("csrf", csrf))
	}
	for i := 0; i+1 < len(fields); i += 2 {
		must(c.e.t, w.WriteField(fields[i], fields[i+1]))
	}
	if name != "" {
		f, err := w.CreateFormFile(field, name)
		must(c.e.t, err)
		f.Write(data)
	}
	must(c.e.t, w.Close())
	req, err := http.NewRequest(http.MethodPost, c.e.url+path, &body)
	must(c.e.t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// TestContentImport: a Markdown file is read by the parser of `ordinator
// content import`; a second upload of it is a new version; a bad file is
// refused next to the file field with nothing saved.
func TestContentImport(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		c, queue := e.staff("admin@console.test")
		csrf := queue.csrf(t)
		for _, tc := range []struct{ name, data, want string }{
			{"", "", "choose a Markdown file"},
			{"plain.md", "no front matter", "front matter"},
			{"bad.md", strings.Replace(paperFile, "10.1111/jdv.12345", "not-a-doi", 1), "not a DOI"},
		} {
			p := c.upload("/console/content/import", csrf, tc.name, []byte(tc.data))
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tc.want) {
				t.Fatalf("importing %q: %d\n%s", tc.name, p.status, p.body)
			}
		}
		if p := c.upload("/console/content/import", "", "paper.md", []byte(paperFile)); p.status != http.StatusForbidden {
			t.Fatalf("an upload without the token: %d", p.status)
		}
		if items, _, _ := e.content.ListItems(e.ctx, auth.System, content.Filter{}); len(items) != 0 {
			t.Fatalf("refused files saved %d items", len(items))
		}
		for version := 1; version <= 2; version++ {
			p := c.upload("/console/content/import", csrf, "paper.md", []byte(paperFile))
			if p.status != http.StatusSeeOther || p.location != "/console/content/barrier-paper?imported=1" {
				t.Fatalf("importing: %d %q\n%s", p.status, p.location, p.body)
			}
			ed, err := e.content.GetItem(e.ctx, auth.System, "barrier-paper")
			must(t, err)
			if ed.Item.Version != int64(version) {
				t.Fatalf("import %d: version %d", version, ed.Item.Version)
			}
		}
		p := c.get("/console/content/barrier-paper?imported=1")
		for _, want := range []string{`id="imported"`, "The <strong>abstract</strong>.", "A. Ivanova", `value="10.1111/jdv.12345"`} {
			if !strings.Contains(p.body, want) {
				t.Fatalf("the imported paper lacks %q:\n%s", want, p.body)
			}
		}
		bad := c.post("/console/content/barrier-paper", url.Values{"csrf": {csrf}, "kind": {"paper"}, "title": {"Skin barrier repair"}, "doi": {"nope"},
			"authors": {"A. Ivanova"}, "version": {"2"}, "action": {"save"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(bad, "doi"), "not a DOI") {
			t.Fatalf("a paper with a bad DOI: %d %q", bad.status, fieldError(bad, "doi"))
		}
	})
}

// TestContentKinds: an article and a video through the editor, each
// refused where the content module refuses it; the library by specialty
// and region.
func TestContentKinds(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		c, queue := e.staff("mod@console.test")
		csrf := queue.csrf(t)
		article := url.Values{"csrf": {csrf}, "kind": {"article"}, "title": {"Atopic dermatitis: a memo"}, "specialties": {"pediatrics"}, "regions": {"msk"},
			"body": {"Moisturise **twice a day**."}, "body_format": {"markdown"}, "action": {"save"}}
		if p := c.post("/console/content/new", with(article, "body", "")); p.status != http.StatusUnprocessableEntity || fieldError(p, "body") != "is required" {
			t.Fatalf("an article without a text: %d %q", p.status, fieldError(p, "body"))
		}
		if p := c.post("/console/content/new", article); p.status != http.StatusSeeOther {
			t.Fatalf("an article: %d\n%s", p.status, p.body)
		}
		video := url.Values{"csrf": {csrf}, "kind": {"video"}, "title": {"Dermatoscopy basics"}, "public": {"1"}, "specialties": {"dermatology"}, "regions": {"msk"}, "url": {"http://video.example/1"},
			"duration": {"600"}, "action": {"save"}}
		if p := c.post("/console/content/new", video); p.status != http.StatusUnprocessableEntity || fieldError(p, "url") != "must be an https:// link" {
			t.Fatalf("a video on http: %d %q", p.status, fieldError(p, "url"))
		}
		if p := c.post("/console/content/new", with(video, "url", "https://video.example/1", "duration", "ten minutes")); p.status != http.StatusUnprocessableEntity ||
			fieldError(p, "duration") != "must be a whole number" {
			t.Fatalf("a video with a bad duration: %d %q", p.status, fieldError(p, "duration"))
		}
		if p := c.post("/console/content/new", with(video, "url", "https://video.example/1")); p.status != http.StatusSeeOther {
			t.Fatalf("a video: %d\n%s", p.status, p.body)
		}
		if p := c.get("/console/content?specialty=pediatrics"); !strings.Contains(p.body, "Atopic dermatitis: a memo") || strings.Contains(p.body, "Dermatoscopy basics") {
			t.Fatalf("the library for pediatrics:\n%s", p.body)
		}
		if p := c.get("/console/content?region=msk&kind=article"); !strings.Contains(p.body, "Atopic dermatitis: a memo") {
			t.Fatalf("the library for msk:\n%s", p.body)
		}
		for q, field := range map[string]string{"specialty=astrology": "specialty", "region=atlantis": "region", "kind=poem": "kind"} {
			if p := c.get("/console/content?" + q); p.status != http.StatusUnprocessableEntity || fieldError(p, field) == "" {
				t.Fatalf("the library with %s: %d", q, p.status)
			}
		}
	})
}
