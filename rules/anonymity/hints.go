package anonymity

import (
	"unicode"
	"unicode/utf8"
)

// hints are what one pass over the words of a text finds for the finders
// whose patterns are costly, so that most texts skip them: where the
// words that may start an address are, and whether a messenger is named.
type hints struct {
	// address holds the byte offsets of the words that may be part of a
	// postal address ("ул", "кв", "Street", "адрес").
	address []int
	// messenger: a word for a messenger or an account ("телеграм", "ник").
	messenger bool
}

func findHints(text string) hints {
	var h hints
	var buf [48]byte
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isLetter(r) {
			i += size
			continue
		}
		// The word, lowercase, Central Asian letters folded ("көшесі" is
		// "кошеси"); longer words than the buffer are none of these.
		start, w, fits := i, buf[:0], true
		for ; i < len(text); i += size {
			r, size = utf8.DecodeRuneInString(text[i:])
			if !isLetter(r) {
				break
			}
			r = unicode.ToLower(r)
			if r == 'ё' {
				r = 'е'
			} else if r > 0x451 && r < 0x500 {
				if f, ok := centralAsian[r]; ok {
					r, _ = utf8.DecodeRuneInString(f)
				}
			}
			if fits = fits && len(w)+utf8.RuneLen(r) <= len(buf); fits {
				w = utf8.AppendRune(w, r)
			}
		}
		if !fits {
			continue
		}
		if dict.addressWords.hasBytes(w) {
			h.address = append(h.address, start)
		}
		h.messenger = h.messenger || dict.messengerWords.hasBytes(w)
	}
	return h
}
