package anonymity

import (
	"strings"
)

// names finds person names among the words of text.
type names struct {
	text  string
	words []word
	flag  []bool
	// chainStart[i]: word i is in a dash-joined chain of capitalised words
	// that an eponym-introducing noun starts ("синдром Стивенса —
	// Джонсона"); chainEnd[i]: in one that a following noun ends
	// ("Stevens – Johnson syndrome").
	chainStart, chainEnd []bool
}

func findNames(text string, out []Finding) []Finding {
	n := &names{text: text, words: splitWords(text)}
	n.flag = make([]bool, len(n.words))
	n.chains()
	for i := range n.words {
		n.judge(i)
	}
	// Initials beside a flagged word belong to the name: "И.И. Петров"
	// (right to left), "Петров И.И." (left to right).
	for i := len(n.words) - 2; i >= 0; i-- {
		if n.words[i].initial && n.flag[i+1] && afterInitial(n.words[i+1].gap) {
			n.flag[i] = true
		}
	}
	for i := 1; i < len(n.words); i++ {
		w := &n.words[i]
		if w.initial && n.flag[i-1] && (spaces(w.gap) || (n.words[i-1].initial && afterInitial(w.gap))) {
			n.flag[i] = true
		}
	}
	// Adjacent flagged words make one finding.
	for i := 0; i < len(n.words); i++ {
		if !n.flag[i] {
			continue
		}
		start, end := n.words[i].start, n.words[i].end
		if n.words[i].initial {
			end++ // its period
		}
		for i+1 < len(n.words) && n.flag[i+1] && (spaces(n.words[i+1].gap) || afterInitial(n.words[i+1].gap)) {
			i++
			end = n.words[i].end
			if n.words[i].initial {
				end++
			}
		}
		out = append(out, Finding{Kind: Name, Start: start, End: end})
	}
	return out
}

func (n *names) word(i int) *word {
	if i < 0 || i >= len(n.words) {
		return nil
	}
	return &n.words[i]
}

// judge flags word i if the evidence says it is (part of) a name.
func (n *names) judge(i int) {
	w := &n.words[i]
	if w.initial || w.label || (w.upper && w.runes <= 4 && n.class(w) == notName && !n.listed(w)) {
		return // initials alone are the usual anonymised form ("Пациентка К."); short capitals are acronyms
	}
	capital := w.title || w.upper
	class := n.class(w)
	marker := n.afterMarker(i)
	if !capital && class == notName && !marker {
		return // an ordinary lowercase word, most of any text
	}
	if productCode(n.text[w.end:]) || n.brand(i, marker) || n.saint(i) {
		return // "Диане-35", "Elizabeth Arden", "Murad Retinal", "St John's wort"
	}
	if !marker && n.afterDative(i) {
		return // "Пациентке Ярина": after a dative noun the word itself must say it is a name
	}
	switch {
	case marker:
		n.flag[i] = true
	case n.eponym(i):
		return
	case class == strongName && (capital || (w.cyrillic && w.runes >= 4)):
		// A known first name, in any case for Cyrillic: "ольга" is no
		// ordinary word.
		n.flag[i] = true
	case capital && n.patronymic(w) == strongName:
		n.flag[i] = true
	case capital && n.besideInitials(i):
		n.flag[i] = true
	case capital && n.surname(w) != notName && n.nextToName(i):
		n.flag[i] = true
	case class == weakName && capital && n.nextToName(i):
		n.flag[i] = true
	case capital && n.beforePatronymicWord(i):
		n.flag[i] = true
	case capital && n.agedSurname(i):
		n.flag[i] = true
	case w.title && n.surnamePair(i):
		n.flag[i] = true
	case w.title && n.agedPair(i):
		n.flag[i] = true
	case w.title && n.surname(w) == strongName && n.loneInSentence(i):
		n.flag[i] = true
	}
}

// surnamePair: a surname by an ending that no common noun shares (-ова,
// -евой, -енко, -зода; not -ов, a genitive plural too, nor -ян, as in
// "Масло Семян") beside another capitalised word that may be a first name
// the lexicon lacks: "Севинч Абдуллаева".
func (n *names) surnamePair(i int) bool {
	w := n.word(i)
	if !matches(pairSurname, w.parts[len(w.parts)-1]) || n.surname(w) == notName {
		return false
	}
	for _, j := range []int{i - 1, i + 1} {
		o := n.word(j)
		if o == nil || !spaces(n.words[max(i, j)].gap) {
			continue
		}
		if o.title && !o.upper && !o.initial && o.cyrillic == w.cyrillic && !n.ordinary(j) && !n.brand(j, false) {
			return true
		}
	}
	return false
}

