package fields_test

import (
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/rules/fields"
)

var tmpl = fields.Template{Collection: "doctor", Rules: []fields.Rule{
	{Field: "full_name", Label: "Full name", Required: true, MinLen: 3, MaxLen: 20},
	{Field: "phones", Label: "Phone", List: true, MaxItems: 2, Pattern: `\+[1-9][0-9]{7,14}`, PatternHint: "+7 916 123-45-67"},
	{Field: "status", OneOf: []string{"active", "left"}},
	{Field: "clinic_id", Ref: "clinic"},
}}

func TestCheck(t *testing.T) {
	exists := func(coll, id string) (bool, error) { return coll == "clinic" && id == "c1", nil }
	tests := []struct {
		name   string
		values fields.Values
		want   string // "field: description fragment", or "" for valid
	}{
		{"valid", fields.Values{"full_name": {"Анна Петрова"}, "phones": {"+79161234567"}, "status": {"active"}, "clinic_id": {"c1"}}, ""},
		{"optional empty", fields.Values{"full_name": {"Ann"}}, ""},
		{"required missing", fields.Values{}, "full_name: Full name is required"},
		{"required blank", fields.Values{"full_name": {""}}, "full_name: Full name is required"},
		{"too short in runes", fields.Values{"full_name": {"Ян"}}, "full_name: Full name must be at least 3"},
		{"too long", fields.Values{"full_name": {strings.Repeat("я", 21)}}, "full_name: Full name must be at most 20"},
		{"pattern", fields.Values{"full_name": {"Ann"}, "phones": {"+79161234567", "8-916"}}, `phones: Phone "8-916" does not match +7 916 123-45-67`},
		{"too many", fields.Values{"full_name": {"Ann"}, "phones": {"+79161234567", "+79161234568", "+79161234569"}}, "phones: Phone takes at most 2"},
		{"not a list", fields.Values{"full_name": {"Ann", "Bob"}}, "full_name: Full name takes one value"},
		{"enum", fields.Values{"full_name": {"Ann"}, "status": {"retired"}}, "status: status must be one of active, left"},
		{"reference", fields.Values{"full_name": {"Ann"}, "clinic_id": {"c9"}}, "clinic_id: clinic_id: there is no clinic c9"},
		{"unknown field", fields.Values{"full_name": {"Ann"}, "salary": {"1"}}, "salary: is not a field of doctor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := tmpl.Check(tc.values, exists)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if len(v) != 0 {
					t.Fatalf("violations %v", v)
				}
				return
			}
			if len(v) != 1 || !strings.HasPrefix(v[0].Field+": "+v[0].Description, tc.want) {
				t.Fatalf("got %v, want %q", v, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	got := tmpl.Normalize(fields.Values{"phones": {" +79161234567 ", "", "  "}})
	if len(got["phones"]) != 1 || got["phones"][0] != "+79161234567" {
		t.Fatalf("%v", got)
	}
}
