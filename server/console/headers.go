package console

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy allows the console's own scripts, styles and
// images only (plus the media origins' images): no inline script or style,
// no framing, no base or form targets elsewhere.
func contentSecurityPolicy(imageOrigins []string) string {
	img := append([]string{"'self'"}, imageOrigins...)
	img = append(img, "data:")
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src " + strings.Join(img, " "),
		"connect-src 'self'",
		"object-src 'none'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
		"form-action 'self'",
	}, "; ")
}

// secure sets the headers of every console response. Pages hold personal
// data, so none is cached.
func (c *Console) secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", c.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.Set("Cache-Control", "no-store")
}
