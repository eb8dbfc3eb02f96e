package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// request is one page request as its handler sees it.
type request struct {
	c    *Console
	w    http.ResponseWriter
	r    *http.Request
	page page
	lang *language
	// sess, user and p are set when signed in; p is the principal every
	// service call is made with.
	sess *session
	user auth.User
	p    syncengine.Principal
}

func (c *Console) newRequest(w http.ResponseWriter, r *http.Request, pg page) *request {
	return &request{c: c, w: w, r: r, page: pg, lang: c.negotiate(r)}
}

// redirect sends the browser to a console path after a GET or a change
// (303, so the next request is a GET).
func (q *request) redirect(path string) {
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
}

// statusOf is the HTTP status of each error code.
var statusOf = map[string]int{
	syncengine.EINVALID:         http.StatusUnprocessableEntity,
	syncengine.ENOTFOUND:        http.StatusNotFound,
	syncengine.ECONFLICT:        http.StatusConflict,
	syncengine.EPERMISSION:      http.StatusForbidden,
	syncengine.EUNAUTHENTICATED: http.StatusUnauthorized,
	syncengine.EPRECONDITION:    http.StatusConflict,
	syncengine.ERATELIMIT:       http.StatusTooManyRequests,
	syncengine.EUNAVAILABLE:     http.StatusServiceUnavailable,
	syncengine.EINTERNAL:        http.StatusInternalServerError,
}

// errorPage is what the error template shows.
type errorPage struct {
	Code    string
	Message string // the domain's words; "" for an internal error
	SignIn  string // a sign-in link, when signing in again helps
}

// fail answers with the page for an error: a GET without a session goes
// to sign-in (htmx follows the redirect and shows the sign-in page);
// anything else gets an error page with the code's status.
// Internal errors are logged with their cause and shown without it.
func (q *request) fail(err error) {
	code := syncengine.ErrorCode(err)
	if code == syncengine.EUNAUTHENTICATED && q.r.Method == http.MethodGet {
		target := Prefix + "signin?next=" + url.QueryEscape(q.r.URL.RequestURI())
		if errors.Is(err, errExpired) {
			target += "&expired=1"
		}
		q.redirect(target)
		return
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	ep := errorPage{Code: code, Message: syncengine.ErrorMessage(err)}
	if code == syncengine.EINTERNAL {
		q.c.log.ErrorContext(q.r.Context(), "console page failed", "path", q.r.URL.Path, "err", err)
		ep.Message = ""
	}
	if code == syncengine.EUNAUTHENTICATED || errors.Is(err, errCSRF) {
		// A POST with an ended session: say so, change nothing, and offer
		// to sign in again; the status is a refusal either way.
		status = http.StatusForbidden
		ep.SignIn = Prefix + "signin"
	}
	q.render(status, "error", ep)
}

// safeNext returns a console path to go to after sign-in, or the home.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, Prefix) || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix
	}
	return u.RequestURI()
}

// mustText is a text the code names (a template's missing text fails its
// render instead); TestCatalogue checks every key the code names.
func (q *request) mustText(key string) string {
	s, err := q.lang.text(key)
	if err != nil {
		q.c.log.ErrorContext(q.r.Context(), "console text missing", "key", key)
		return key
	}
	return s
}
