package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/servertest"
)

// TestContentBundleCommands runs the README's "Content bundles" example
// on two embedded stacks: keygen and export-bundle on ru, import-bundle on
// kz, which refuses an untrusted key or a missing mapping with nothing
// imported, imports once, and then says the same bundle was imported
// already.
func TestContentBundleCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(wantCode int, want string, args ...string) string {
		t.Helper()
		code, out := runCLI(t, dir, args...)
		if code != wantCode || !strings.Contains(out, want) {
			t.Fatalf("ordinator %s: exit %d, want %d with %q:\n%s", strings.Join(args, " "), code, wantCode, want, out)
		}
		return out
	}
	write("rosacea.md", "---\nid: rosacea\ntitle: Розацеа\nspecialties: [dermatology]\nregions: [msk]\n---\nТриггеры розацеа.\n")
	write("ru-rules.md", "---\nid: ru-rules\ntitle: Порядок для РФ\nspecialties: [dermatology]\nregions: [msk]\nlocal_only: true\n---\nТолько для России.\n")
	write("ru-mapping.yaml", "regions:\n  msk: [ala, ast]\nspecialties:\n  dermatology: dermatology\n")
	write("bad-mapping.yaml", "regions:\n  spb: ala\nspecialties:\n  dermatology: dermatology\n")
	run(0, "created region msk", "admin", "create-region", "--data-dir", "ru-data", "--id", "msk", "--name", "Москва")
	run(0, "live", "content", "import", "--data-dir", "ru-data", "--publish", "rosacea.md", "ru-rules.md")
	for _, r := range []string{"ala", "ast"} {
		run(0, "created region "+r, "admin", "create-region", "--data-dir", "kz-data", "--id", r, "--name", r, "--time-zone", "Asia/Almaty")
	}

	pub := strings.TrimSpace(run(0, "ru=", "content", "keygen", "--country", "ru", "--out", "ru-content.key"))
	run(1, "never overwritten", "content", "keygen", "--country", "ru", "--out", "ru-content.key")
	run(0, "version 1, 1 items, 0 images, new content", "content", "export-bundle", "--data-dir", "ru-data", "--country", "ru", "--to", "kz",
		"--content-signing-key", "ru-content.key", "--out", "kz.bundle")
	run(0, "version 1, 1 items, 0 images, unchanged", "content", "export-bundle", "--data-dir", "ru-data", "--country", "ru", "--to", "kz",
		"--content-signing-key", "ru-content.key", "--out", "kz.bundle")

	other := strings.TrimSpace(run(0, "ru=", "content", "keygen", "--country", "ru", "--out", "other.key"))
	importArgs := func(keys, mapping string) []string {
		return []string{"content", "import-bundle", "--data-dir", "kz-data", "--country", "kz", "--content-trusted-keys", keys, "--content-mapping", mapping, "kz.bundle"}
	}
	run(1, "not a trusted content key", importArgs(other, "ru-mapping.yaml")...)
	run(1, "region msk (items rosacea)", importArgs(pub, "bad-mapping.yaml")...)
	run(1, "--content-mapping", importArgs(pub, "missing.yaml")...)
	if out := run(0, "TITLE", "content", "list", "--data-dir", "kz-data"); strings.Contains(out, "rosacea") {
		t.Fatalf("a refused import left:\n%s", out)
	}
	run(0, "bundle from ru version 1: 1 added", importArgs(pub, "ru-mapping.yaml")...)
	run(0, "was imported already", importArgs(pub, "ru-mapping.yaml")...)
	run(1, "--content-source needs --content-trusted-keys and --content-mapping", "serve", "--data-dir", "kz-data", "--content-source", "http://127.0.0.1:1/kz.bundle")
	list := run(0, "rosacea", "content", "list", "--data-dir", "kz-data")
	if strings.Contains(list, "ru-rules") || !strings.Contains(list, "ala,ast") {
		t.Fatalf("kz lists:\n%s", list)
	}

	// A second kz process pulls the bundle by itself from a file server.
	files := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(files.Close)
	for _, r := range []string{"ala", "ast"} {
		run(0, "created region "+r, "admin", "create-region", "--data-dir", "kz2-data", "--id", r, "--name", r, "--time-zone", "Asia/Almaty")
	}
	p := start(t, dir, "--data-dir", "kz2-data", "--country", "kz", "--content-source", files.URL+"/kz.bundle", "--content-source-interval", "1h",
		"--content-trusted-keys", pub, "--content-mapping", "ru-mapping.yaml")
	var out string
	servertest.Eventually(t, "serve imports the bundle from --content-source", func() bool {
		out = run(0, "TITLE", "content", "list", "--data-dir", "kz2-data")
		return strings.Contains(out, "rosacea")
	})
	if strings.Contains(out, "ru-rules") {
		t.Fatalf("the pulling kz lists:\n%s", out)
	}
	if code := p.stop(t); code != 0 || !strings.Contains(p.logs.String(), `msg="content bundle imported" source=ru version=1 added=1`) {
		t.Fatalf("exit %d:\n%s", code, p.logs)
	}
}
