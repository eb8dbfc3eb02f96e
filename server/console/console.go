// Package console is the web console of the platform's staff (and the
// read-only reports pages of its regional directors), served at
// /console/ by the same process and port as the API: server-rendered
// html/template pages, enhanced by a vendored htmx (static/htmx.min.js, no
// build step), that call the modules' services with the signed-in user's
// principal, so every permission check, validation and audit entry is the
// one the RPCs apply.
//
// Sessions are the accounts module's: signing in goes through
// auth.Service.Login (its rate limits) and opens a device session, and the
// console keeps a random cookie token for it, stored hashed, with an idle
// timeout and an absolute lifetime. Revoking that device or disabling the
// account ends the console session at its next request; signing out
// revokes it. Every state-changing request carries the session's CSRF
// token (a form field, or the X-CSRF-Token header htmx sends from the
// hx-headers attribute the layout sets); the Content-Security-Policy allows
// no inline script or style.
//
// # Adding a page
//
//  1. Write the handler, func(q *request) error, in the file of its area
//     (edits.go for doctor-data edits; a new area gets its own file). Read
//     the input from q.r, call the module's service with q.p, and end with
//     q.render(status, "area/name", data) or q.redirect(path). Return domain
//     errors as they are: fail turns each code into its error page; field
//     violations a form should show go to the template as formErrors.
//  2. Write templates/area/name.html defining "title" and "content". Every
//     text is {{$.T "key"}}, every form has {{template "csrf" $}}, and
//     nothing inline: no <script>, no style= or on*= attributes.
//  3. Add the texts in English and Russian to the area's catalogue
//     (messages_area.go, listed in catalogue.go); TestCatalogue fails on a
//     key one language lacks, rendering fails on a key neither has.
//  4. List the page in the area's pages() with its method and path, the
//     roles that may open it (see page.go) and, for an entry in the
//     navigation, its label key; add a new area's pages() to
//     Console.pages. The roles are the only role-to-page mapping: staff of a
//     role no page names cannot sign in.
//  5. TestEveryPage follows every link from the home page, in both
//     languages, and checks each page's CSP and that nothing is inline; make
//     sure its seed data makes the new page reachable by a link.
package console

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

//go:embed migrations
var migrations embed.FS

// Migrations returns the console's migrations (its sessions) for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Config is what the console needs. Zero durations take the defaults.
type Config struct {
	Store     syncengine.Store
	Accounts  *auth.Service
	Directory *probase.Service
	// Gifts, when set, adds the gift waves and the warehouse.
	Gifts *gifts.Service
	// Content, when set, adds the content library's editor.
	Content *content.Service
	// Cases and Media, when set, add the moderation of clinical cases
	// (Media also the diplomas' photos); Studies adds the studies pages.
	Cases   *cases.Service
	Media   *media.Service
	Studies *studies.Service
	// Reports, when set, adds the directors' reports, the one area
	// directors may sign in to.
	Reports *reports.Service
	Logger  *slog.Logger
	// IdleTimeout ends a session not used for this long (default 30
	// minutes); Lifetime ends any session this long after sign-in
	// (default 12 hours).
	IdleTimeout time.Duration
	Lifetime    time.Duration
	// SecureCookies marks the session cookie Secure even when the request
	// itself came in without TLS (a TLS-terminating proxy in front: the
	// public URL is https).
	SecureCookies bool
	// ImageOrigins may serve images to the console pages (the object
	// storage's presigned URLs), besides the console's own origin.
	ImageOrigins []string
	Now          func() time.Time
}

// Console is the web console's HTTP handler.
type Console struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	views  *views
	static *staticFiles
	routes []page
	// staff are the roles some page is for: who may sign in.
	staff []auth.Role
	csp   string
}

// New returns the console with its templates parsed.
func New(cfg Config) (*Console, error) {
	if cfg.Store == nil || cfg.Accounts == nil || cfg.Directory == nil {
		return nil, errors.New("console: Store, Accounts and Directory are required")
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = 12 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Console{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), csp: contentSecurityPolicy(cfg.ImageOrigins)}
	var err error
	if c.static, err = newStaticFiles(); err != nil {
		return nil, err
	}
	if c.views, err = parseViews(c.static); err != nil {
		return nil, err
	}
	c.route()
	return c, nil
}

func (c *Console) now() time.Time { return c.cfg.Now() }

// ServeHTTP serves every console path: security headers first, then the
// page, with panics turned into the generic error page.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.secure(w)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			c.log.ErrorContext(r.Context(), "console page panicked", "path", r.URL.Path, "panic", v)
			writeGenericError(w)
		}
	}()
	c.mux.ServeHTTP(w, r)
}
