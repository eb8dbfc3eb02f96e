package content

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
)

var countryPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,15}$`)

// prepareCountries checks where an item may travel: the countries it names
// are stacks' country codes, and a local-only item names none.
func prepareCountries(v *violations, it *contentv1.Item) {
	for i := range it.Countries {
		it.Countries[i] = strings.ToLower(strings.TrimSpace(it.Countries[i]))
	}
	slices.Sort(it.Countries)
	it.Countries = slices.Compact(it.Countries)
	if len(it.Countries) > maxTargets {
		v.add("countries", "at most %d", maxTargets)
	}
	for i, c := range it.Countries {
		if !countryPattern.MatchString(c) {
			v.add(fmt.Sprintf("countries[%d]", i), "%q is not a country code such as kz", c)
		}
	}
	if it.LocalOnly && len(it.Countries) > 0 {
		v.add("local_only", "a local-only item never leaves this stack, so it cannot go to %s", strings.Join(it.Countries, ", "))
	}
}

// exportedTo reports whether an item's bundles go to destination.
func exportedTo(it *contentv1.Item, destination string) bool {
	return !it.LocalOnly && (len(it.Countries) == 0 || slices.Contains(it.Countries, destination))
}
