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
	lexicon
	surnameShaped   map[string]bool
	eponyms         prefixSet
	eponymBefore    prefixSet
	eponymAfter     map[string]bool
	markers         wordSet
	dative          wordSet
	honorifics      wordSet
	titles          wordSet
	brands          map[string]bool
	brandNames      map[string]bool
	labels          wordSet
	labelBefore     wordSet
	unnamed         wordSet
	places          wordSet
	patronymicWords wordSet
	abbreviations   wordSet
	lettered        wordSet
	referrers       wordSet
	functionWords   wordSet
	phoneWords      wordSet
	documentWords   wordSet
	batchWords      wordSet
	identityWords   wordSet
	numberWords     wordSet
	units           wordSet
	addressWords    wordSet
	messengerWords  wordSet
}

var dict = buildDictionary()

func buildDictionary() *dictionary {
	d := &dictionary{
		lexicon:         loadLexicon(),
		surnameShaped:   map[string]bool{},
		eponyms:         newPrefixSet(eponymStems),
		eponymBefore:    newPrefixSet(eponymBefore),
		eponymAfter:     map[string]bool{},
		markers:         newWordSet(personMarkers),
		dative:          newWordSet(dativeMarkers),
		honorifics:      newWordSet(honorifics),
		titles:          newWordSet(titles),
		brands:          map[string]bool{},
		brandNames:      map[string]bool{},
		labels:          newWordSet(labelMarkers),
		labelBefore:     newWordSet(labelBefore),
		unnamed:         newWordSet(unnamedWords),
		places:          newWordSet(placeWords),
		patronymicWords: newWordSet(patronymicWords),
		abbreviations:   newWordSet(abbreviations),
		lettered:        newWordSet(letteredWords),
		referrers:       newWordSet(referrerWords),
		functionWords:   newWordSet(functionWords),
		phoneWords:      newWordSet(phoneWords),
		documentWords:   newWordSet(documentWords),
		batchWords:      newWordSet(batchWords),
		identityWords:   newWordSet(identityWords),
		numberWords:     newWordSet(numberWords),
		units:           newWordSet(unitWords),
		addressWords:    newWordSet(addressWords),
		messengerWords:  newWordSet(messengerWords),
	}
	for _, w := range fields(surnameShaped) {
		d.surnameShaped[fold(w)] = true
	}
	for _, b := range strings.Split(brands, ",") {
		b = fold(strings.Join(fields(b), " "))
		if strings.Contains(b, " ") {
			d.brands[b] = true
		} else if b != "" {
			d.brandNames[b] = true
		}
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
