package console

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
)

// contentForm is the item editor's form: an item's fields as the form
// shows them, and back. Lessons, questions and options are numbered slots;
// blank slots are dropped when the form is read, so the editor always
// offers one more than the item has.
type contentForm struct {
	ID, Kind                   string
	Version                    int64
	Title, Summary, Language   string
	Specialties, Regions       []string
	Public                     bool
	Starts, Ends               string
	Images                     []string
	Body, BodyFormat           string
	Authors, Journal, Year     string
	DOI, URL, Duration         string
	Lessons                    []lessonSlot
	Questions                  []questionSlot
	PassMark, Points           string
	lessonSlots, questionSlots []int // the slot of each kept lesson and question
	optionSlots                [][]int
}

type lessonSlot struct {
	Title, Body, Format string
}

type questionSlot struct {
	ID, Text string
	Options  []optionSlot
}

type optionSlot struct {
	ID, Text string
	Correct  bool
}

// minOptions is how many option slots a question offers at least.
const minOptions = 4

// padSlots adds the blank slots the editor offers: one more lesson and
// question, and options up to minOptions or one more.
func (f *contentForm) padSlots() {
	if f.Kind != "training" {
		return
	}
	f.Lessons = append(f.Lessons, lessonSlot{})
	f.Questions = append(f.Questions, questionSlot{})
	for i := range f.Questions {
		q := &f.Questions[i]
		for want := min(max(minOptions, len(q.Options)+1), 10); len(q.Options) < want; {
			q.Options = append(q.Options, optionSlot{})
		}
	}
}

// formOf is an item in the form, its times in the user's zone.
func formOf(it *contentv1.Item, loc *time.Location) *contentForm {
	f := &contentForm{ID: it.Id, Version: it.Version, Kind: strings.ToLower(strings.TrimPrefix(it.Kind.String(), "ITEM_KIND_")),
		Title: it.Title, Summary: it.Summary, Language: it.Language, Specialties: it.Specialties, Regions: it.RegionIds,
		Public: it.Public, Starts: localTime(it.StartsAtUnixMs, loc), Ends: localTime(it.EndsAtUnixMs, loc), Images: it.ImageMediaIds}
	text := func(rt *contentv1.RichText) {
		f.Body, f.BodyFormat = rt.GetSource(), formatName(rt.GetFormat())
	}
	switch b := it.Body.(type) {
	case *contentv1.Item_Article:
		text(b.Article.GetBody())
	case *contentv1.Item_Paper:
		p := b.Paper
		f.Authors, f.Journal, f.DOI, f.URL = strings.Join(p.Authors, "\n"), p.Journal, p.Doi, p.Url
		if p.Year != 0 {
			f.Year = strconv.Itoa(int(p.Year))
		}
		text(p.GetAbstract())
	case *contentv1.Item_Video:
		f.URL = b.Video.Url
		if b.Video.DurationSeconds != 0 {
			f.Duration = strconv.Itoa(int(b.Video.DurationSeconds))
		}
		text(b.Video.GetDescription())
	case *contentv1.Item_Training:
		t := b.Training
		for _, l := range t.Lessons {
			f.Lessons = append(f.Lessons, lessonSlot{Title: l.Title, Body: l.GetBody().GetSource(), Format: formatName(l.GetBody().GetFormat())})
		}
		for _, q := range t.GetQuiz().GetQuestions() {
			qs := questionSlot{ID: q.Id, Text: q.Text}
			for _, o := range q.Options {
				qs.Options = append(qs.Options, optionSlot{ID: o.Id, Text: o.Text, Correct: slices.Contains(q.CorrectOptionIds, o.Id)})
			}
			f.Questions = append(f.Questions, qs)
		}
		f.PassMark, f.Points = strconv.Itoa(int(t.GetQuiz().GetPassMarkPercent())), strconv.FormatInt(t.Points, 10)
	}
	return f
}

func localTime(ms int64, loc *time.Location) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).In(loc).Format(localInput)
}

func formatName(f contentv1.TextFormat) string {
	if f == contentv1.TextFormat_TEXT_FORMAT_HTML {
		return "html"
	}
	return "markdown"
}

func richText(source, format string) *contentv1.RichText {
	if strings.TrimSpace(source) == "" {
		return nil
	}
	f := contentv1.TextFormat_TEXT_FORMAT_MARKDOWN
	if format == "html" {
		f = contentv1.TextFormat_TEXT_FORMAT_HTML
	}
	return &contentv1.RichText{Format: f, Source: source}
}

