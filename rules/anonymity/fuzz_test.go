package anonymity_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ordinatorhq/ordinator/rules/anonymity"
)

// FuzzFind: any text gives findings that are in order, apart, inside the
// text and on character boundaries, the same every time; and a phone
// number, an address or a named patient put into any text is found.
func FuzzFind(f *testing.F) {
	for _, s := range fields {
		f.Add(s)
	}
	f.Add("Пациентка Иванова, тел. +7 916 123-45-67, ivanova@mail.ru")
	f.Add("И.И.И.И. Петров-Водкин-Сидоров Дж.Р.Р. Толкин")
	f.Add("+((((1)))) 2-3-4-5 (at) @@ ..@.. №№№ 123")
	f.Add("и\u0306 е\u0308 \u00ad\u200b Ива\u00adнова 'Smith's' -Ann-")
	f.Add("\xff\xfe Иван\xffов")
	f.Fuzz(func(t *testing.T, text string) {
		fs := anonymity.Find(text)
		check(t, text, fs)
		again := anonymity.Find(text)
		if len(again) != len(fs) {
			t.Fatalf("%q: %d findings, then %d", text, len(fs), len(again))
		}
		for i := range fs {
			if fs[i] != again[i] {
				t.Fatalf("%q: %v, then %v", text, fs[i], again[i])
			}
			fs[i].Describe(text)
		}
		for _, planted := range []string{"тел. +7 916 123-45-67", "ivanova@mail.ru", "Пациентка Иванова", "СНИЛС 123-456-789 01"} {
			whole := text + " " + planted + " " + text
			at := len(text) + 1
			fs := anonymity.Find(whole)
			check(t, whole, fs)
			hit := false
			for _, f := range fs {
				hit = hit || (f.Start < at+len(planted) && f.End > at)
			}
			if !hit {
				t.Fatalf("%q planted in %q is not found: %v", planted, text, fs)
			}
		}
	})
}

func check(t *testing.T, text string, fs []anonymity.Finding) {
	t.Helper()
	end := 0
	for _, f := range fs {
		if f.Start < end || f.Start >= f.End || f.End > len(text) {
			t.Fatalf("%q: finding %+v out of order or bounds (previous ended at %d)", text, f, end)
		}
		if utf8.ValidString(text) && (!utf8.RuneStart(text[f.Start]) || (f.End < len(text) && !utf8.RuneStart(text[f.End]))) {
			t.Fatalf("%q: finding %+v splits a character", text, f)
		}
		if f.Kind < anonymity.Name || f.Kind > anonymity.Address || strings.HasPrefix(f.Kind.String(), "an identifier") {
			t.Fatalf("%q: finding %+v of unknown kind", text, f)
		}
		end = f.End
	}
}
