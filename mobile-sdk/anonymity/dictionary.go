package anonymity

import (
	"strings"
	"unicode/utf8"
)

// nameClass is what the dictionary knows of a word.
type nameClass uint8

const (
	notName nameClass = iota
	weakName
	strongName
)

// dictionary holds the word lists, built once.
type dictionary struct {
	names           map[string]nameClass // first names, every case form
	surnames        map[string]bool
	surnameShaped   map[string]bool
	eponyms         prefixSet
	eponymBefore    prefixSet
	eponymAfter     map[string]bool
	markers         wordSet
	honorifics      wordSet
	titles          wordSet
	brands          map[string]bool
	labels          wordSet
	places          wordSet
	patronymicWords wordSet
	abbreviations   wordSet
	phoneWords      wordSet
	documentWords   wordSet
	numberWords     wordSet
	birthWords      wordSet
}

var dict = buildDictionary()

func buildDictionary() *dictionary {
	d := &dictionary{
		names:           map[string]nameClass{},
		surnames:        map[string]bool{},
		surnameShaped:   map[string]bool{},
		eponyms:         newPrefixSet(eponymStems),
		eponymBefore:    newPrefixSet(eponymBefore),
		eponymAfter:     map[string]bool{},
		markers:         newWordSet(personMarkers),
		honorifics:      newWordSet(honorifics),
		titles:          newWordSet(titles),
		brands:          map[string]bool{},
		labels:          newWordSet(labelMarkers),
		places:          newWordSet(placeWords),
		patronymicWords: newWordSet(patronymicWords),
		abbreviations:   newWordSet(abbreviations),
		phoneWords:      newWordSet(phoneWords),
		documentWords:   newWordSet(documentWords),
		numberWords:     newWordSet(numberWords),
		birthWords:      newWordSet(birthWords),
	}
	add := func(list string, class nameClass, inflect bool) {
		for _, w := range fields(list) {
			w = fold(w)
			forms := []string{w}
			if inflect {
				forms = declensions(w)
			}
			for _, f := range forms {
				if d.names[f] < class {
					d.names[f] = class
				}
			}
		}
	}
	// Weak first, so that a strong name's forms win where they coincide,
	// then weak entries again: a weak word stays weak however it was
	// generated ("Роман" also makes "романа").
	add(cyrillicNames, strongName, true)
	add(latinNames, strongName, false)
	for _, list := range []string{cyrillicWeakNames, latinWeakNames} {
		for _, w := range fields(list) {
			w = fold(w)
			forms := []string{w}
			if list == cyrillicWeakNames {
				forms = declensions(w)
			}
			for _, f := range forms {
				d.names[f] = weakName
			}
		}
	}
	for _, w := range fields(surnames) {
		d.surnames[fold(w)] = true
	}
	for _, w := range fields(surnameShaped) {
		d.surnameShaped[fold(w)] = true
	}
	for _, b := range strings.Split(brands, ",") {
		d.brands[fold(strings.Join(fields(b), " "))] = true
	}
	for _, w := range fields(eponymAfter) {
		d.eponymAfter[w] = true
	}
	return d
}

// irregular declensions: fleeting vowels.
var irregular = map[string][]string{
	"лев":   {"льва", "льву", "львом", "льве"},
	"павел": {"павла", "павлу", "павлом", "павле"},
	"петр":  {"петра", "петру", "петром", "петре"},
}

// declensions returns a Russian first name with its case forms, by its
// ending: Иван → Ивана, Ивану, Иваном, Иване; Ольга → Ольги, Ольге...
func declensions(w string) []string {
	out := []string{w}
	if forms, ok := irregular[w]; ok {
		return append(out, forms...)
	}
	r, size := utf8.DecodeLastRuneInString(w)
	stem := w[:len(w)-size]
	with := func(stem string, endings ...string) {
		for _, e := range endings {
			out = append(out, stem+e)
		}
	}
	switch {
	case strings.HasSuffix(w, "ия"):
		with(strings.TrimSuffix(w, "я"), "и", "ю", "ей", "е")
	case strings.HasSuffix(w, "ий"):
		with(strings.TrimSuffix(w, "й"), "я", "ю", "ем", "и")
	case r == 'я':
		with(stem, "и", "е", "ю", "ей", "ею")
	case r == 'а':
		p, _ := utf8.DecodeLastRuneInString(stem)
		if strings.ContainsRune("гкхжшчщ", p) {
			with(stem, "и", "е", "у", "ой", "ою")
		} else {
			with(stem, "ы", "е", "у", "ой", "ою")
		}
	case r == 'й':
		with(stem, "я", "ю", "ем", "е")
	case r == 'ь':
		with(stem, "я", "ю", "ем", "е", "и", "ью")
	case isCyrillic(r):
		with(w, "а", "у", "ом", "е")
	}
	return out
}