// readContentForm reads the editor's form as it was posted.
func readContentForm(q *request) *contentForm {
	r := q.r
	get := func(k string) string { return r.PostFormValue(k) }
	f := &contentForm{ID: q.r.PathValue("id"), Kind: get("kind"), Title: get("title"), Summary: get("summary"), Language: get("language"),
		Specialties: r.PostForm["specialties"], Regions: r.PostForm["regions"], Public: get("public") != "",
		Starts: get("starts"), Ends: get("ends"), Images: r.PostForm["images"], Body: get("body"), BodyFormat: get("body_format"),
		Authors: get("authors"), Journal: get("journal"), Year: get("year"), DOI: get("doi"), URL: get("url"), Duration: get("duration"),
		PassMark: get("pass_mark"), Points: get("points")}
	f.Version, _ = strconv.ParseInt(get("version"), 10, 64)
	for i := 0; r.PostForm.Has(fmt.Sprintf("lesson.%d.title", i)); i++ {
		p := fmt.Sprintf("lesson.%d.", i)
		f.Lessons = append(f.Lessons, lessonSlot{Title: get(p + "title"), Body: get(p + "body"), Format: get(p + "format")})
	}
	for i := 0; r.PostForm.Has(fmt.Sprintf("q.%d.text", i)); i++ {
		p := fmt.Sprintf("q.%d.", i)
		qs := questionSlot{ID: get(p + "id"), Text: get(p + "text")}
		correct := r.PostForm[p+"correct"]
		for j := 0; r.PostForm.Has(fmt.Sprintf("%so.%d.text", p, j)); j++ {
			op := fmt.Sprintf("%so.%d.", p, j)
			qs.Options = append(qs.Options, optionSlot{ID: get(op + "id"), Text: get(op + "text"), Correct: slices.Contains(correct, strconv.Itoa(j))})
		}
		f.Questions = append(f.Questions, qs)
	}
	return f
}

