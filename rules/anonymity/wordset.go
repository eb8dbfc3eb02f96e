package anonymity

import (
	"strings"
	"unicode/utf8"
)

func fields(s string) []string { return strings.Fields(s) }

// wordSet is a set of words, some of which ("пациент*") match as prefixes.
type wordSet struct {
	exact    map[string]bool
	prefixes prefixSet
}

func newWordSet(lists ...string) wordSet {
	s := wordSet{exact: map[string]bool{}, prefixes: prefixSet{stems: map[string]bool{}}}
	for _, l := range lists {
		for _, w := range fields(l) {
			if p, ok := strings.CutSuffix(w, "*"); ok {
				s.prefixes.add(fold(p))
				continue
			}
			s.exact[fold(w)] = true
		}
	}
	return s
}

func (s wordSet) has(w string) bool { return s.exact[w] || s.prefixes.has(w) }

// hasBytes is has for a word in a buffer, without copying it.
func (s wordSet) hasBytes(w []byte) bool {
	if s.exact[string(w)] {
		return true
	}
	p := s.prefixes
	for i := p.min; i <= p.max && i <= len(w) && len(p.stems) > 0; i++ {
		if (i == len(w) || utf8.RuneStart(w[i])) && p.stems[string(w[:i])] {
			return true
		}
	}
	return false
}

// prefixSet matches words starting with any of its stems.
type prefixSet struct {
	stems    map[string]bool
	min, max int // bytes
}

func newPrefixSet(list string) prefixSet {
	s := prefixSet{stems: map[string]bool{}}
	for _, w := range fields(list) {
		s.add(fold(w))
	}
	return s
}

func (s *prefixSet) add(stem string) {
	s.stems[stem] = true
	if s.min == 0 || len(stem) < s.min {
		s.min = len(stem)
	}
	s.max = max(s.max, len(stem))
}

// has looks up every prefix of w within the stems' lengths.
func (s prefixSet) has(w string) bool {
	if len(s.stems) == 0 {
		return false
	}
	for i := s.min; i <= s.max && i <= len(w); i++ {
		if (i == len(w) || utf8.RuneStart(w[i])) && s.stems[w[:i]] {
			return true
		}
	}
	return false
}

// fold lowercases a list entry the way words are lowercased.
func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ё", "е")
}
