package console

import (
	"net/http"
	"slices"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// page is one route of the console.
type page struct {
	method string // GET or POST
	path   string // a net/http pattern path, e.g. /console/edits/{id}
	// access lists the roles that may use the page; nil lets anyone
	// signed in (signing out). Public pages (signing in) need no session.
	access []auth.Role
	public bool
	// nav is the catalogue key of the page's navigation entry; "" keeps
	// it out of the navigation.
	nav string
	// area is the nav key of the entry the page belongs to, highlighted
	// while it is open (the queue's for a request page).
	area string
	// maxBody bounds the request body (maxFormBytes when 0).
	maxBody int64
	serve   func(*request) error
}

// Who may use what: the one mapping from roles to pages. Admins may act as
// moderators, as everywhere on the platform.
var moderators = []auth.Role{auth.RoleModerator, auth.RoleAdmin}

// reportReaders read the directors' reports: directors (read-only, the
// regions they follow: the reports' own check) and the staff (any region).
// Directors have no other page.
var reportReaders = []auth.Role{auth.RoleDirector, auth.RoleModerator, auth.RoleAdmin}

// admins alone define studies, enrol doctors and run accounts, as the RPCs say.
var admins = []auth.Role{auth.RoleAdmin}

// pages lists every route, area by area; the navigation follows this order.
func (c *Console) pages() []page {
	return slices.Concat(
		c.accountPages(),
		c.editPages(),
		c.giftPages(),
		c.contentPages(),
		c.casePages(),
		c.diplomaPages(),
		c.studyPages(),
		c.peoplePages(),
		c.syncPages(),
		c.auditPages(),
		c.reportPages(),
	)
}

// route registers the pages and works out who may sign in.
func (c *Console) route() {
	c.routes = c.pages()
	for _, pg := range c.routes {
		c.mux.Handle(pg.method+" "+pg.path, c.handle(pg))
		for _, r := range pg.access {
			if !slices.Contains(c.staff, r) {
				c.staff = append(c.staff, r)
			}
		}
	}
	c.mux.Handle("GET "+Prefix+"{$}", c.handle(page{serve: c.home}))
	c.mux.Handle("GET "+Prefix+"static/{name}", c.static)
	c.mux.Handle(Prefix, c.handle(page{public: true, serve: func(q *request) error {
		return syncengine.Errorf(syncengine.ENOTFOUND, "there is no page %s", q.r.URL.Path)
	}}))
}

// handle wraps a page: the session, the role, the CSRF token, then the
// page itself, whose error becomes an error page.
func (c *Console) handle(pg page) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := pg.maxBody
		if limit == 0 {
			limit = maxFormBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		q := c.newRequest(w, r, pg)
		if err := q.authorize(); err != nil {
			q.fail(err)
			return
		}
		if err := pg.serve(q); err != nil {
			q.fail(err)
		}
	})
}

// maxFormBytes bounds a form post.
const maxFormBytes = 256 << 10

// authorize loads the session (public pages: if there is one) and checks
// the page's roles and, for a change, the CSRF token.
func (q *request) authorize() error {
	err := q.loadSession()
	if q.page.public {
		return nil
	}
	if err != nil {
		return err
	}
	if q.page.access != nil && !slices.Contains(q.page.access, q.user.Role) {
		return syncengine.Errorf(syncengine.EPERMISSION, "this page is not for %s accounts", q.user.Role)
	}
	if q.r.Method != http.MethodGet && q.r.Method != http.MethodHead {
		return q.checkCSRF()
	}
	return nil
}

// navItem is an entry of the navigation.
type navItem struct {
	Label   string
	Path    string
	Current bool
}

// nav is the navigation the user's role sees.
func (q *request) nav() ([]navItem, error) {
	var out []navItem
	for _, pg := range q.c.routes {
		if pg.nav == "" || pg.method != http.MethodGet || !slices.Contains(pg.access, q.user.Role) {
			continue
		}
		label, err := q.lang.text(pg.nav)
		if err != nil {
			return nil, err
		}
		out = append(out, navItem{Label: label, Path: pg.path, Current: q.page.area == pg.area})
	}
	return out, nil
}

// home sends the user to the first page of their navigation.
func (c *Console) home(q *request) error {
	nav, err := q.nav()
	if err != nil {
		return err
	}
	if len(nav) == 0 {
		return syncengine.Errorf(syncengine.EPERMISSION, "the console has no pages for %s accounts yet", q.user.Role)
	}
	q.redirect(nav[0].Path)
	return nil
}
