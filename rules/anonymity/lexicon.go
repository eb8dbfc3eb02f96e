package anonymity

import (
	"embed"
	"strings"
)

// lexicons are the name lists, one file per origin (see lexicon/README).
//
//go:embed lexicon/*.txt
var lexicons embed.FS

// lexicon is what the name lists say: first names in every case form and
// surnames without a telling ending, by their written form and by the
// skeleton their Latin spellings share.
type lexicon struct {
	names, nameSkeletons       map[string]nameClass
	surnames, surnameSkeletons map[string]bool
	// nominative holds the first names' nominative forms in -а/-я, which
	// a dative noun before ("Пациентке Ярина") shows to be something else.
	nominative map[string]bool
}

func loadLexicon() lexicon {
	l := lexicon{
		names: map[string]nameClass{}, nameSkeletons: map[string]nameClass{},
		surnames: map[string]bool{}, surnameSkeletons: map[string]bool{},
		nominative: map[string]bool{},
	}
	files, err := lexicons.ReadDir("lexicon")
	if err != nil {
		panic(err) // embedded: cannot fail at run time
	}
	var weak []string
	for _, f := range files {
		data, err := lexicons.ReadFile("lexicon/" + f.Name())
		if err != nil {
			panic(err)
		}
		section := ""
		for _, line := range strings.Split(string(data), "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") {
				section = strings.Trim(line, "[]")
				continue
			}
			for _, w := range fields(line) {
				w = fold(w)
				switch section {
				case "first":
					if e, ok := strings.CutSuffix(w, "~"); ok {
						weak = append(weak, e)
						continue
					}
					l.addName(w, strongName)
				case "surname":
					l.surnames[w] = true
					if s := cyrillicSkeleton(w); isCyrillicWord(w) && len(s) >= 4 {
						l.surnameSkeletons[s] = true
					}
				}
			}
		}
	}
	// Weak entries last: a weak word stays weak however a strong name's
	// forms made it ("Роман" also makes "романа").
	for _, w := range weak {
		l.addName(w, weakName)
	}
	return l
}

// addName records a first name, its case forms if Cyrillic, and its
// skeleton; a weak entry overrides what strong ones made of its forms.
func (l *lexicon) addName(w string, class nameClass) {
	if !isCyrillicWord(w) {
		// A Latin entry is matched as written: its skeleton may be an
		// English word ("Lynne", "line").
		if class == weakName || l.names[w] < class {
			l.names[w] = class
		}
		return
	}
	if strings.HasSuffix(w, "а") || strings.HasSuffix(w, "я") {
		l.nominative[w] = true
	}
	for _, f := range declensions(w) {
		if class == weakName || l.names[f] < class {
			l.names[f] = class
		}
	}
	if s := cyrillicSkeleton(w); class == weakName || l.nameSkeletons[s] < class {
		l.nameSkeletons[s] = class
	}
}

func isCyrillicWord(w string) bool {
	for _, r := range w {
		return isCyrillic(r)
	}
	return false
}
