// Package fields checks records against declarative field templates: for
// each field, whether it is required, a pattern, a list of allowed values,
// length bounds, and a reference that must exist. The server defines the
// templates and syncs them to devices as data; devices (before a write is
// queued) and the server (when it is applied) run this same code over the
// same definitions, so the two cannot disagree.
package fields

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Rule constrains one field. A list field holds several values, each
// checked on its own.
type Rule struct {
	Field       string
	Label       string // how the field is called on screen
	Required    bool
	List        bool
	MaxItems    int
	MinLen      int
	MaxLen      int
	Pattern     string // anchored regular expression (RE2)
	PatternHint string // what the pattern means, e.g. "+7 916 123-45-67"
	OneOf       []string
	Ref         string // collection the value must exist in
}

// Template is the set of rules for one collection.
type Template struct {
	Collection string
	Version    int
	Rules      []Rule
}

// Values are a record's field values: one element for a single field, any
// number for a list; a missing key or no element means empty.
type Values map[string][]string

// Get returns a single field's value.
func (v Values) Get(field string) string {
	if len(v[field]) == 0 {
		return ""
	}
	return v[field][0]
}

// Violation names one failing field and why; callers turn violations into
// their own error type (on the server, syncengine.Invalid).
type Violation struct {
	Field       string
	Description string
}

// Exists tells whether a referenced record exists: on the server in the
// database, on a device in its replica.
type Exists func(collection, id string) (bool, error)

// Rule returns the rule of a field.
func (t Template) Rule(field string) (Rule, bool) {
	i := slices.IndexFunc(t.Rules, func(r Rule) bool { return r.Field == field })
	if i < 0 {
		return Rule{}, false
	}
	return t.Rules[i], true
}

// Check validates a whole record and returns a violation per failing field
// (nil if it is valid). Values for fields the template does not know are
// violations too.
func (t Template) Check(v Values, exists Exists) ([]Violation, error) {
	var out []Violation
	for field := range v {
		if _, ok := t.Rule(field); !ok {
			out = append(out, Violation{Field: field, Description: "is not a field of " + t.Collection})
		}
	}
	for _, r := range t.Rules {
		msg, err := r.check(v[r.Field], exists)
		if err != nil {
			return nil, err
		}
		if msg != "" {
			out = append(out, Violation{Field: r.Field, Description: msg})
		}
	}
	slices.SortFunc(out, func(a, b Violation) int { return strings.Compare(a.Field, b.Field) })
	return out, nil
}

// Normalize trims the values, drops empty list items, and returns the
// record as it will be stored.
func (t Template) Normalize(v Values) Values {
	out := Values{}
	for field, vals := range v {
		var kept []string
		for _, s := range vals {
			if s = strings.TrimSpace(s); s != "" {
				kept = append(kept, s)
			}
		}
		out[field] = kept
	}
	return out
}

func (r Rule) check(vals []string, exists Exists) (string, error) {
	name := r.Label
	if name == "" {
		name = r.Field
	}
	if !r.List && len(vals) > 1 {
		return fmt.Sprintf("%s takes one value", name), nil
	}
	if len(vals) == 0 || (len(vals) == 1 && vals[0] == "") {
		if r.Required {
			return fmt.Sprintf("%s is required", name), nil
		}
		return "", nil
	}
	if r.List && r.MaxItems > 0 && len(vals) > r.MaxItems {
		return fmt.Sprintf("%s takes at most %d values", name, r.MaxItems), nil
	}
	for _, s := range vals {
		n := utf8.RuneCountInString(s)
		switch {
		case r.MinLen > 0 && n < r.MinLen:
			return fmt.Sprintf("%s must be at least %d characters", name, r.MinLen), nil
		case r.MaxLen > 0 && n > r.MaxLen:
			return fmt.Sprintf("%s must be at most %d characters", name, r.MaxLen), nil
		}
		if r.Pattern != "" {
			re, err := compile(r.Pattern)
			if err != nil {
				return "", fmt.Errorf("template rule %s: %w", r.Field, err)
			}
			if !re.MatchString(s) {
				hint := r.PatternHint
				if hint == "" {
					hint = "the expected format"
				}
				return fmt.Sprintf("%s %q does not match %s", name, s, hint), nil
			}
		}
		if len(r.OneOf) > 0 && !slices.Contains(r.OneOf, s) {
			return fmt.Sprintf("%s must be one of %s", name, strings.Join(r.OneOf, ", ")), nil
		}
		if r.Ref != "" && exists != nil {
			ok, err := exists(r.Ref, s)
			if err != nil {
				return "", err
			}
			if !ok {
				return fmt.Sprintf("%s: there is no %s %s", name, r.Ref, s), nil
			}
		}
	}
	return "", nil
}

// patterns caches compiled patterns; templates are few and fixed.
var patterns sync.Map

func compile(p string) (*regexp.Regexp, error) {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		return nil, err
	}
	patterns.Store(p, re)
	return re, nil
}
