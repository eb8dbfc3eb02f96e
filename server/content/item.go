package content

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/rules/specialty"
	"github.com/ordinatorhq/ordinator/syncengine"
)

var (
	idPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	regionPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)
	mediaPattern  = regexp.MustCompile(`^[0-9a-fA-F-]{36}$`)
	quizIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)
	doiPattern    = regexp.MustCompile(`^10\.\d{4,9}/\S+$`)
)

// Limits of an item.
const (
	maxTargets   = 50 // specialties, and regions
	maxImages    = 20
	maxLessons   = 50
	maxQuestions = 100
	maxOptions   = 10
	maxPoints    = 100000
)

// violations collects field violations under a prefix.
type violations struct {
	prefix string
	list   []syncengine.Violation
}

func (v *violations) add(field, format string, args ...any) {
	v.list = append(v.list, syncengine.Violation{Field: v.prefix + field, Description: fmt.Sprintf(format, args...)})
}

func (v *violations) text(field string, rt *contentv1.RichText, required bool) {
	v.list = append(v.list, renderText(v.prefix+field, rt, required)...)
}

func (v *violations) str(field string, s *string, min, max int) {
	*s = strings.TrimSpace(*s)
	if n := utf8.RuneCountInString(*s); n < min || n > max {
		if min > 0 && n == 0 {
			v.add(field, "is required (at most %d characters)", max)
		} else {
			v.add(field, "must be %d to %d characters, not %d", min, max, n)
		}
	}
}

// prepare validates an item an editor saves and returns it normalised:
// texts trimmed and rendered, targets sorted, the kind set from the body,
// quiz ids assigned, server-set fields cleared. Nothing is saved when it
// returns an error, which lists every field at fault.
func prepare(in *contentv1.Item) (*contentv1.Item, error) {
	it := proto.Clone(in).(*contentv1.Item)
	v := &violations{prefix: "item."}
	if it.Id != "" && !idPattern.MatchString(it.Id) {
		v.add("id", "use 1 to 64 letters, digits, dashes and underscores")
	}
	v.str("title", &it.Title, 1, 300)
	v.str("summary", &it.Summary, 0, 1000)
	switch it.Language {
	case "":
		it.Language = "ru"
	case "ru", "en":
	default:
		v.add("language", "must be ru or en")
	}
	it.Specialties = targets(v, "specialties", it.Specialties, specialty.Problem)
	it.RegionIds = targets(v, "region_ids", it.RegionIds, func(s string) string {
		if !regionPattern.MatchString(s) {
			return fmt.Sprintf("%q is not a region id such as msk", s)
		}
		return ""
	})
	if it.StartsAtUnixMs < 0 {
		v.add("starts_at_unix_ms", "must not be negative")
	}
	if it.EndsAtUnixMs < 0 {
		v.add("ends_at_unix_ms", "must not be negative (0 for no end)")
	} else if it.EndsAtUnixMs != 0 && it.EndsAtUnixMs <= it.StartsAtUnixMs {
		v.add("ends_at_unix_ms", "the publish window ends (%s) before it starts (%s)", stamp(it.EndsAtUnixMs), stamp(it.StartsAtUnixMs))
	}
	slices.Sort(it.ImageMediaIds)
	it.ImageMediaIds = slices.Compact(it.ImageMediaIds)
	if len(it.ImageMediaIds) > maxImages {
		v.add("image_media_ids", "at most %d images", maxImages)
	}
	for i, m := range it.ImageMediaIds {
		if !mediaPattern.MatchString(m) {
			v.add(fmt.Sprintf("image_media_ids[%d]", i), "%q is not a media id", m)
		}
	}
	kind := kindOf(it)
	if kind == contentv1.ItemKind_ITEM_KIND_UNSPECIFIED {
		v.add("body", "is required: an article, a paper, a video or a training")
	} else if it.Kind != contentv1.ItemKind_ITEM_KIND_UNSPECIFIED && it.Kind != kind {
		v.add("kind", "is %s but the body is a %s", kindName(it.Kind), kindName(kind))
	}
	it.Kind = kind
	switch b := it.Body.(type) {
	case *contentv1.Item_Article:
		v.text("article.body", b.Article.GetBody(), true)
	case *contentv1.Item_Paper:
		preparePaper(v, b.Paper)
	case *contentv1.Item_Video:
		prepareVideo(v, b.Video)
	case *contentv1.Item_Training:
		prepareTraining(v, b.Training)
	}
	prepareCountries(v, it)
	it.Version, it.PublishedAtUnixMs, it.UpdatedAtUnixMs = 0, 0, 0
	if len(v.list) > 0 {
		return nil, syncengine.Invalid("the item cannot be saved", v.list...)
	}
	return it, nil
}

