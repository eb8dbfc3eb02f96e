package anonymity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// word is a run of letters in the text (with inner hyphens and
// apostrophes), and what the name rules need to know about it.
type word struct {
	start, end int // byte offsets
	low        string
	parts      []string // low split at hyphens
	runes      int
	cyrillic   bool // mostly Cyrillic letters
	title      bool // starts with a capital letter
	upper      bool // every letter a capital, more than one letter
	possessive bool // ended in 's, stripped from low
	initial    bool // one capital letter (or "Дж") with a period right after
	// label: "Ф.И.О." (or "Ф. И. О.") read as the one word "фио".
	label bool
	// gaelic: an Irish or Scottish surname by its prefix: "O'Connor",
	// "McDonald", "MacLeod".
	gaelic bool
	// gap is the text between the previous word and this one.
	gap string
	// sentence says the word starts a sentence (or the text, a line, or
	// comes after a colon).
	sentence bool
}

// Lookalike Latin letters in a mostly Cyrillic word ("Ивaнoва" typed with
// a Latin a and o).
var lookalikes = map[rune]rune{
	'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'x': 'х', 'y': 'у', 'k': 'к', 'm': 'м', 't': 'т', 'h': 'н', 'b': 'в',
	'i': 'и', // a Latin i for the Kazakh і: "Серiкұлы"
}

// isLetter is unicode.IsLetter with a quick answer for ASCII and the
// Russian alphabet, which is most of what it sees.
func isLetter(r rune) bool {
	switch {
	case r < 0x80:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	case 0x410 <= r && r <= 0x44f || r == 0x401 || r == 0x451:
		return true
	}
	return unicode.IsLetter(r)
}

func isCyrillic(r rune) bool {
	if r < 0x400 {
		return false
	}
	return r <= 0x4ff || unicode.Is(unicode.Cyrillic, r)
}

// isJoiner reports runes that may join two parts of one word: hyphens,
// dashes written without spaces, apostrophes.
func isJoiner(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2013', '\'', '\u2019':
		return true
	}
	return false
}

// invisible reports runes that may hide inside a word without showing:
// soft hyphens, zero-width spaces and joiners, combining marks.
func invisible(r rune) bool {
	if r < 0x300 {
		return r == '\u00ad'
	}
	if r >= 0x400 && r < 0x483 || r > 0x489 && r <= 0x4ff {
		return false // Cyrillic letters
	}
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r)
}

// numbered are words that a Roman numeral follows: "Фототип I", "Stage II".
var numbered = newPrefixSet("тип фототип стади степен групп класс форм фаз type phototype stage grade class group phase")

// splitWords finds the words of text.
func splitWords(text string) []word {
	var out []word
	prevEnd := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isLetter(r) {
			i += size
			continue
		}
		start := i
		end := i
		for j := i; j < len(text); {
			r, size := utf8.DecodeRuneInString(text[j:])
			switch {
			case isLetter(r) || invisible(r):
				j += size
				end = j
				continue
			case isJoiner(r):
				if next, _ := utf8.DecodeRuneInString(text[j+size:]); isLetter(next) {
					j += size
					continue
				}
			}
			break
		}
		w := newWord(text, start, end)
		w.gap = text[prevEnd:start]
		out = append(out, w)
		prevEnd, i = end, end
	}
	// Latin I, V and X with a period are Roman numerals ("фототип II",
	// "тип I."), unless they stand among initials or after a name.
	for k := range out {
		w := &out[k]
		if !w.initial || (w.low != "i" && w.low != "v" && w.low != "x") {
			continue
		}
		prevName := k > 0 && ((out[k-1].initial && afterInitial(w.gap)) ||
			(out[k-1].title && !out[k-1].initial && spaces(w.gap) && !numbered.has(out[k-1].low)))
		nextInitial := k+1 < len(out) && out[k+1].initial && afterInitial(out[k+1].gap)
		w.initial = prevName || nextInitial
	}
	// A letter after "витамин", "Hepatitis", "группа" designates, it is no
	// initial: "Витамин Е. Рекомендовано".
	for k := 1; k < len(out); k++ {
		if w := &out[k]; w.initial && w.runes == 1 && spaces(w.gap) && dict.lettered.has(out[k-1].low) {
			w.initial = false
		}
	}
	out = mergeLabels(text, out)
	for k := range out {
		out[k].sentence = k == 0 || startsSentence(&out[k-1], out[k].gap)
	}
	return out
}

