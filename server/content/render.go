package content

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// maxSource bounds one rich text's source.
const maxSource = 256 << 10

// markdown renders CommonMark with GitHub's tables, strikethrough and
// autolinks. Raw HTML is rendered so that it can be checked like HTML
// input: what could run code is refused, the rest sanitised.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
)

// sanitizer keeps the formatting an article needs (headings, lists,
// tables, emphasis, links, images, quotes, code) and drops everything else.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("https", "http", "mailto")
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// forbidden are elements that run code, load other documents or take input;
// content containing them is refused rather than silently changed, so the
// editor knows.
var forbidden = []string{"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
	"form", "input", "button", "textarea", "select", "meta", "link", "base", "svg", "math", "template", "noscript"}

// urlAttrs are attributes holding URLs.
var urlAttrs = []string{"href", "src", "action", "formaction", "xlink:href", "background", "poster", "cite", "srcset", "data"}

// renderText renders and sanitises rich text in place. It returns the
// violations of the text at field (empty text is one when required).
func renderText(field string, rt *contentv1.RichText, required bool) []syncengine.Violation {
	if rt == nil {
		if required {
			return []syncengine.Violation{{Field: field, Description: "is required"}}
		}
		return nil
	}
	if len(rt.Source) > maxSource {
		return []syncengine.Violation{{Field: field + ".source", Description: fmt.Sprintf("is %d bytes; at most %d", len(rt.Source), maxSource)}}
	}
	var rendered string
	switch rt.Format {
	case contentv1.TextFormat_TEXT_FORMAT_UNSPECIFIED, contentv1.TextFormat_TEXT_FORMAT_MARKDOWN:
		rt.Format = contentv1.TextFormat_TEXT_FORMAT_MARKDOWN
		var buf bytes.Buffer
		if err := markdown.Convert([]byte(rt.Source), &buf); err != nil {
			return []syncengine.Violation{{Field: field + ".source", Description: "is not valid Markdown: " + err.Error()}}
		}
		rendered = buf.String()
	case contentv1.TextFormat_TEXT_FORMAT_HTML:
		rendered = rt.Source
	default:
		return []syncengine.Violation{{Field: field + ".format", Description: "must be Markdown or HTML"}}
	}
	if problem := unsafeHTML(rendered); problem != "" {
		return []syncengine.Violation{{Field: field + ".source", Description: problem + ", which is not allowed in content: remove it"}}
	}
	rt.Html = sanitizer.Sanitize(rendered)
	rt.Text = plainText(rt.Html)
	if required && rt.Text == "" {
		return []syncengine.Violation{{Field: field + ".source", Description: "is required (no text in it)"}}
	}
	return nil
}

// unsafeHTML describes the first thing in s that could run code or pull in
// another document, or returns "".
func unsafeHTML(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			if slices.Contains(forbidden, t.Data) {
				return fmt.Sprintf("it contains a <%s> element", t.Data)
			}
			for _, a := range t.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") {
					return fmt.Sprintf("<%s> has an event handler (%s)", t.Data, a.Key)
				}
				if slices.Contains(urlAttrs, key) || key == "style" {
					if scheme := dangerousScheme(a.Val); scheme != "" {
						return fmt.Sprintf("<%s> has a %s URL in %s", t.Data, scheme, a.Key)
					}
				}
			}
		}
	}
}

// dangerousScheme returns the script-running scheme a URL (or a style
// holding url(...)) uses, seeing through case, spaces and control
// characters browsers ignore.
func dangerousScheme(v string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(v) {
		if !unicode.IsSpace(r) && !unicode.IsControl(r) {
			b.WriteRune(r)
		}
	}
	clean := b.String()
	for _, scheme := range []string{"javascript:", "vbscript:", "data:", "livescript:"} {
		if strings.HasPrefix(clean, scheme) || strings.Contains(clean, "("+scheme) || strings.Contains(clean, "'"+scheme) || strings.Contains(clean, `"`+scheme) ||
			strings.Contains(clean, ","+scheme) {
			return strings.TrimSuffix(scheme, ":")
		}
	}
	if strings.Contains(clean, "expression(") {
		return "expression()"
	}
	return ""
}

// blocks end a line in plain text.
var blocks = []string{"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "hr", "table", "ul", "ol", "dd", "dt"}

// plainText extracts the text of sanitised HTML: paragraphs on lines of
// their own, runs of spaces collapsed.
func plainText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if slices.Contains(blocks, string(name)) {
				b.WriteByte('\n')
			} else if string(name) == "td" || string(name) == "th" {
				b.WriteByte(' ')
			}
		}
	}
}

func tidy(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
