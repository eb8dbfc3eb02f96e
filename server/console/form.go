package console

import (
	"maps"
	"slices"
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// formErrors are the field violations of a refused form, by field, as the
// services return them (the same the RPCs send as error details).
type formErrors map[string][]string

// violations returns an error's field violations, nil if it has none.
func violations(err error) formErrors {
	e := syncengine.AsError(err)
	if len(e.Violations) == 0 {
		return nil
	}
	out := formErrors{}
	for _, v := range e.Violations {
		out[v.Field] = append(out[v.Field], v.Description)
	}
	return out
}

// For returns a field's violations, joined, for the template to show next
// to the field.
func (f formErrors) For(field string) string { return strings.Join(f[field], "; ") }

// Except lists the violations of fields not in shown, for a form to show
// above its fields.
func (f formErrors) Except(shown ...string) []string {
	var out []string
	for _, field := range slices.Sorted(maps.Keys(f)) {
		if slices.Contains(shown, field) {
			continue
		}
		for _, d := range f[field] {
			out = append(out, field+": "+d)
		}
	}
	return out
}