// targets normalises a list of targets; problem says what is wrong with
// one, or "".
func targets(v *violations, field string, in []string, problem func(string) string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.TrimSpace(s))
	}
	slices.Sort(out)
	out = slices.Compact(out)
	switch {
	case len(out) == 0:
		v.add(field, "at least one is required: an item targeted at none would reach nobody")
	case len(out) > maxTargets:
		v.add(field, "at most %d", maxTargets)
	}
	for i, s := range out {
		if p := problem(s); p != "" {
			v.add(fmt.Sprintf("%s[%d]", field, i), "%s", p)
		}
	}
	return out
}

func preparePaper(v *violations, p *contentv1.Paper) {
	if len(p.Authors) > 100 {
		v.add("paper.authors", "at most 100")
	}
	for i := range p.Authors {
		v.str(fmt.Sprintf("paper.authors[%d]", i), &p.Authors[i], 1, 200)
	}
	v.str("paper.journal", &p.Journal, 0, 300)
	if p.Year != 0 && (p.Year < 1800 || p.Year > int32(time.Now().Year())+1) {
		v.add("paper.year", "%d is not a publication year", p.Year)
	}
	p.Doi = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p.Doi), "https://doi.org/"))
	if p.Doi != "" && !doiPattern.MatchString(p.Doi) {
		v.add("paper.doi", "%q is not a DOI (such as 10.1111/jdv.12345)", p.Doi)
	}
	p.Url = strings.TrimSpace(p.Url)
	if p.Url != "" {
		webURL(v, "paper.url", p.Url)
	}
	if p.Doi == "" && p.Url == "" {
		v.add("paper.doi", "a DOI or a URL is required to find the paper")
	}
	v.text("paper.abstract", p.Abstract, false)
}

func prepareVideo(v *violations, vid *contentv1.Video) {
	vid.Url = strings.TrimSpace(vid.Url)
	if vid.Url == "" {
		v.add("video.url", "is required")
	} else {
		webURL(v, "video.url", vid.Url)
	}
	if vid.DurationSeconds < 0 || vid.DurationSeconds > 24*3600 {
		v.add("video.duration_seconds", "must be 0 to 86400")
	}
	v.text("video.description", vid.Description, false)
}

func webURL(v *violations, field, s string) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(s) > 2000 {
		v.add(field, "must be an https:// link")
	}
}

