package search

import (
	"strings"
	"sync"
	"unicode"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// Terms returns the index terms of a text: each word reduced to its stems,
// Russian words with the Russian Snowball stemmer and others with the
// English one, so that "дерматита", "дерматитом" and "дерматите" meet, and
// "treatment" and "treatments" do. Stop words (и, в, the, of...) are
// dropped. The same stemming prepares documents and queries, which is what
// makes them meet.
func Terms(text string) []string {
	var out []string
	for _, w := range words(text) {
		out = append(out, stems(w)...)
	}
	return out
}

// stems returns a word's stem and, when stemming the stem again strips
// more, that second stem too. The Russian stemmer removes one ending, and
// a stem can itself end like a word: "дерматит" stems to "дермат" (its
// "-ит" read as a verb ending) while "дерматитом" stems to "дерматит".
// Indexing both stems, and asking for either, lets every form of the word
// find every other without stemming on to a fixed point, which would
// collapse unrelated words ("меланома" down to "мел").
func stems(w string) []string {
	cache.Lock()
	out, ok := cache.m[w]
	cache.Unlock()
	if ok {
		return out
	}
	out = stemTwice(w)
	cache.Lock()
	if len(cache.m) >= cacheSize {
		clear(cache.m)
	}
	cache.m[w] = out
	cache.Unlock()
	return out
}

// cache remembers the stems of words seen lately: the Snowball stemmers
// spend most of their time converting suffixes to runes, and a library's
// vocabulary is small next to its text. Past cacheSize words it starts
// over rather than tracking recency.
var cache = struct {
	sync.Mutex
	m map[string][]string
}{m: map[string][]string{}}

const cacheSize = 50000

func stemTwice(w string) []string {
	s1 := stem(w)
	if s1 == "" {
		return nil
	}
	if s2 := stem(s1); s2 != "" && s2 != s1 {
		return []string{s1, s2}
	}
	return []string{s1}
}

// words splits text into lowercase runs of letters and digits; "ё" is
// folded to "е" as Russian writers do inconsistently.
func words(text string) []string {
	text = strings.ToLower(text)
	text = strings.ReplaceAll(text, "ё", "е")
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func stem(w string) string {
	if cyrillic(w) {
		if russian.IsStopWord(w) {
			return ""
		}
		return russian.Stem(w, true)
	}
	if english.IsStopWord(w) {
		return ""
	}
	if latin(w) {
		return english.Stem(w, true)
	}
	// Numbers and words in other scripts are kept as they are.
	return w
}

func cyrillic(w string) bool {
	for _, r := range w {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

func latin(w string) bool {
	for _, r := range w {
		if unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}
