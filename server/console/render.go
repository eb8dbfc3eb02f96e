package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	pathpkg "path"
	"strings"
	"time"
)

//go:embed templates
var templateFiles embed.FS

// views are the parsed pages: each page file is parsed over a copy of the
// layout, which renders its "title" and "content". Files named *.part.html
// are an area's partials, parsed into every page of their folder.
type views struct {
	pages map[string]*template.Template
}

func parseViews(static *staticFiles) (*views, error) {
	base, err := template.New("layout.html").ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	err = fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "templates/layout.html" || strings.HasSuffix(path, ".part.html") {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		files := []string{path}
		partials, err := fs.Glob(templateFiles, pathpkg.Dir(path)+"/*.part.html")
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(templateFiles, append(files, partials...)...); err != nil {
			return err
		}
		v.pages[strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".html")] = t
		return nil
	})
	return v, err
}

// view is what every template renders: the page's data in D, and the
// methods the layout and the pages use.
type view struct {
	q    *request
	D    any
	Nav  []navItem
	User *userView
}

type userView struct {
	Name string
	Role string
}

// T returns a text of the page's language, its verbs filled with args.
func (v *view) T(key string, args ...any) (string, error) { return v.q.lang.format(key, args...) }

// N returns the plural form of a text for a count.
func (v *view) N(key string, n any) (string, error) {
	switch n := n.(type) {
	case int:
		return v.q.lang.count(key, int64(n))
	case int64:
		return v.q.lang.count(key, n)
	}
	return "", fmt.Errorf("console: N needs an integer, got %T", n)
}

// Lang is the page's language code.
func (v *view) Lang() string { return v.q.lang.Code }

// Languages are the other languages the page can be switched to.
func (v *view) Languages() []*language {
	var out []*language
	for _, l := range languages {
		if l != v.q.lang {
			out = append(out, l)
		}
	}
	return out
}

// Time formats a unix-millisecond time in the user's zone.
func (v *view) Time(ms int64) string { return v.q.lang.time(ms, v.q.location()) }

// CSRF is the session's CSRF token ("" signed out).
func (v *view) CSRF() string {
	if v.q.sess == nil {
		return ""
	}
	return v.q.sess.csrf()
}

// Headers is the hx-headers value that makes htmx send the CSRF token.
func (v *view) Headers() (string, error) {
	b, err := json.Marshal(map[string]string{"X-CSRF-Token": v.CSRF()})
	return string(b), err
}

// HTMXConfig keeps htmx within the CSP and off local storage: no eval, no
// script tags from responses, no injected styles, no page snapshots in
// localStorage (pages hold personal data); error pages and forms with
// errors are swapped in like any page.
func (v *view) HTMXConfig() string { return htmxConfig }

const htmxConfig = `{"allowEval":false,"allowScriptTags":false,"includeIndicatorStyles":false,"historyCacheSize":0,"refreshOnHistoryMiss":true,"selfRequestsOnly":true,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[2345]..","swap":true}]}`

// Static is the URL of a static file, versioned by its content.
func (v *view) Static(name string) (string, error) { return v.q.c.static.url(name) }

// Path is the page's path with its query, for links back to it.
func (v *view) Path() string { return v.q.r.URL.RequestURI() }

// LangURL is the page in another language (signed out: the account's
// language decides once signed in).
func (v *view) LangURL(code string) string {
	u := *v.q.r.URL
	query := u.Query()
	query.Set("lang", code)
	u.RawQuery = query.Encode()
	return u.RequestURI()
}

// location is the zone times are shown in: the account's, else the
// server's.
func (q *request) location() *time.Location {
	if q.user.TimeZone != "" {
		if loc, err := time.LoadLocation(q.user.TimeZone); err == nil {
			return loc
		}
	}
	return time.Local
}

// render writes a page. It renders into a buffer first: a template error is
// logged and answered with the generic error page, never half a page or a
// trace.
func (q *request) render(status int, name string, data any) {
	v := &view{q: q, D: data}
	if q.sess != nil {
		v.User = &userView{Name: q.user.Name, Role: string(q.user.Role)}
		nav, err := q.nav()
		if err != nil {
			q.renderFailed(name, err)
			return
		}
		v.Nav = nav
	}
	t, ok := q.c.views.pages[name]
	if !ok {
		q.renderFailed(name, fmt.Errorf("no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		q.renderFailed(name, err)
		return
	}
	h := q.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", q.lang.Code)
	q.w.WriteHeader(status)
	buf.WriteTo(q.w)
}

func (q *request) renderFailed(name string, err error) {
	q.c.log.ErrorContext(q.r.Context(), "console page did not render", "page", name, "err", err)
	writeGenericError(q.w)
}

// genericError is the page for a failure nothing else can be shown for: a
// fixed text in both languages, with no detail of the cause.
const genericError = `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Ordinator</title></head><body>` +
	`<h1>Что-то пошло не так</h1><p>Ошибка записана в журнал сервера. Попробуйте ещё раз или вернитесь <a href="/console/">на главную</a>.</p>` +
	`<h1 lang="en">Something went wrong</h1><p lang="en">The error was logged on the server. Try again, or go back <a href="/console/">to the console</a>.</p></body></html>`

func writeGenericError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(genericError))
}
