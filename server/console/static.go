package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"time"
)

// static holds htmx (vendored from the npm package htmx.org: its version
// and licence are in static/htmx.LICENSE) and the console's stylesheet.
//
//go:embed static
var staticFS embed.FS

// staticFiles serves the static files under URLs that name their content
// (?v=<hash>), so browsers may keep them for a year.
type staticFiles struct {
	files map[string][]byte
	hash  map[string]string
}

func newStaticFiles() (*staticFiles, error) {
	s := &staticFiles{files: map[string][]byte{}, hash: map[string]string{}}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(staticFS, "static/"+e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		s.files[e.Name()], s.hash[e.Name()] = b, hex.EncodeToString(sum[:6])
	}
	return s, nil
}

func (s *staticFiles) url(name string) (string, error) {
	h, ok := s.hash[name]
	if !ok {
		return "", fmt.Errorf("console: no static file %q", name)
	}
	return Prefix + "static/" + name + "?v=" + h, nil
}

func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, ok := s.files[name]
	if !ok || path.Ext(name) == ".LICENSE" {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == s.hash[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}
