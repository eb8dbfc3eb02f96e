package specialty_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/rules/specialty"
)

func TestProblem(t *testing.T) {
	tests := []struct {
		code string
		want string // "" for a valid code
	}{
		{"dermatology", ""},
		{"other", ""},
		{"", "is required"},
		{"astrology", `"astrology" is not a specialty`},
		{"Dermatology", `"Dermatology" is not a specialty`},
		{"dermatology ", `"dermatology " is not a specialty`},
	}
	for _, tc := range tests {
		got := specialty.Problem(tc.code)
		if tc.want == "" {
			if got != "" || !specialty.Known(tc.code) {
				t.Errorf("%q: refused (%s)", tc.code, got)
			}
			continue
		}
		if specialty.Known(tc.code) || !strings.Contains(got, tc.want) {
			t.Errorf("%q: got %q, want it to say %q", tc.code, got, tc.want)
		}
		// A refusal lists every valid code.
		for _, c := range specialty.Codes() {
			if !strings.Contains(got, c) {
				t.Errorf("%q: the refusal %q does not list %s", tc.code, got, c)
			}
		}
	}
}

func TestCodesAreACopy(t *testing.T) {
	c := specialty.Codes()
	c[0] = "astrology"
	if specialty.Known("astrology") || specialty.Codes()[0] == "astrology" {
		t.Fatal("changing the returned list changed the platform's specialties")
	}
}

func ExampleProblem() {
	fmt.Println(specialty.Problem("astrology"))
	// Output: "astrology" is not a specialty: use one of dermatology, cosmetology, oncology, pediatrics, allergology, therapy, gynecology, other
}
