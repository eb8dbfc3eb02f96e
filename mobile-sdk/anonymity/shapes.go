package anonymity

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Surname endings. Strong ones (-ов, -ева, -енко, -швили...) make a lone
// capitalised word in the middle of a sentence a surname; weak ones (-ин,
// -ский) are shared with drug names and adjectives ("Эуцерин",
// "Атопический"), so they need a first name, initials or a title beside.
// Each is a set of stems, the case endings they take, and the letters a
// word must have before the stem.
var (
	cyrStrongSurname = []suffixRule{
		{2, words("ов ев"), words("- а у ым ой е ою ых")},
		{2, words("енко швили дзе ян янц чук щук юк"), words("- а у ом ем е ой")},
	}
	cyrWeakSurname = []suffixRule{
		{2, words("ин ын"), words("- а у ым ой е ых")},
		{2, words("ск цк"), words("ий ая ого ому им ом ой ую")},
		{2, words("штейн берг"), words("- а у ом е")},
	}
	latStrongSurname = []suffixRule{{2, words("ov ev ova eva enko shvili dze yan chuk"), words("-")}}
	latWeakSurname   = []suffixRule{{2, words("in ina yn yna sky ski skiy skaya skij son sen wicz stein berg"), words("-")}}
	// Patronymics: Иванович, Петровна and their case forms. -ична is also
	// an adjective ("типична"), so it counts only beside a first name.
	cyrPatronymic = []suffixRule{
		{3, words("ович евич ьич"), words("- а у ем е")},
		{3, words("овн евн"), words("а ы е у ой")},
	}
	cyrWeakPatronymic = []suffixRule{{3, words("ичн"), words("а ы е у ой")}}
	latPatronymic     = []suffixRule{{3, words("ovich evich ovna evna ichna"), words("-")}}
	// An age after a surname: "Иванова, 34 года", "Smith, 45 years".
	ageAfter = regexp.MustCompile(`^\s*,\s*\d{1,3}\s*-?\s*(лет|год|года|г\.|мес|y\.?\s?o|years?|yrs?|yo\b|-year)`)
)

// suffixRule matches words ending in one of its stems followed by one of
// its endings ("-" for none), with at least min letters before the stem.
type suffixRule struct {
	min     int
	stems   []string
	endings []string
}

func words(s string) []string {
	out := fields(s)
	for i, w := range out {
		if w == "-" {
			out[i] = ""
		}
	}
	return out
}

func matches(rules []suffixRule, w string) bool {
	for _, r := range rules {
		for _, e := range r.endings {
			rest, ok := strings.CutSuffix(w, e)
			if !ok {
				continue
			}
			for _, s := range r.stems {
				if stem, ok := strings.CutSuffix(rest, s); ok && utf8.RuneCountInString(stem) >= r.min {
					return true
				}
			}
		}
	}
	return false
}

// productCode reports a product's number right after a word: "Диане-35",
// "Diane-35".
func productCode(after string) bool {
	after = strings.TrimPrefix(after, "-")
	return after != "" && isDigit(after[0])
}

// class is the word's standing as a first name (any part of a hyphenated
// one: "Анна-Мария").
func (n *names) class(w *word) nameClass {
	best := dict.names[w.low]
	for _, p := range w.parts {
		if c := dict.names[p]; c > best {
			best = c
		}
	}
	return best
}

func (n *names) patronymic(w *word) nameClass {
	switch {
	case w.cyrillic && matches(cyrPatronymic, w.low):
		return strongName
	case !w.cyrillic && matches(latPatronymic, w.low):
		return strongName
	case w.cyrillic && matches(cyrWeakPatronymic, w.low):
		return weakName
	}
	return notName
}

// surname is how strongly the word looks like a surname: listed, or by its
// ending (the last part of a hyphenated word).
func (n *names) surname(w *word) nameClass {
	last := w.parts[len(w.parts)-1]
	if dict.surnameShaped[w.low] || dict.surnameShaped[last] {
		return notName
	}
	if dict.surnames[w.low] || dict.surnames[last] {
		return weakName
	}
	if w.cyrillic {
		switch {
		case matches(cyrStrongSurname, last):
			return strongName
		case matches(cyrWeakSurname, last):
			return weakName
		}
		return notName
	}
	switch {
	case matches(latStrongSurname, last):
		return strongName
	case matches(latWeakSurname, last):
		return weakName
	}
	return notName
}

// verbLike reports Russian verb forms by their endings: past tense
// ("обратилась", "направлен"), present ("наблюдается"), short participles
// ("назначено").
func verbLike(w string) bool {
	for _, e := range verbEndings {
		if strings.HasSuffix(w, e) && len(w) > len(e)+2 {
			return true
		}
	}
	return false
}

var verbEndings = []string{"ся", "сь", "ла", "ли", "ал", "ил", "ял", "ел", "ет", "ит", "ют", "ят", "ена", "ено", "ены", "ана", "ано", "аны", "ен"}
