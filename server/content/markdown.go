package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// frontMatter is the YAML header of a Markdown file an editor imports.
type frontMatter struct {
	ID          string   `yaml:"id"`
	Kind        string   `yaml:"kind"` // article (default), paper, video, training
	Title       string   `yaml:"title"`
	Summary     string   `yaml:"summary"`
	Language    string   `yaml:"language"`
	Specialties []string `yaml:"specialties"`
	Regions     []string `yaml:"regions"`
	Public      bool     `yaml:"public"`
	Countries   []string `yaml:"countries"`  // the stacks its bundles go to; none: every one
	LocalOnly   bool     `yaml:"local_only"` // never in a bundle
	Starts      string   `yaml:"starts"`
	Ends        string   `yaml:"ends"`
	Images      []string `yaml:"images"`
	Format      string   `yaml:"format"` // of the body: markdown (default) or html

	Authors []string `yaml:"authors"`
	Journal string   `yaml:"journal"`
	Year    int32    `yaml:"year"`
	DOI     string   `yaml:"doi"`
	URL     string   `yaml:"url"`

	Duration string `yaml:"duration"`

	Points   int64      `yaml:"points"`
	PassMark int32      `yaml:"pass_mark"`
	Quiz     []question `yaml:"quiz"`
}

type question struct {
	ID       string   `yaml:"id"`
	Question string   `yaml:"question"`
	Options  []option `yaml:"options"`
}

type option struct {
	ID      string `yaml:"id"`
	Text    string `yaml:"text"`
	Correct bool   `yaml:"correct"`
}

// ParseMarkdown reads an item from a Markdown file with YAML front matter:
//
//	---
//	id: atopic-dermatitis-2026
//	kind: article            # article, paper, video or training
//	title: Атопический дерматит у детей
//	specialties: [dermatology, pediatrics]
//	regions: [msk, spb]
//	public: false
//	countries: [kz]           # the stacks its bundles go to (none: all)
//	local_only: false         # true: it never leaves this stack
//	starts: 2026-03-01        # a date (UTC) or an RFC 3339 time
//	ends: 2026-12-31
//	---
//	The body in Markdown.
//
// The body is an article's text, a paper's abstract (with authors, journal,
// year, doi, url in the header) or a video's description (url, duration).
// A training's body is its lessons, each starting with a "# Title" line,
// and its header has points, pass_mark and the quiz:
//
//	quiz:
//	  - question: Что назначают первой линией?
//	    options:
//	      - text: Эмоленты
//	        correct: true
//	      - text: Антибиотики
//
// The item is checked only when it is saved.
func ParseMarkdown(data []byte) (*contentv1.Item, error) {
	head, body, err := splitFrontMatter(data)
	if err != nil {
		return nil, err
	}
	var fm frontMatter
	dec := yaml.NewDecoder(bytes.NewReader(head))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil && !errors.Is(err, io.EOF) {
		return nil, syncengine.Invalid("the file cannot be imported", syncengine.Violation{Field: "front matter", Description: err.Error()})
	}
	var v []syncengine.Violation
	bad := func(field, format string, args ...any) {
		v = append(v, syncengine.Violation{Field: field, Description: fmt.Sprintf(format, args...)})
	}
	it := &contentv1.Item{Id: fm.ID, Title: fm.Title, Summary: fm.Summary, Language: fm.Language, Specialties: fm.Specialties,
		RegionIds: fm.Regions, Public: fm.Public, ImageMediaIds: fm.Images,
		Countries: fm.Countries, LocalOnly: fm.LocalOnly}
	if it.StartsAtUnixMs, err = parseWhen(fm.Starts); err != nil {
		bad("starts", "%v", err)
	}
	if it.EndsAtUnixMs, err = parseWhen(fm.Ends); err != nil {
		bad("ends", "%v", err)
	}
	format := contentv1.TextFormat_TEXT_FORMAT_MARKDOWN
	switch fm.Format {
	case "", "markdown":
	case "html":
		format = contentv1.TextFormat_TEXT_FORMAT_HTML
	default:
		bad("format", "must be markdown or html")
	}
	text := func(s string) *contentv1.RichText {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return &contentv1.RichText{Format: format, Source: s}
	}
	switch fm.Kind {
	case "", "article":
		it.Body = &contentv1.Item_Article{Article: &contentv1.Article{Body: text(body)}}
	case "paper":
		it.Body = &contentv1.Item_Paper{Paper: &contentv1.Paper{Authors: fm.Authors, Journal: fm.Journal, Year: fm.Year, Doi: fm.DOI, Url: fm.URL, Abstract: text(body)}}
	case "video":
		secs, err := parseDuration(fm.Duration)
		if err != nil {
			bad("duration", "%v", err)
		}
		it.Body = &contentv1.Item_Video{Video: &contentv1.Video{Url: fm.URL, DurationSeconds: secs, Description: text(body)}}
	case "training":
		t := &contentv1.Training{Points: fm.Points, Quiz: &contentv1.Quiz{PassMarkPercent: fm.PassMark}}
		lessons, err := splitLessons(body)
		if err != nil {
			bad("body", "%v", err)
		}
		for _, l := range lessons {
			t.Lessons = append(t.Lessons, &contentv1.Lesson{Title: l[0], Body: text(l[1])})
		}
		for _, q := range fm.Quiz {
			qq := &contentv1.QuizQuestion{Id: q.ID, Text: q.Question}
			for j, o := range q.Options {
				id := o.ID
				if id == "" {
					id = string(rune('a' + j))
				}
				qq.Options = append(qq.Options, &contentv1.QuizOption{Id: id, Text: o.Text})
				if o.Correct {
					qq.CorrectOptionIds = append(qq.CorrectOptionIds, id)
				}
			}
			t.Quiz.Questions = append(t.Quiz.Questions, qq)
		}
		it.Body = &contentv1.Item_Training{Training: t}
	default:
		bad("kind", "%q is not article, paper, video or training", fm.Kind)
	}
	if len(v) > 0 {
		return nil, syncengine.Invalid("the file cannot be imported", v...)
	}
	return it, nil
}

