package console

import (
	"crypto/hmac"
	"errors"
	"net"
	"net/http"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// signinCookie holds the sign-in form's CSRF token (a double-submit
// cookie: there is no session yet to bind it to).
const signinCookie = "ordinator_console_signin"

func (c *Console) accountPages() []page {
	return []page{
		{method: http.MethodGet, path: Prefix + "signin", public: true, serve: c.signinForm},
		{method: http.MethodPost, path: Prefix + "signin", public: true, serve: c.signin},
		{method: http.MethodPost, path: Prefix + "signout", serve: c.signout},
		{method: http.MethodPost, path: Prefix + "language", serve: c.switchLanguage},
	}
}

// signinPage is what the sign-in template shows.
type signinPage struct {
	Login   string
	Next    string
	Token   string
	Chosen  string // a language picked on the page, kept for the account
	Notice  string // catalogue key of a note above the form
	Message string // why the last attempt failed
	Errors  formErrors
}

func (c *Console) signinForm(q *request) error {
	if q.sess != nil {
		q.redirect(safeNext(q.r.URL.Query().Get("next")))
		return nil
	}
	pg := &signinPage{Next: safeNext(q.r.URL.Query().Get("next")), Chosen: q.r.URL.Query().Get("lang")}
	switch {
	case q.r.URL.Query().Get("expired") != "":
		pg.Notice = "signin.expired"
	case q.r.URL.Query().Get("signedout") != "":
		pg.Notice = "signin.signed_out"
	}
	q.showSignin(http.StatusOK, pg)
	return nil
}

// showSignin renders the form with a fresh form token.
func (q *request) showSignin(status int, pg *signinPage) {
	pg.Token = randomToken()
	http.SetCookie(q.w, &http.Cookie{Name: signinCookie, Value: pg.Token, Path: Prefix, MaxAge: 3600, HttpOnly: true,
		Secure: q.secureCookies(), SameSite: http.SameSiteStrictMode})
	q.render(status, "signin", pg)
}

func (c *Console) signin(q *request) error {
	f := q.r
	pg := &signinPage{Login: f.PostFormValue("login"), Next: safeNext(f.PostFormValue("next")), Chosen: f.PostFormValue("lang")}
	if pg.Chosen != "" {
		q.lang = c.language(pg.Chosen)
	}
	ck, err := f.Cookie(signinCookie)
	if err != nil || ck.Value == "" || !hmac.Equal([]byte(ck.Value), []byte(f.PostFormValue("csrf"))) {
		pg.Notice = "signin.form_expired"
		q.showSignin(http.StatusForbidden, pg)
		return nil
	}
	ctx := f.Context()
	s, err := c.cfg.Accounts.Login(ctx, auth.LoginInput{Login: pg.Login, Password: f.PostFormValue("password"),
		Device: "web console", Platform: "web", Address: clientHost(f), Roles: c.staff})
	var wrong *auth.WrongRoleError
	switch {
	case errors.As(err, &wrong):
		q.render(http.StatusForbidden, "staff", nil)
		return nil
	case err != nil:
		code := syncengine.ErrorCode(err)
		if code == syncengine.EINTERNAL || code == syncengine.EUNAVAILABLE {
			return err
		}
		pg.Errors = violations(err)
		if len(pg.Errors) == 0 {
			pg.Message = q.signinRefusal(err)
		}
		q.showSignin(statusOf[code], pg)
		return nil
	}
	// Sessions nobody came back to end now rather than linger.
	if err := c.sweepSessions(ctx); err != nil {
		c.log.WarnContext(ctx, "ending idle console sessions", "err", err)
	}
	token, err := c.openSession(ctx, s)
	if err != nil {
		return err
	}
	if pg.Chosen != "" && q.lang.Code != s.User.Locale {
		if err := c.cfg.Accounts.SetLocale(ctx, auth.Principal(s.User, s.DeviceID), q.lang.Code); err != nil {
			return err
		}
	}
	http.SetCookie(q.w, &http.Cookie{Name: signinCookie, Value: "", Path: Prefix, MaxAge: -1})
	q.setSessionCookie(token)
	q.redirect(pg.Next)
	return nil
}

// signinRefusal says in the page's language why a sign-in failed.
func (q *request) signinRefusal(err error) string {
	key := "signin.wrong"
	switch syncengine.ErrorCode(err) {
	case syncengine.ERATELIMIT:
		// The domain's text says how long to wait.
		return syncengine.ErrorMessage(err)
	case syncengine.EPERMISSION:
		key = "signin.disabled"
	}
	s, _ := q.lang.text(key)
	return s
}

func (c *Console) signout(q *request) error {
	if err := c.endSession(q.r.Context(), q.sess.userID, q.sess.deviceID); err != nil {
		return err
	}
	q.clearSessionCookie()
	q.redirect(Prefix + "signin?signedout=1&lang=" + q.lang.Code)
	return nil
}

func (c *Console) switchLanguage(q *request) error {
	lang := q.r.PostFormValue("lang")
	if c.language(lang).Code != lang {
		return syncengine.Invalid("the console does not speak this language", syncengine.Violation{Field: "lang", Description: "choose ru or en"})
	}
	if err := c.cfg.Accounts.SetLocale(q.r.Context(), q.p, lang); err != nil {
		return err
	}
	q.redirect(safeNext(q.r.PostFormValue("back")))
	return nil
}

// clientHost is the host a request came from: the unit of sign-in limits
// and the "from where" of audit records.
func clientHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
