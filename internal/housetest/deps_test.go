package housetest

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// A depRule forbids the packages it applies to some dependencies: direct
// imports only, or anything they depend on transitively. What test files
// import is not a dependency: tests may start a real server.
type depRule struct {
	why     string
	applies func(tr *tree, path string) bool
	forbids func(tr *tree, path string) bool
	direct  bool
	// except names packages the rule tolerates on a dependency path, with
	// the reason. An exception nothing needs any more fails the test, so
	// the list only ever shrinks.
	except map[string]string
}

// Database drivers, the clients of the services only the server talks to,
// and Connect.
var (
	drivers  = []string{"github.com/jackc/pgx", "modernc.org/sqlite", "github.com/lib/pq", "github.com/mattn/go-sqlite3"}
	services = []string{"github.com/jackc/pgx", "github.com/minio/minio-go", "firebase.google.com/go"}
	connect  = []string{"connectrpc.com"}
)

func depRules() []depRule {
	return []depRule{{
		why:     "the device (mobile-sdk) depends on no server code, on no driver or client of a server-side service (pgx, minio-go, firebase) and not on the server's faster compression (klauspost/compress): the app stays small",
		applies: func(tr *tree, p string) bool { return tr.under(p, "mobile-sdk") },
		forbids: func(tr *tree, p string) bool {
			return tr.under(p, "server") || within(p, services...) || within(p, "github.com/klauspost/compress")
		},
	}, {
		why: "syncengine is the domain: it and its helpers (internal/sqlq too) depend on no api/, no connect and no database driver",
		applies: func(tr *tree, p string) bool {
			return tr.under(p, "syncengine") && !tr.under(p, "syncengine/postgres") && !tr.under(p, "syncengine/sqlite") ||
				tr.under(p, "internal/sqlq")
		},
		forbids: func(tr *tree, p string) bool {
			return tr.under(p, "api") || within(p, connect...) || within(p, drivers...)
		},
	}, {
		why:     "syncengine/postgres is the engine on pgx: no api/, no connect, no other driver",
		applies: func(tr *tree, p string) bool { return tr.under(p, "syncengine/postgres") },
		forbids: func(tr *tree, p string) bool {
			return tr.under(p, "api") || within(p, connect...) || within(p, drivers...) && !within(p, "github.com/jackc/pgx")
		},
	}, {
		why:     "syncengine/sqlite is the engine on modernc.org/sqlite: no api/, no connect, no other driver",
		applies: func(tr *tree, p string) bool { return tr.under(p, "syncengine/sqlite") },
		forbids: func(tr *tree, p string) bool {
			return tr.under(p, "api") || within(p, connect...) || within(p, drivers...) && !within(p, "modernc.org/sqlite")
		},
	}, {
		why:     "rules/ are pure rules both sides run: they import only the standard library, api/ (with the protobuf runtime its types are made of) and each other",
		applies: func(tr *tree, p string) bool { return tr.under(p, "rules") },
		forbids: func(tr *tree, p string) bool {
			return !tr.standard(p) && !tr.under(p, "api") && !tr.under(p, "rules") && !within(p, "google.golang.org/protobuf")
		},
		direct: true,
	}, {
		why:     "the server never depends on the client's tree (mobile-sdk)",
		applies: func(tr *tree, p string) bool { return tr.under(p, "server") },
		forbids: func(tr *tree, p string) bool { return tr.under(p, "mobile-sdk") },
	}}
}

// TestDependencies checks the dependency rules of the module's trees on
// the packages' non-test files.
func TestDependencies(t *testing.T) {
	tr := load(t)
	for _, r := range depRules() {
		used := map[string]bool{}
		applied := 0
		for _, p := range tr.own {
			if !r.applies(tr, p.ImportPath) {
				continue
			}
			applied++
			for _, v := range r.violations(tr, p.ImportPath, used) {
				via := "imported directly"
				if len(v.via) > 1 {
					via = "through " + tr.chain(v.via)
				}
				t.Errorf("%s depends on %s, %s: %s", tr.rel(p.ImportPath), tr.list(v.bad), via, r.why)
			}
		}
		if applied == 0 {
			t.Errorf("the rule %q applies to no package: fix or remove it", r.why)
		}
		for _, e := range slices.Sorted(maps.Keys(r.except)) {
			if !used[e] {
				t.Errorf("the exception for %s (%s) is no longer needed: remove it from the rule %q", e, r.except[e], r.why)
			}
		}
	}
}

// A violation is the forbidden packages one package imports, and the
// import chain from the package checked to that importer.
type violation struct {
	via []string
	bad []string
}

// violations returns what from depends on that the rule forbids, grouped by
// the package that imports it. The search stops at a forbidden package and
// does not go into the packages the rule applies to (each is checked on its
// own, so a cause is reported once) nor into excepted packages, which it
// marks used when the rule would otherwise have caught something there.
func (r depRule) violations(tr *tree, from string, used map[string]bool) []violation {
	if _, ok := r.except[tr.rel(from)]; ok {
		if r.reachesForbidden(tr, from) {
			used[tr.rel(from)] = true
		}
		return nil
	}
	parent := map[string]string{from: ""}
	queue := []string{from}
	var out []violation
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		var bad []string
		for _, imp := range tr.pkgs[cur].Imports {
			if _, seen := parent[imp]; seen {
				continue
			}
			parent[imp] = cur
			if _, ok := r.except[tr.rel(imp)]; ok {
				if r.forbids(tr, imp) || r.reachesForbidden(tr, imp) {
					used[tr.rel(imp)] = true
				}
				continue
			}
			if r.forbids(tr, imp) {
				bad = append(bad, imp)
				continue
			}
			if !r.direct && !tr.standard(imp) && !r.applies(tr, imp) {
				queue = append(queue, imp)
			}
		}
		if len(bad) > 0 {
			out = append(out, violation{via: pathTo(parent, cur), bad: bad})
		}
	}
	return out
}

// reachesForbidden reports whether from imports (or, for a transitive
// rule, depends on) a package the rule forbids.
func (r depRule) reachesForbidden(tr *tree, from string) bool {
	seen := map[string]bool{from: true}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, imp := range tr.pkgs[cur].Imports {
			if seen[imp] {
				continue
			}
			seen[imp] = true
			if r.forbids(tr, imp) {
				return true
			}
			if !r.direct && !tr.standard(imp) {
				queue = append(queue, imp)
			}
		}
	}
	return false
}

func pathTo(parent map[string]string, to string) []string {
	var out []string
	for p := to; p != ""; p = parent[p] {
		out = append(out, p)
	}
	slices.Reverse(out)
	return out
}

func (tr *tree) list(paths []string) string {
	rel := make([]string, len(paths))
	for i, p := range paths {
		rel[i] = tr.rel(p)
	}
	return strings.Join(rel, ", ")
}

func (tr *tree) chain(c []string) string {
	rel := make([]string, len(c))
	for i, p := range c {
		rel[i] = tr.rel(p)
	}
	return strings.Join(rel, " → ")
}

// within reports whether path is one of the prefixes or below one.
func within(path string, prefixes ...string) bool {
	for _, p := range prefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}
