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
		// Tajik -зода/-заде, Kazakh, Kyrgyz and Uzbek -улы, -уулу, -кызы,
		// -угли, -кизи written as one word: "Назарзода", "Серікұлы".
		{3, words("зода заде улы уулу кызы угли кизи"), words("-")},
	}
	cyrWeakSurname = []suffixRule{
		{2, words("ин ын"), words("- а у ым ой е ых")},
		{2, words("ск цк"), words("ий ая ого ому им ом ой ую")},
		{2, words("штейн берг ман бург"), words("- а у ом е")},
		// Siberian -ых/-их, Korean -гай, Azerbaijani -ли/-лы, -ко.
		{3, words("ых их гай"), words("-")},
		{4, words("ли лы"), words("-")},
		{3, words("ко"), words("-")},
	}
	// Central Asian first names are compounds whose last part tells them:
	// Асыл-жан, Нур-бек, Зар-нигор, Sardor-bek, Abdul-lo, Nur-iddin.
	nameEndings = []suffixRule{
		{3, words("бек жан жон хон улло иддин уддин мурод нигор"), words("- а у ом е ы и ю")},
		{2, words("гуль гул"), words("- и е ю ей")}, // Ойгул, Айгуль
		{3, words("bek jan zhan jon khon xon ullo iddin uddin murod nigor"), words("-")},
		{2, words("gul"), words("-")},
	}
	// pairSurname: the surname endings surnamePair trusts.
	pairSurname = []suffixRule{
		{2, words("ов ев"), words("а у ым ой е ою")},
		{2, words("енко швили дзе"), words("- а у ом е ой")},
		{3, words("зода заде улы уулу кызы угли кизи"), words("-")},
		{2, words("ova eva enko shvili dze zoda zade uly kyzy"), words("-")},
	}
	// cyrBareIn: an -ин/-ын word in the nominative, the shape drug names
	// share ("Доксициклин").
	cyrBareIn        = []suffixRule{{2, words("ин ын"), words("-")}}
	latStrongSurname = []suffixRule{{2, words("ov ev ova eva enko shvili dze yan chuk iyev iyeva zoda zade uly kyzy qizi ugli uulu czyk czak wicz"), words("-")}}
	latWeakSurname   = []suffixRule{{2, words("in ina yn yna sky ski skiy skaya skij son sen stein berg man field"), words("-")}}
	// Patronymics: Иванович, Петровна and their case forms. -ична is also
	// an adjective ("типична"), so it counts only beside a first name.
	cyrPatronymic = []suffixRule{
		{3, words("ович евич ьич"), words("- а у ем е")},
		{3, words("овн евн"), words("а ы е у ой")},
	}
	cyrWeakPatronymic = []suffixRule{{3, words("ичн"), words("а ы е у ой")}}
	latPatronymic     = []suffixRule{{3, words("ovich evich ovna evna ichna"), words("-")}}
	// An age after a surname: "Иванова, 34 года", "Smith, 45 years",
	// "Umarov, 16, acne"; bareAgeAfter without the comma: "Тохтаходжаева
	// 45 лет".
	ageAfter     = regexp.MustCompile(`^\s*,\s*\d{1,3}(?:\s*-?\s*(?:лет|год|года|г\.|мес|y\.?\s?o|years?|yrs?|yo\b|-year)|\s*(?:[,;)]|$))`)
	bareAgeAfter = regexp.MustCompile(`^\s*[—–-]?\s*\d{1,3}\s*-?\s*(лет|год|года|y\.?\s?o|years?|yrs?|yo\b|-year)`)
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
// one: "Анна-Мария"); a Latin word by the skeleton its spellings share.
func (n *names) class(w *word) nameClass {
	best := dict.names[w.low]
	for _, p := range w.parts {
		if c := dict.names[p]; c > best {
			best = c
		}
	}
	if best == notName && !w.cyrillic && w.runes >= 3 && (w.title || w.upper) {
		best = dict.nameSkeletons[latinSkeleton(w.low)]
	}
	if best == notName && w.title && w.runes >= 5 && matches(nameEndings, w.low) {
		best = strongName // "Асылжан", "Sardorbek", "Зарнигор"
	}
	return best
}

// listed reports a surname of the lexicon: "Ким", "Kim", "Tsoy".
func (n *names) listed(w *word) bool {
	last := w.parts[len(w.parts)-1]
	if dict.surnames[w.low] || dict.surnames[last] {
		return true
	}
	return !w.cyrillic && dict.surnameSkeletons[latinSkeleton(last)]
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
	if n.listed(w) {
		return weakName
	}
	if w.gaelic {
		return strongName
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