// mergeLabels reads "Ф.И.О.", "Ф. И. О." and "ф.и.о." as the one word
// "фио", so its letters are not taken for a person's initials.
func mergeLabels(text string, ws []word) []word {
	out := ws[:0]
	for k := 0; k < len(ws); k++ {
		if k+2 < len(ws) {
			a, b, c := ws[k], ws[k+1], ws[k+2]
			if a.low == "ф" && b.low == "и" && c.low == "о" && a.title && afterInitial(b.gap) && afterInitial(c.gap) {
				a.end, a.low, a.parts, a.runes = c.end, "фио", []string{"фио"}, 3
				a.initial, a.upper, a.label = false, true, true
				if c.end < len(text) && text[c.end] == '.' {
					a.end++
				}
				out = append(out, a)
				k += 2
				if k+1 < len(ws) {
					ws[k+1].gap = text[a.end:ws[k+1].start]
				}
				continue
			}
		}
		out = append(out, ws[k])
	}
	return out
}

func newWord(text string, start, end int) word {
	raw := text[start:end]
	w := word{start: start, end: end}
	rs := make([]rune, 0, len(raw))
	letters, cyr, caps := 0, 0, 0
	var first rune = -1
	for _, r := range raw {
		n := len(rs)
		switch {
		case r == '\u0306' && n > 0 && (rs[n-1] == 'и' || rs[n-1] == 'И'):
			rs[n-1]++ // и with a combining breve is й
			continue
		case invisible(r):
			continue // soft hyphens, zero-width spaces, other marks (ё's diaeresis)
		case r == '\u2010' || r == '\u2011' || r == '\u2013':
			r = '-'
		case r == '\u2019' || r == '\u02bc':
			r = '\''
		}
		if isLetter(r) {
			letters++
			if first < 0 {
				first = r
			}
			if isCyrillic(r) {
				cyr++
			}
			if unicode.IsUpper(r) {
				caps++
			}
		}
		rs = append(rs, unicode.ToLower(r))
	}
	w.cyrillic = cyr*2 > letters
	var b strings.Builder
	b.Grow(len(raw))
	for _, r := range rs {
		switch {
		case r == 'ё':
			r = 'е'
		case r < 0x80 && w.cyrillic:
			if c, ok := lookalikes[r]; ok {
				r = c
			}
		case r > 0x451 && r < 0x500:
			if f, ok := centralAsian[r]; ok {
				b.WriteString(f) // "Серікұлы" is looked up as "серикулы"
				continue
			}
		}
		b.WriteRune(r)
	}
	low := b.String()
	if l, ok := strings.CutSuffix(low, "'s"); ok && l != "" {
		low, w.possessive = l, true
	}
	w.low = strings.Trim(low, "'-")
	if strings.Contains(w.low, "-") {
		w.parts = strings.Split(w.low, "-")
	} else {
		w.parts = []string{w.low}
	}
	w.runes = utf8.RuneCountInString(w.low)
	for _, p := range []string{"O'", "O\u2019", "Mc", "Mac"} {
		if rest, ok := strings.CutPrefix(raw, p); ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z' {
			w.gaelic = true
		}
	}
	w.title = first >= 0 && unicode.IsUpper(first)
	w.upper = letters > 1 && caps == letters
	if w.title && end < len(text) && text[end] == '.' && (letters == 1 || w.low == "дж") {
		w.initial = true
	}
	return w
}

// startsSentence reports whether a word after prev and gap begins a
// sentence: after a line break, a colon or semicolon, or a period that
// does not follow an initial or a known abbreviation.
func startsSentence(prev *word, gap string) bool {
	if strings.ContainsAny(gap, "\n!?…:;") {
		return true
	}
	if !strings.Contains(gap, ".") {
		return false
	}
	dot := strings.IndexByte(gap, '.')
	if dot == 0 && (prev.initial || dict.abbreviations.has(prev.low) || (prev.runes == 1 && !prev.title)) {
		return strings.Count(gap, ".") > 1
	}
	return true
}

// spaces reports whether a gap is only white space (a word right next to
// another).
func spaces(gap string) bool {
	return gap != "" && strings.TrimSpace(gap) == ""
}

// afterInitial reports whether a gap follows an initial directly: its
// period and spaces.
func afterInitial(gap string) bool {
	rest, ok := strings.CutPrefix(gap, ".")
	return ok && strings.TrimSpace(rest) == ""
}
