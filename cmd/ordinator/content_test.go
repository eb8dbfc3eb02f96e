package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/auth"
)

func TestContentCommands(t *testing.T) {
	dir := t.TempDir()
	if code, out := runCLI(t, dir, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", out)
	}
	// Regions come from the admin console; create one directly.
	ctx := context.Background()
	cfg := &Config{DataDir: filepath.Join(dir, "ordinator-data")}
	store, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := auth.New(ctx, store, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return name
	}
	good := write("atopic.md", "---\nid: atopic\ntitle: Атопический дерматит\nspecialties: [dermatology]\nregions: [msk]\n---\nЭмоленты — основа ухода.\n")
	bad := write("bad.md", "---\ntitle: Скрипт\nregions: [msk]\n---\n<script>alert(1)</script>\n")
	code, out := runCLI(t, dir, "content", "import", "--publish", good, bad)
	if code != 1 || !strings.Contains(out, "atopic.md: article atopic version 1, live") ||
		!strings.Contains(out, "bad.md: the item cannot be saved: item.specialties: at least one is required") ||
		!strings.Contains(out, "<script>") || !strings.Contains(out, "1 of 2 files not imported") {
		t.Fatalf("import: %d\n%s", code, out)
	}
	if code, out := runCLI(t, dir, "content", "list"); code != 0 || strings.Count(out, "\n") != 2 ||
		!regexp.MustCompile(`atopic\s+article\s+live\s+1\s+dermatology\s+msk\s+Атопический дерматит`).MatchString(out) {
		t.Fatalf("list: %d\n%s", code, out)
	}
	if code, out := runCLI(t, dir, "content", "unpublish", "atopic"); code != 0 || out != "atopic: unpublished\n" {
		t.Fatalf("unpublish: %d %s", code, out)
	}
	if code, out := runCLI(t, dir, "content", "list", "--state", "live"); code != 0 || strings.Contains(out, "atopic") {
		t.Fatalf("list live: %d\n%s", code, out)
	}
	// Importing the file again updates the item as a new version.
	write("atopic.md", "---\nid: atopic\ntitle: Атопический дерматит у детей\nspecialties: [dermatology]\nregions: [msk]\n---\nЭмоленты.\n")
	if code, out := runCLI(t, dir, "content", "import", good); code != 0 || out != "atopic.md: article atopic version 2, unpublished\n" {
		t.Fatalf("re-import: %d %s", code, out)
	}
	if code, out := runCLI(t, dir, "content", "publish", "atopic"); code != 0 || out != "atopic: live\n" {
		t.Fatalf("publish: %d %s", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"content", "publish", "nope"}, "nope: no content item nope"},
		{[]string{"content", "list", "--kind", "podcast"}, "--kind \"podcast\""},
		{[]string{"content", "import", "missing.md"}, "missing.md: no such file or directory"},
	} {
		code, out := runCLI(t, dir, tc.args...)
		if code != 1 || !strings.Contains(out, tc.want) {
			t.Fatalf("%v: %d %s", tc.args, code, out)
		}
	}
}