func prepareTraining(v *violations, t *contentv1.Training) {
	switch n := len(t.Lessons); {
	case n == 0:
		v.add("training.lessons", "at least one lesson is required")
	case n > maxLessons:
		v.add("training.lessons", "at most %d lessons", maxLessons)
	}
	for i, l := range t.Lessons {
		v.str(fmt.Sprintf("training.lessons[%d].title", i), &l.Title, 1, 300)
		v.text(fmt.Sprintf("training.lessons[%d].body", i), l.Body, true)
	}
	if t.Points < 0 || t.Points > maxPoints {
		v.add("training.points", "must be 0 to %d", maxPoints)
	}
	q := t.Quiz
	if q == nil || len(q.Questions) == 0 {
		v.add("training.quiz.questions", "a training ends in a quiz: at least one question is required")
		return
	}
	if q.PassMarkPercent < 1 || q.PassMarkPercent > 100 {
		v.add("training.quiz.pass_mark_percent", "must be 1 to 100")
	}
	if len(q.Questions) > maxQuestions {
		v.add("training.quiz.questions", "at most %d questions", maxQuestions)
	}
	seen := map[string]bool{}
	for i, qq := range q.Questions {
		f := fmt.Sprintf("training.quiz.questions[%d]", i)
		if qq.Id == "" {
			qq.Id = uuid.NewString()
		} else if !quizIDPattern.MatchString(qq.Id) {
			v.add(f+".id", "use 1 to 64 letters, digits and .:_-")
		} else if seen[qq.Id] {
			v.add(f+".id", "%q is used by another question", qq.Id)
		}
		seen[qq.Id] = true
		v.str(f+".text", &qq.Text, 1, 2000)
		if n := len(qq.Options); n < 2 || n > maxOptions {
			v.add(f+".options", "must be 2 to %d options", maxOptions)
		}
		ids := map[string]bool{}
		for j, o := range qq.Options {
			if o.Id == "" {
				o.Id = string(rune('a' + j))
			}
			if !quizIDPattern.MatchString(o.Id) {
				v.add(fmt.Sprintf("%s.options[%d].id", f, j), "use 1 to 64 letters, digits and .:_-")
			} else if ids[o.Id] {
				v.add(fmt.Sprintf("%s.options[%d].id", f, j), "%q is used by another option", o.Id)
			}
			ids[o.Id] = true
			v.str(fmt.Sprintf("%s.options[%d].text", f, j), &o.Text, 1, 500)
		}
		slices.Sort(qq.CorrectOptionIds)
		qq.CorrectOptionIds = slices.Compact(qq.CorrectOptionIds)
		if len(qq.CorrectOptionIds) == 0 {
			v.add(f+".correct_option_ids", "at least one option must be correct")
		}
		for _, c := range qq.CorrectOptionIds {
			if !ids[c] {
				v.add(f+".correct_option_ids", "%q is not one of the question's options", c)
			}
		}
	}
}

func kindOf(it *contentv1.Item) contentv1.ItemKind {
	switch it.Body.(type) {
	case *contentv1.Item_Article:
		return contentv1.ItemKind_ITEM_KIND_ARTICLE
	case *contentv1.Item_Paper:
		return contentv1.ItemKind_ITEM_KIND_PAPER
	case *contentv1.Item_Video:
		return contentv1.ItemKind_ITEM_KIND_VIDEO
	case *contentv1.Item_Training:
		return contentv1.ItemKind_ITEM_KIND_TRAINING
	}
	return contentv1.ItemKind_ITEM_KIND_UNSPECIFIED
}

// kindName is a kind's short name: article, paper, video, training.
func kindName(k contentv1.ItemKind) string {
	return strings.ToLower(strings.TrimPrefix(k.String(), "ITEM_KIND_"))
}

// KindFromName parses a kind's short name ("" for any).
func KindFromName(s string) (contentv1.ItemKind, bool) {
	if s == "" {
		return contentv1.ItemKind_ITEM_KIND_UNSPECIFIED, true
	}
	k, ok := contentv1.ItemKind_value["ITEM_KIND_"+strings.ToUpper(s)]
	return contentv1.ItemKind(k), ok && k != 0
}

func stamp(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04 MST") }

// devicePayload is the item as it syncs: the editors' sources stripped.
func devicePayload(it *contentv1.Item) []byte {
	c := proto.Clone(it).(*contentv1.Item)
	for _, rt := range richTexts(c) {
		rt.Source = ""
	}
	b, err := proto.Marshal(c)
	if err != nil {
		panic(err) // a plain message always marshals
	}
	return b
}

// richTexts lists an item's rich texts.
func richTexts(it *contentv1.Item) []*contentv1.RichText {
	var out []*contentv1.RichText
	add := func(rt *contentv1.RichText) {
		if rt != nil {
			out = append(out, rt)
		}
	}
	switch b := it.Body.(type) {
	case *contentv1.Item_Article:
		add(b.Article.GetBody())
	case *contentv1.Item_Paper:
		add(b.Paper.GetAbstract())
	case *contentv1.Item_Video:
		add(b.Video.GetDescription())
	case *contentv1.Item_Training:
		for _, l := range b.Training.GetLessons() {
			add(l.GetBody())
		}
	}
	return out
}