// agedPair: a capitalised word after a first name, with an age after it:
// "Ernest Holloway, 70", "Вера Сапожник, 40 лет".
func (n *names) agedPair(i int) bool {
	prev := n.word(i - 1)
	if prev == nil || !spaces(n.words[i].gap) || !prev.title || prev.initial || n.class(prev) == notName {
		return false
	}
	return !n.ordinary(i) && ageAfter.MatchString(n.text[n.words[i].end:])
}

// agedSurname: a surname with an age after it, "Иванова, 34 года";
// without the comma only a surname by its ending, "Тохтаходжаева 45 лет".
func (n *names) agedSurname(i int) bool {
	w := n.word(i)
	s := n.surname(w)
	if s == notName {
		return false
	}
	after := n.text[w.end:]
	return ageAfter.MatchString(after) || (s == strongName && bareAgeAfter.MatchString(after))
}

// nameLike reports whether a neighbouring word is evidence of a name: a
// first name, a surname, a patronymic, or initials.
func (n *names) nameLike(w *word) bool {
	if w == nil || !(w.title || w.upper) {
		return false
	}
	return w.initial || n.class(w) != notName || n.surname(w) != notName || n.patronymic(w) != notName
}

// nextToName reports whether word i stands right beside name evidence:
// "Вера Иванова", "И.И. Петров", "Петров И.И.", "Mark Smith".
func (n *names) nextToName(i int) bool {
	w, prev, next := n.word(i), n.word(i-1), n.word(i+1)
	// Initials before are weighed by besideInitials.
	if prev != nil && !n.eponym(i-1) && !prev.initial && spaces(w.gap) && n.nameLike(prev) {
		return true
	}
	if next != nil && !n.eponym(i+1) {
		if next.initial && spaces(next.gap) {
			return true
		}
		if spaces(next.gap) && n.nameLike(next) && !next.initial {
			return true
		}
	}
	return false
}

// beforePatronymicWord: "Нурлан улы", "Айгерим кызы".
func (n *names) beforePatronymicWord(i int) bool {
	next := n.word(i + 1)
	return next != nil && spaces(next.gap) && dict.patronymicWords.has(next.low)
}

// afterMarker reports whether word i names the person a marker before it
// introduces: "пациентка Иванова", "Mrs Smith", "ФИО: Петров", "у больного
// Сидорова". Initials alone after a marker are the usual anonymised form
// and pass, and so does a sentence after them ("Пациентка К. Жалобы...").
func (n *names) afterMarker(i int) bool {
	w := n.word(i)
	j := i - 1
	for j >= 0 && i-j <= maxInitials && n.words[j].initial && afterInitial(n.words[j+1].gap) {
		j-- // "Mr J. Smith"
	}
	m := n.word(j)
	if m == nil {
		return false
	}
	gap := n.words[j+1].gap
	if strings.TrimFunc(gap, func(r rune) bool { return strings.ContainsRune(" \t.,:—-–\"'«»“”", r) }) != "" || strings.Contains(gap, "\n") {
		return false
	}
	if strings.Contains(gap, ".") && n.words[j+1].sentence {
		return false // "...пациентки. Результат"
	}
	label := n.label(j) && n.byLabel(j)
	if label && dict.unnamed.has(w.low) {
		return false // "ФИО: не указывается"
	}
	if dict.titles.has(m.low) && !label {
		// "Dr. Brown", "Dr. Chen", but not the brand "Dr. Jart+" (brand
		// pairs are weighed before) nor "Dr. Sea+ Mud".
		raw := n.text[w.end:]
		return (w.title || w.upper) && !strings.HasPrefix(raw, "+") && (n.evidence(i) != notName || !n.ordinary(i))
	}
	if !label && !dict.markers.has(m.low) {
		return false
	}
	if j < i-1 && !dict.honorifics.has(m.low) {
		// "Пациент Б. Доксициклин": the initial may end a sentence.
		return n.evidence(i) == strongName
	}
	if !label && dict.dative.has(m.low) {
		return n.datived(i)
	}
	if w.title || w.upper {
		if w.runes == 1 {
			return false // "Пациент N", "Patient X"
		}
		// A Latin word after a Russian marker is a name only if it looks
		// like one ("Пациентка Aigerim", not "Пациентка CeraVe").
		if !w.cyrillic && m.cyrillic && !label {
			return n.evidence(i) != notName
		}
		// An English Title Case phrase ("Patient Reported Outcome") is no
		// name, unless an honorific comes before.
		if !w.cyrillic && !label && !dict.honorifics.has(m.low) {
			if next := n.word(i + 1); next != nil && spaces(next.gap) && next.title && !next.initial {
				return n.class(w) != notName || n.surname(w) != notName
			}
		}
		return true
	}
	// Lowercase: only what is surely a name ("пациентка иванова анна" is
	// caught by the first name), or anything a label introduces.
	return label || n.class(w) != notName || n.listed(w)
}