func splitFrontMatter(data []byte) (head []byte, body string, err error) {
	s := strings.ReplaceAll(strings.TrimPrefix(string(data), "\uFEFF"), "\r\n", "\n")
	rest, ok := strings.CutPrefix(s, "---\n")
	if !ok {
		return nil, "", syncengine.Invalid("the file cannot be imported", syncengine.Violation{Field: "front matter",
			Description: "missing: start the file with a line ---, the item's fields (title, specialties, regions...), and another ---"})
	}
	h, b, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		if h, ok = strings.CutSuffix(rest, "\n---"); !ok {
			return nil, "", syncengine.Invalid("the file cannot be imported", syncengine.Violation{Field: "front matter", Description: "is not closed by a line ---"})
		}
	}
	return []byte(h), b, nil
}

// parseWhen reads a time: a date (midnight UTC), a date and time (UTC) or
// RFC 3339; "" is 0.
func parseWhen(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, fmt.Errorf("%q is not a date (2026-03-01) or a time (2026-03-01T09:00:00+03:00)", s)
}

// parseDuration reads a video's length: seconds, or a Go duration (12m30s).
func parseDuration(s string) (int32, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		return int32(n), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("%q is not a length such as 754 (seconds) or 12m34s", s)
	}
	return int32(d / time.Second), nil
}

// splitLessons cuts a training's body at its "# Title" lines (outside code
// blocks) into (title, text) pairs.
func splitLessons(body string) ([][2]string, error) {
	var out [][2]string
	var text strings.Builder
	fenced := false
	flush := func() {
		if len(out) > 0 {
			out[len(out)-1][1] = text.String()
		}
		text.Reset()
	}
	for _, line := range strings.SplitAfter(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fenced = !fenced
		}
		if title, ok := strings.CutPrefix(line, "# "); ok && !fenced {
			if len(out) == 0 && strings.TrimSpace(text.String()) != "" {
				return nil, errors.New("a training's lessons start with a '# Lesson title' line; there is text before the first one")
			}
			flush()
			out = append(out, [2]string{strings.TrimSpace(title), ""})
			continue
		}
		text.WriteString(line)
	}
	flush()
	return out, nil
}
