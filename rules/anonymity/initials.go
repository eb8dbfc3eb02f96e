package anonymity

// Initials make a surname of whatever capitalised word stands beside them,
// of any origin: "Ким Е.В.", "Гуревич Л.М.", "Д.А. Кац", "by J. Whitfield".
// Their period may also end a sentence ("Пациентка А.Б. Фототип II"), and
// a letter may designate a vitamin or a type ("Витамин Е."), so the word's
// own evidence and what stands before the initials decide.

// maxInitials bounds how far the rules look through initials ("Дж.Р.Р."),
// so that a text of initials alone costs no more than other text.
const maxInitials = 4

// besideInitials reports whether word i is a surname by the initials
// beside it.
func (n *names) besideInitials(i int) bool {
	if n.initialsAfter(i) >= 2 && !n.ordinary(i) {
		return true // "Кравец О.Н.", "Smith J.R."
	}
	k, first := n.initialsBefore(i)
	if k == 0 {
		return false
	}
	e := n.evidence(i)
	before := n.word(first - 1)
	if before != nil && !spaces(n.words[first].gap) && !before.initial {
		before = nil // "(А.Б. ...", "— К.Л. ...": nothing introduces them
	}
	switch {
	case before != nil && (dict.markers.has(before.low) || dict.dative.has(before.low)):
		// "Пациентка А.Б." is anonymised; a surname after must say so itself.
		return e == strongName
	case e != notName:
		return !n.ordinary(i) || e == strongName
	case k >= 2:
		return !n.ordinary(i) // "Д.А. Кац"
	case before != nil && !before.title && dict.referrers.has(before.low):
		return !n.ordinary(i) // "by J. Whitfield", "у А. Кац"
	}
	return false
}

// initialsAfter counts the initials right after word i.
func (n *names) initialsAfter(i int) int {
	k := 0
	for j := i + 1; j < len(n.words) && n.words[j].initial && k < maxInitials; j++ {
		if (k == 0 && !spaces(n.words[j].gap)) || (k > 0 && !afterInitial(n.words[j].gap)) {
			break
		}
		k++
	}
	return k
}

// initialsBefore counts the initials right before word i and returns the
// index of the first.
func (n *names) initialsBefore(i int) (k, first int) {
	first = i
	for j := i - 1; j >= 0 && k < maxInitials && n.words[j].initial && afterInitial(n.words[j+1].gap); j-- {
		k, first = k+1, j
	}
	return k, first
}

// ordinary reports a capitalised word that is no surname whatever stands
// beside it: a marker, title or label, a designated noun, a verb or a
// function word opening a sentence.
func (n *names) ordinary(i int) bool {
	w := n.word(i)
	switch {
	case dict.markers.has(w.low), dict.dative.has(w.low), dict.titles.has(w.low), dict.labels.has(w.low),
		dict.lettered.has(w.low), dict.abbreviations.has(w.low), dict.places.has(w.low),
		dict.surnameShaped[w.low], dict.functionWords.has(w.low), n.eponym(i):
		return true
	case w.cyrillic && verbLike(w.low) && n.evidence(i) != strongName:
		return true
	case w.cyrillic && dict.eponymBefore.has(w.low):
		return true
	}
	return false
}
