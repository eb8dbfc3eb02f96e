// Package specialty is the one list of the platform's medical specialties:
// the codes an account, a directory doctor and a content item may carry,
// and that name the specialty buckets (specialty:<code>). The server checks
// every specialty that enters against it; devices get the same list in the
// doctors' field template, or from this package where no template has
// synced yet (a registration form). Pure rules: the standard library only.
package specialty

import (
	"fmt"
	"slices"
	"strings"
)

// codes are the specialty codes, in the order forms list them. Codes are
// stored in accounts and bucket names: add new ones, never rename one.
var codes = []string{"dermatology", "cosmetology", "oncology", "pediatrics", "allergology", "therapy", "gynecology", "other"}

// Codes returns the specialty codes, in the order forms list them.
func Codes() []string { return slices.Clone(codes) }

// Known reports whether code is a specialty of the platform.
func Known(code string) bool { return slices.Contains(codes, code) }

// Problem says what is wrong with code as a specialty, for the description
// of a field violation, or returns "" when code is one. The refusal lists
// the valid codes, so whoever reads it can put it right.
func Problem(code string) string {
	list := strings.Join(codes, ", ")
	switch {
	case code == "":
		return "is required: one of " + list
	case !Known(code):
		return fmt.Sprintf("%q is not a specialty: use one of %s", code, list)
	}
	return ""
}
