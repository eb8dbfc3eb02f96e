package housetest

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageComments checks that every package of the module, except the
// generated code under api/, has exactly one package comment, in one of its
// non-test files, that starts "Package <name> " (or "Command <dir> " for a
// main package) as go doc expects.
func TestPackageComments(t *testing.T) {
	tr := load(t)
	checked := 0
	for _, p := range tr.own {
		if tr.under(p.ImportPath, "api") {
			continue
		}
		files := append(append([]string(nil), p.GoFiles...), p.CgoFiles...)
		if len(files) == 0 {
			continue
		}
		checked++
		want := "Package " + p.Name + " "
		if p.Name == "main" {
			want = "Command " + filepath.Base(p.Dir) + " "
		}
		var with []string
		for _, name := range files {
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if f.Doc == nil {
				continue
			}
			with = append(with, name)
			if text := f.Doc.Text(); !strings.HasPrefix(text, want) {
				t.Errorf("%s: the package comment in %s starts %q; it must start %q", tr.rel(p.ImportPath), name, firstLine(text), want)
			}
		}
		switch len(with) {
		case 0:
			t.Errorf("%s has no package comment: add one (usually in doc.go or the package's main file) starting %q", tr.rel(p.ImportPath), want)
		case 1:
		default:
			t.Errorf("%s has a package comment in each of %s: keep one", tr.rel(p.ImportPath), strings.Join(with, ", "))
		}
	}
	if checked == 0 {
		t.Fatal("no package checked")
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
