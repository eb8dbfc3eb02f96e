package modules_test

import (
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/modules"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func names(schemas []module.Schema) string {
	var n []string
	for _, s := range schemas {
		n = append(n, s.Name)
	}
	return strings.Join(n, ",")
}

// TestEveryModuleMigrates: the list holds every module any module
// requires, each after what it requires, with migrations for both
// databases, and applies in its order on both.
func TestEveryModuleMigrates(t *testing.T) {
	all := modules.Schemas()
	ordered, err := module.Order(all...)
	if err != nil || names(ordered) != names(all) {
		t.Fatalf("the list %s is not complete and in dependency order: module.Order gives %s, %v", names(all), names(ordered), err)
	}
	for _, s := range all {
		for _, d := range servertest.Dialects {
			files, err := fs.Glob(s.Migrations(d), "*.sql")
			if err != nil || len(files) == 0 {
				t.Errorf("%s has no %s migrations (%v)", s.Name, d, err)
			}
		}
	}
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			servertest.Store(t, d, nil, all...)
		})
	}
}

func TestComplete(t *testing.T) {
	all := func(skip string) []module.Module {
		var wired []module.Module
		for _, s := range modules.Schemas() {
			if s.Name != skip {
				wired = append(wired, module.Module{Schema: s})
			}
		}
		return wired
	}
	if err := modules.Complete(all("")); err != nil {
		t.Fatalf("every module wired: %v", err)
	}
	if err := modules.Complete(all("studies")); err == nil || !strings.Contains(err.Error(), "studies migrated but not wired") {
		t.Errorf("studies left out: %v", err)
	}
	if err := modules.Complete(append(all(""), module.Module{Schema: gifts.Schema()})); err == nil || !strings.Contains(err.Error(), `"gifts" wired twice`) {
		t.Errorf("gifts wired twice: %v", err)
	}
	if err := modules.Complete(append(all(""), module.Module{Schema: module.Schema{Name: "forecasts"}})); err == nil || !strings.Contains(err.Error(), `"forecasts" is not a module`) {
		t.Errorf("an unknown module: %v", err)
	}
}