// item is the form as an item for the content service; what the form
// cannot even read (a date, a number) is returned as violations of the
// form's own fields.
func (f *contentForm) item(loc *time.Location) (*contentv1.Item, formErrors) {
	bad := formErrors{}
	it := &contentv1.Item{Id: f.ID, Title: f.Title, Summary: f.Summary, Language: f.Language, Specialties: f.Specialties,
		RegionIds: f.Regions, Public: f.Public, ImageMediaIds: f.Images}
	it.StartsAtUnixMs = formMillis(f.Starts, "starts", loc, bad)
	it.EndsAtUnixMs = formMillis(f.Ends, "ends", loc, bad)
	num := func(s, field string) int64 {
		if strings.TrimSpace(s) == "" {
			return 0
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
		if err != nil {
			bad[field] = append(bad[field], "must be a whole number")
		}
		return n
	}
	body := richText(f.Body, f.BodyFormat)
	switch f.Kind {
	case "article":
		it.Body = &contentv1.Item_Article{Article: &contentv1.Article{Body: body}}
	case "paper":
		var authors []string
		for _, a := range strings.Split(f.Authors, "\n") {
			if a = strings.TrimSpace(a); a != "" {
				authors = append(authors, a)
			}
		}
		it.Body = &contentv1.Item_Paper{Paper: &contentv1.Paper{Authors: authors, Journal: f.Journal, Year: int32(num(f.Year, "year")),
			Doi: f.DOI, Url: f.URL, Abstract: body}}
	case "video":
		it.Body = &contentv1.Item_Video{Video: &contentv1.Video{Url: f.URL, DurationSeconds: int32(num(f.Duration, "duration")), Description: body}}
	case "training":
		t := &contentv1.Training{Quiz: &contentv1.Quiz{PassMarkPercent: int32(num(f.PassMark, "pass_mark"))}, Points: num(f.Points, "points")}
		f.lessonSlots, f.questionSlots, f.optionSlots = nil, nil, nil
		for i, l := range f.Lessons {
			if strings.TrimSpace(l.Title) == "" && strings.TrimSpace(l.Body) == "" {
				continue
			}
			t.Lessons = append(t.Lessons, &contentv1.Lesson{Title: l.Title, Body: richText(l.Body, l.Format)})
			f.lessonSlots = append(f.lessonSlots, i)
		}
		for i, q := range f.Questions {
			qq := &contentv1.QuizQuestion{Id: q.ID, Text: q.Text}
			var slots []int
			for j, o := range q.Options {
				if strings.TrimSpace(o.Text) == "" && !o.Correct {
					continue
				}
				id := o.ID
				if id == "" {
					id = strconv.Itoa(j + 1)
				}
				qq.Options = append(qq.Options, &contentv1.QuizOption{Id: id, Text: o.Text})
				if o.Correct {
					qq.CorrectOptionIds = append(qq.CorrectOptionIds, id)
				}
				slots = append(slots, j)
			}
			if strings.TrimSpace(q.Text) == "" && len(qq.Options) == 0 {
				continue
			}
			t.Quiz.Questions = append(t.Quiz.Questions, qq)
			f.questionSlots, f.optionSlots = append(f.questionSlots, i), append(f.optionSlots, slots)
		}
		it.Body = &contentv1.Item_Training{Training: t}
	default:
		bad["kind"] = []string{"choose an article, a paper, a video or a training"}
	}
	return it, bad
}

func formMillis(s, field string, loc *time.Location, bad formErrors) int64 {
	if strings.TrimSpace(s) == "" {
		return 0
	}
	t, err := time.ParseInLocation(localInput, strings.TrimSpace(s), loc)
	if err != nil {
		bad[field] = append(bad[field], "must be a date and time")
	}
	return t.UnixMilli()
}

var (
	lessonField   = regexp.MustCompile(`^training\.lessons\[(\d+)\]\.(title|body)$`)
	questionField = regexp.MustCompile(`^training\.quiz\.questions\[(\d+)\]\.(text|options|correct_option_ids|id)$`)
	optionField   = regexp.MustCompile(`^training\.quiz\.questions\[(\d+)\]\.options\[(\d+)\]\.(text|id)$`)
)

// plainFields are the service's names of the form's other fields.
var plainFields = map[string]string{
	"title": "title", "summary": "summary", "language": "language", "specialties": "specialties", "region_ids": "regions",
	"starts_at_unix_ms": "starts", "ends_at_unix_ms": "ends", "body": "body", "kind": "kind",
	"article.body": "body", "paper.abstract": "body", "video.description": "body",
	"paper.authors": "authors", "paper.journal": "journal", "paper.year": "year", "paper.doi": "doi", "paper.url": "url",
	"video.url": "url", "video.duration_seconds": "duration",
	"training.lessons": "lessons", "training.points": "points",
	"training.quiz.questions": "questions", "training.quiz.pass_mark_percent": "pass_mark",
}

// fieldOf names the form field a service violation is about: the slot
// of a lesson, question or option, the form's name of any other field.
// Fields the form does not show keep their name, shown above the form.
func (f *contentForm) fieldOf(service string) string {
	name := strings.TrimPrefix(service, "item.")
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".source"), ".format")
	if i := strings.Index(name, "["); i > 0 && plainFields[name[:i]] != "" && !strings.HasPrefix(name, "training.") {
		name = name[:i] // an author or specialty in a list
	}
	if m := optionField.FindStringSubmatch(name); m != nil {
		qi, _ := strconv.Atoi(m[1])
		oi, _ := strconv.Atoi(m[2])
		if qi < len(f.optionSlots) && oi < len(f.optionSlots[qi]) {
			return fmt.Sprintf("q.%d.o.%d.text", f.questionSlots[qi], f.optionSlots[qi][oi])
		}
	}
	if m := questionField.FindStringSubmatch(name); m != nil {
		qi, _ := strconv.Atoi(m[1])
		if qi < len(f.questionSlots) {
			part := map[string]string{"text": "text", "options": "options", "correct_option_ids": "correct", "id": "text"}[m[2]]
			return fmt.Sprintf("q.%d.%s", f.questionSlots[qi], part)
		}
	}
	if m := lessonField.FindStringSubmatch(name); m != nil {
		li, _ := strconv.Atoi(m[1])
		if li < len(f.lessonSlots) {
			return fmt.Sprintf("lesson.%d.%s", f.lessonSlots[li], m[2])
		}
	}
	if n, ok := plainFields[name]; ok {
		return n
	}
	return service
}

// errorsOf are a service's violations under the form's field names.
func (f *contentForm) errorsOf(err error) formErrors {
	out := formErrors{}
	for field, ds := range violations(err) {
		name := f.fieldOf(field)
		out[name] = append(out[name], ds...)
	}
	return out
}

// Number is a slot's number as the editor shows it, from 1.
func (f *contentForm) Number(i int) int { return i + 1 }
