// Package module describes a server module to the program that runs it.
//
// Before any module is constructed, its Schema is all there is: the name
// its migration history is kept under, its migrations per dialect, and the
// schemas of the modules whose tables it uses, which migrate before it.
// `ordinator migrate` and `ordinator serve` apply every schema in the order
// server/modules lists them; module tests apply the one they test, with
// what it requires (Order). A constructed module (each package's
// Service.Module) adds what the binary serves: the sync mutations it
// applies, its Connect services, the jobs the scheduler shares between
// server processes and the loops this process runs. Dependencies between
// modules stay explicit constructor arguments; a descriptor only says what
// a module contributes once it exists.
package module

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Schema is a module's tables.
type Schema struct {
	// Name keys the module's migration history (goose_<name>): it never
	// changes once a database has been migrated.
	Name string
	// Migrations returns the module's migrations for a dialect.
	Migrations func(syncengine.Dialect) fs.FS
	// Requires are the modules whose tables this one's migrations or
	// queries use.
	Requires []Schema
}

// Order returns schemas with every schema they require, each once, each
// after what it requires. A schema given is used in place of one of the
// same name that another requires (a test may migrate a module's older
// migrations); a name given twice, or a schema requiring itself, is refused.
func Order(schemas ...Schema) ([]Schema, error) {
	given := map[string]Schema{}
	for _, s := range schemas {
		if _, dup := given[s.Name]; dup {
			return nil, fmt.Errorf("module: schema %q given twice", s.Name)
		}
		given[s.Name] = s
	}
	var out []Schema
	state := map[string]int{} // 1 while its requirements are visited, 2 once placed
	var visit func(s Schema, path []string) error
	visit = func(s Schema, path []string) error {
		if g, ok := given[s.Name]; ok {
			s = g
		}
		path = append(path, s.Name)
		switch state[s.Name] {
		case 1:
			return fmt.Errorf("module: schema %q requires itself (%s)", s.Name, strings.Join(path, " → "))
		case 2:
			return nil
		}
		state[s.Name] = 1
		for _, r := range s.Requires {
			if err := visit(r, path); err != nil {
				return err
			}
		}
		state[s.Name] = 2
		out = append(out, s)
		return nil
	}
	for _, s := range schemas {
		if err := visit(s, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Module is a constructed module, as the binary serves it. Every field but
// Schema may be empty.
type Module struct {
	Schema
	// Register adds the module's sync mutations to the engine's registry.
	Register func(*syncengine.Registry)
	// Handlers returns the module's Connect services, built with the
	// server's handler options.
	Handlers func(opts ...connect.HandlerOption) []Handler
	// Public are the procedures of those services that callers may use
	// without signing in.
	Public []string
	// Jobs are periodic tasks that one server process at a time runs.
	Jobs []Job
	// Loops run in every server process until shutdown.
	Loops []func(context.Context) error
}

// Handler is one Connect service, as its generated New…Handler returns it.
type Handler struct {
	Path    string
	Handler http.Handler
}

// Connect makes a Handler of what a generated New…Handler returns:
// module.Connect(giftsv1connect.NewWarehouseServiceHandler(h, opts...)).
func Connect(path string, h http.Handler) Handler { return Handler{Path: path, Handler: h} }

// Job is a periodic task that one server process at a time runs (the
// notification scheduler claims it through the database). Jobs decide
// themselves what is due in each user's time zone, and write with dedupe
// keys, so a job run twice (a lapsed lease) notifies nobody twice.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context, now time.Time) error
}
