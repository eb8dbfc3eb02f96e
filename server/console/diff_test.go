package console

import (
	"strings"
	"testing"
)

func show(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		switch {
		case s.Ins():
			b.WriteString("[+" + s.Text + "]")
		case s.Del():
			b.WriteString("[-" + s.Text + "]")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name     string
		from, to []string
		want     string
	}{
		{"same", []string{"Derma Clinic"}, []string{"Derma Clinic"}, "Derma Clinic"},
		{"both empty", nil, nil, ""},
		{"added", nil, []string{"chief physician"}, "[+chief physician]"},
		{"removed", []string{"chief physician"}, nil, "[-chief physician]"},
		{"a word", []string{"head of department"}, []string{"head of the department"}, "head of [+the ]department"},
		{"a word replaced", []string{"ул. Тверская, 1"}, []string{"ул. Тверская, 12"}, "ул. Тверская, [-1][+12]"},
		{"one word: the changed middle", []string{"+79161234567"}, []string{"+79160000001"}, "+7916[-1234567][+0000001]"},
		{"one word, same ends", []string{"+79161234567"}, []string{"+79161200567"}, "+791612[-34][+00]567"},
		{"one word grows", []string{"12345"}, []string{"123455"}, "12345[+5]"},
		{"a list grows", []string{"+79161234567"}, []string{"+79161234567", "+79160000001"}, "+79161234567[+\n+79160000001]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := diffValues(tc.from, tc.to)
			if show(got) != tc.want {
				t.Fatalf("got %q, want %q", show(got), tc.want)
			}
			// The kept and inserted text is the new value; kept and
			// deleted, the old one.
			var from, to strings.Builder
			for _, s := range got {
				if !s.Ins() {
					from.WriteString(s.Text)
				}
				if !s.Del() {
					to.WriteString(s.Text)
				}
			}
			if from.String() != strings.Join(tc.from, "\n") || to.String() != strings.Join(tc.to, "\n") {
				t.Fatalf("segments do not rebuild the values: %q %q", from.String(), to.String())
			}
		})
	}
}

// FuzzDiff: whatever the values, the segments rebuild both.
func FuzzDiff(f *testing.F) {
	f.Add("head of department", "head of the department")
	f.Add("+79161234567", "+79160000001")
	f.Fuzz(func(t *testing.T, a, b string) {
		var from, to strings.Builder
		for _, s := range diffValues([]string{a}, []string{b}) {
			if !s.Ins() {
				from.WriteString(s.Text)
			}
			if !s.Del() {
				to.WriteString(s.Text)
			}
		}
		if from.String() != a || to.String() != b {
			t.Fatalf("%q -> %q rebuilt as %q -> %q", a, b, from.String(), to.String())
		}
	})
}