// label reports whether word j is a label naming a person: "ФИО",
// "Фамилия", "Name" but not "Brand name".
func (n *names) label(j int) bool {
	m := n.word(j)
	if !dict.labels.has(m.low) {
		return false
	}
	if m.low != "name" && m.low != "имя" {
		return true
	}
	before := n.word(j - 1)
	return before == nil || !spaces(m.gap) || dict.labelBefore.has(before.low) || (before.possessive && dict.markers.has(before.low))
}

// byLabel: a label is followed by a colon or dash ("ФИО: ..."), or comes
// after "по" ("по фамилии ...").
func (n *names) byLabel(j int) bool {
	m := n.word(j)
	if strings.ContainsAny(n.words[j+1].gap, ":—-–") {
		return true
	}
	before := n.word(j - 1)
	return before != nil && before.low == "по" && spaces(m.gap)
}

// afterDative reports a word right after a dative marker ("Пациентке
// ...", "Больному ...").
func (n *names) afterDative(i int) bool {
	prev := n.word(i - 1)
	return prev != nil && spaces(n.words[i].gap) && dict.dative.has(prev.low)
}

// datived reports whether the word after a dative marker is a name: a
// first name not in the nominative -а/-я that a drug may share ("Ярина"),
// a listed surname, or a surname's ending other than a bare -ин that drug
// names share ("Доксициклин"); a Latin word only if it looks like a name.
func (n *names) datived(i int) bool {
	w := n.word(i)
	if c := n.class(w); c != notName && !dict.nominative[w.low] {
		return true
	}
	switch n.surname(w) {
	case strongName:
		return true
	case weakName:
		return !w.cyrillic || !matches(cyrBareIn, w.parts[len(w.parts)-1]) || n.listed(w)
	}
	return n.patronymic(w) == strongName
}

// evidence is how strongly word i itself looks like a name: a first name,
// a surname (a listed one counts as strong) or a patronymic.
func (n *names) evidence(i int) nameClass {
	w := n.word(i)
	e := max(n.class(w), n.surname(w), n.patronymic(w))
	if n.listed(w) || w.gaelic {
		e = strongName
	}
	return e
}

// loneInSentence reports a capitalised word inside a sentence among
// lowercase words, not after a place preposition: "обратилась Иванова с
// жалобами" (but not "в Саратове", nor "Комплекс Пептидов" in a Title
// Case name).
func (n *names) loneInSentence(i int) bool {
	w := n.word(i)
	if w.sentence || w.upper {
		return false
	}
	prev, next := n.word(i-1), n.word(i+1)
	if prev == nil || prev.upper || dict.places.has(prev.low) {
		return false
	}
	// A capitalised word before is a Title Case name ("Комплекс
	// Пептидов"), unless it is a verb opening the sentence ("Обратилась
	// Лебедева").
	if prev.title && !(prev.sentence && prev.cyrillic && verbLike(prev.low)) {
		return false
	}
	if next != nil && !next.sentence && (next.title || next.upper) && !next.initial {
		return false
	}
	return true
}

// brand reports a word that is part of a brand named after a person
// ("Elizabeth Arden", "Mary Kay") or a brand that is also a first name
// ("Murad Retinal"), unless a marker before (not a dative one: "Пациентке
// Christina Comodex") or an age after says a person is meant ("Пациентка
// Christina, 30 лет").
func (n *names) brand(i int, marker bool) bool {
	w := n.word(i)
	// A period may follow the first word: "Dr. Hauschka".
	if next := n.word(i + 1); next != nil && spaces(strings.TrimPrefix(next.gap, ".")) && dict.brands[w.low+" "+next.low] {
		return true
	}
	if prev := n.word(i - 1); prev != nil && spaces(strings.TrimPrefix(w.gap, ".")) && dict.brands[prev.low+" "+w.low] {
		return true
	}
	if !dict.brandNames[w.low] {
		return false
	}
	return !(marker && !n.afterDative(i)) && !ageAfter.MatchString(n.text[w.end:])
}

// saint reports a name after "St", "Saint" or "Св.": a plant, a hospital,
// a brand ("St John's wort", "St. Ives"), not a person.
func (n *names) saint(i int) bool {
	j := i - 1
	for j >= 0 && i-j <= maxInitials && n.words[j].initial {
		j--
	}
	prev := n.word(j)
	return prev != nil && prev.title && (prev.low == "st" || prev.low == "saint" || prev.low == "св" || prev.low == "святого" || prev.low == "святой")
}
