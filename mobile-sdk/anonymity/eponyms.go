package anonymity

import (
	"strings"
	"unicode/utf8"
)

// eponym reports whether word i is a medical eponym by its context:
// after "симптом", "лампа", "по"...; before "syndrome", "'s sign"...;
// after "nevus of"; or in a chain of them ("Вильсона - Коновалова").
func (n *names) eponym(i int) bool {
	w := n.word(i)
	for _, p := range w.parts {
		if utf8.RuneCountInString(p) >= 5 && dict.eponyms.has(p) {
			return true
		}
	}
	if n.chainStart[i] || n.chainEnd[i] {
		return true
	}
	prev := n.word(i - 1)
	if prev != nil && prev.low == "of" && !w.sentence && !strings.ContainsAny(w.gap, ".,;") {
		if pp := n.word(i - 2); pp != nil && dict.eponymAfter[pp.low] {
			return true // "nevus of Ota"
		}
	}
	return false
}

// chains marks the dash-joined chains of capitalised words that make
// eponyms, one pass each way.
func (n *names) chains() {
	n.chainStart = make([]bool, len(n.words))
	n.chainEnd = make([]bool, len(n.words))
	for i := 1; i < len(n.words); i++ {
		w, prev := &n.words[i], &n.words[i-1]
		if w.sentence || strings.ContainsAny(w.gap, ".,;") {
			continue
		}
		if prev.cyrillic && !prev.title && (dict.eponymBefore.has(prev.low) || prev.low == "по") {
			n.chainStart[i] = true
		} else if (prev.title || prev.upper) && strings.ContainsAny(w.gap, "-—–") && n.chainStart[i-1] {
			n.chainStart[i] = true
		}
	}
	for i := len(n.words) - 2; i >= 0; i-- {
		w, next := &n.words[i], &n.words[i+1]
		if strings.ContainsAny(next.gap, ".,;:\n") {
			continue
		}
		if dict.eponymAfter[next.low] && (!w.cyrillic || w.possessive) {
			n.chainEnd[i] = true
		} else if (next.title || next.upper) && strings.ContainsAny(next.gap, "-—–") && n.chainEnd[i+1] {
			n.chainEnd[i] = true
		}
	}
}
