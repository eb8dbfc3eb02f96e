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
	if w.initial || (w.upper && w.runes <= 4 && n.class(w) == notName) {
		return // initials alone are the usual anonymised form ("Пациентка К."); short capitals are acronyms
	}
	capital := w.title || w.upper
	class := n.class(w)
	if !capital && class == notName && !n.afterMarker(i) {
		return // an ordinary lowercase word, most of any text
	}
	if productCode(n.text[w.end:]) || n.brand(i) {
		return // "Диане-35", "Elizabeth Arden"
	}
	switch {
	case n.afterMarker(i):
		n.flag[i] = true
	case n.eponym(i):
		return
	case class == strongName && (capital || (w.cyrillic && w.runes >= 4)):
		// A known first name, in any case for Cyrillic: "ольга" is no
		// ordinary word.
		n.flag[i] = true
	case capital && n.patronymic(w) == strongName:
		n.flag[i] = true
	case capital && n.surname(w) != notName && n.nextToName(i):
		n.flag[i] = true
	case class == weakName && capital && n.nextToName(i):
		n.flag[i] = true
	case capital && n.beforePatronymicWord(i):
		n.flag[i] = true
	case capital && n.surname(w) != notName && ageAfter.MatchString(n.text[w.end:]):
		n.flag[i] = true
	case w.title && n.surname(w) == strongName && n.loneInSentence(i):
		n.flag[i] = true
	}
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
	if prev != nil && !n.eponym(i-1) {
		if prev.initial && afterInitial(w.gap) {
			return true
		}
		if !prev.initial && spaces(w.gap) && n.nameLike(prev) {
			return true
		}
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
// and pass.
func (n *names) afterMarker(i int) bool {
	w := n.word(i)
	j := i - 1
	for j >= 0 && n.words[j].initial && afterInitial(n.words[j+1].gap) {
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
	byLabel := func() bool { // "ФИО: ...", "по фамилии ..."
		if strings.ContainsAny(gap, ":—-–") {
			return true
		}
		before := n.word(j - 1)
		return before != nil && before.low == "по" && spaces(m.gap)
	}
	label := dict.labels.has(m.low) && byLabel()
	if dict.titles.has(m.low) && !label {
		// "Dr. Brown", but not the brand "Dr. Jart+".
		return (w.title || w.upper) && (n.class(w) != notName || n.surname(w) != notName)
	}
	if !label && !dict.markers.has(m.low) {
		return false
	}
	if w.title || w.upper {
		if w.runes == 1 {
			return false // "Пациент N", "Patient X"
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
	return label || n.class(w) != notName || dict.surnames[w.low]
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
// ("Elizabeth Arden", "Mary Kay").
func (n *names) brand(i int) bool {
	w := n.word(i)
	if next := n.word(i + 1); next != nil && spaces(next.gap) && dict.brands[w.low+" "+next.low] {
		return true
	}
	prev := n.word(i - 1)
	return prev != nil && spaces(w.gap) && dict.brands[prev.low+" "+w.low]
}
