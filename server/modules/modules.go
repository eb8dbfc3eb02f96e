// Package modules is the one list of the server's modules, in the order
// their migrations apply: each after the modules it requires.
// `ordinator migrate` and `ordinator serve` apply them all, and the binary
// checks that it wires each one exactly once. (Module tests migrate the
// module they test with what it requires, module.Order, so that a module's
// own tests never depend on this list of every module.)
package modules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/console"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/studies"
)

// Schemas returns every module's schema, in migration order.
func Schemas() []module.Schema {
	return []module.Schema{
		auth.Schema(),
		notify.Schema(),
		points.Schema(),
		probase.Schema(),
		media.Schema(),
		content.Schema(),
		cases.Schema(),
		gifts.Schema(),
		studies.Schema(),
		reports.Schema(),
		console.Schema(),
	}
}

// Complete checks that wired holds every module of the server exactly once,
// naming what is missing.
func Complete(wired []module.Module) error {
	all := Schemas()
	seen := map[string]bool{}
	for _, m := range wired {
		if !slices.ContainsFunc(all, func(s module.Schema) bool { return s.Name == m.Name }) {
			return fmt.Errorf("modules: %q is not a module of the server", m.Name)
		}
		if seen[m.Name] {
			return fmt.Errorf("modules: %q wired twice", m.Name)
		}
		seen[m.Name] = true
	}
	var missing []string
	for _, s := range all {
		if !seen[s.Name] {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("modules: %s migrated but not wired", strings.Join(missing, ", "))
	}
	return nil
}
