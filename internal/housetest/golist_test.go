package housetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// pkg is what the rules read of one package, as go list reports it.
// Imports and Deps leave out what only test files import.
type pkg struct {
	ImportPath string
	Name       string
	Dir        string
	Standard   bool
	DepOnly    bool
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	Error      *struct{ Err string }
}

// tree is the module's packages and everything they depend on.
type tree struct {
	module string          // the module path
	pkgs   map[string]*pkg // by import path, dependencies included
	own    []*pkg          // the module's own packages, in go list's order
}

var (
	loadOnce   sync.Once
	loaded     *tree
	errLoading error
)

// load runs go list once for every test of the package.
func load(t *testing.T) *tree {
	t.Helper()
	loadOnce.Do(func() { loaded, errLoading = goList() })
	if errLoading != nil {
		t.Fatal(errLoading)
	}
	return loaded
}

func goList() (*tree, error) {
	mod, err := exec.Command("go", "list", "-m").Output()
	if err != nil {
		return nil, commandError("go list -m", err)
	}
	module := strings.TrimSpace(string(mod))
	out, err := exec.Command("go", "list", "-e", "-deps",
		"-json=ImportPath,Name,Dir,Standard,DepOnly,GoFiles,CgoFiles,Imports,Error",
		module+"/...").Output()
	if err != nil {
		return nil, commandError("go list -deps", err)
	}
	tr := &tree{module: module, pkgs: map[string]*pkg{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if p.Error != nil {
			return nil, errors.New("go list: " + p.ImportPath + ": " + p.Error.Err)
		}
		tr.pkgs[p.ImportPath] = p
		if !p.DepOnly {
			tr.own = append(tr.own, p)
		}
	}
	for _, p := range tr.pkgs {
		for _, imp := range p.Imports {
			if tr.pkgs[imp] == nil && imp != "C" {
				return nil, errors.New("go list: " + p.ImportPath + " imports " + imp + ", which it did not list")
			}
		}
	}
	if len(tr.own) == 0 {
		return nil, errors.New("go list found no package of module " + module)
	}
	return tr, nil
}

func commandError(what string, err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return errors.New(what + ": " + err.Error() + ": " + string(ee.Stderr))
	}
	return errors.New(what + ": " + err.Error())
}

// rel returns a package path relative to the module ("server/auth"), or
// the path itself for a package outside it.
func (tr *tree) rel(path string) string {
	if path == tr.module {
		return "."
	}
	if r, ok := strings.CutPrefix(path, tr.module+"/"); ok {
		return r
	}
	return path
}

// under reports whether path is the module's package dir or one below it.
func (tr *tree) under(path, dir string) bool {
	r := tr.rel(path)
	return r == dir || strings.HasPrefix(r, dir+"/")
}

// standard reports whether path is in the standard library; cgo's "C"
// counts as standard: it is no package.
func (tr *tree) standard(path string) bool {
	return path == "C" || tr.pkgs[path].Standard
}
