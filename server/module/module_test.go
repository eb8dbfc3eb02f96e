package module_test

import (
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/server/module"
)

func names(schemas []module.Schema) string {
	var n []string
	for _, s := range schemas {
		n = append(n, s.Name)
	}
	return strings.Join(n, ",")
}

func TestOrder(t *testing.T) {
	auth := module.Schema{Name: "auth"}
	notify := module.Schema{Name: "notify", Requires: []module.Schema{auth}}
	points := module.Schema{Name: "points", Requires: []module.Schema{auth}}
	gifts := module.Schema{Name: "gifts", Requires: []module.Schema{auth, notify, points}}
	media := module.Schema{Name: "media"}
	loop := module.Schema{Name: "a", Requires: []module.Schema{{Name: "b", Requires: []module.Schema{{Name: "a"}}}}}
	for _, c := range []struct {
		in      []module.Schema
		want    string
		wantErr string
	}{
		{in: nil, want: ""},
		{in: []module.Schema{gifts}, want: "auth,notify,points,gifts"},
		{in: []module.Schema{media, gifts, points}, want: "media,auth,notify,points,gifts"},
		{in: []module.Schema{gifts, auth}, want: "auth,notify,points,gifts"},
		{in: []module.Schema{points, points}, wantErr: `"points" given twice`},
		{in: []module.Schema{loop}, wantErr: `"a" requires itself (a → b → a)`},
	} {
		got, err := module.Order(c.in...)
		switch {
		case c.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("Order(%s): %v, want an error saying %s", names(c.in), err, c.wantErr)
			}
		case err != nil || names(got) != c.want:
			t.Errorf("Order(%s) = %s, %v; want %s", names(c.in), names(got), err, c.want)
		}
	}
}

// TestOrderPrefersGiven: a schema given replaces the one of its name that
// another requires, as a test migrating a module's first migrations does.
func TestOrderPrefersGiven(t *testing.T) {
	older := module.Schema{Name: "auth", Migrations: nil}
	current := module.Schema{Name: "auth", Requires: []module.Schema{{Name: "never"}}}
	notify := module.Schema{Name: "notify", Requires: []module.Schema{current}}
	got, err := module.Order(notify, older)
	if err != nil || names(got) != "auth,notify" {
		t.Fatalf("Order = %s, %v; want auth,notify with the given auth", names(got), err)
	}
}
