package anonymity_test

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ordinatorhq/ordinator/rules/anonymity"
)

// The figures the check must reach on the labelled corpus: the share of
// identifying lines it refuses, and the share of clean lines it refuses.
const (
	minRecall        = 0.99
	maxFalsePositive = 0.01
)

// labelled is one line of a corpus file.
type labelled struct {
	file, class, lang, text string
	line                    int
}

// identifying says whether the line holds something that identifies a
// person.
func (l labelled) identifying() bool { return l.class != "clean" }

var classes = []string{"clean", "name", "label", "birth", "phone", "email", "handle", "address", "document"}

// readCorpus reads testdata/corpus.tsv (the lines the rules were written
// against) and testdata/heldout.tsv (lines written after them).
func readCorpus(t testing.TB) []labelled {
	t.Helper()
	var out []labelled
	for _, name := range []string{"corpus.tsv", "heldout.tsv", "heldout2.tsv", "heldout3.tsv"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			cols := strings.SplitN(line, "\t", 3)
			if len(cols) != 3 || !slices.Contains(classes, cols[0]) || (cols[1] != "ru" && cols[1] != "en") || strings.TrimSpace(cols[2]) == "" {
				t.Fatalf("%s:%d: want class TAB ru|en TAB text, got %q", name, n, line)
			}
			out = append(out, labelled{file: name, class: cols[0], lang: cols[1], text: cols[2], line: n})
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// tally counts lines and the ones the check refused.
type tally struct{ lines, refused int }

func (c tally) share() float64 {
	if c.lines == 0 {
		return 0
	}
	return float64(c.refused) / float64(c.lines)
}

func (c tally) String() string {
	return fmt.Sprintf("%d/%d (%.1f%%)", c.refused, c.lines, 100*c.share())
}

// TestCorpus runs the check on every labelled line and reports recall (the
// identifying lines refused) and the false-positive rate (the clean lines
// refused), per file, class and language; it fails below the figures the
// check promises and lists the lines it got wrong.
func TestCorpus(t *testing.T) {
	lines := readCorpus(t)
	by := map[string]*tally{}
	count := func(key string, refused bool) {
		c := by[key]
		if c == nil {
			c = &tally{}
			by[key] = c
		}
		c.lines++
		if refused {
			c.refused++
		}
	}
	var wrong []string
	for _, l := range lines {
		refused := len(anonymity.Find(l.text)) > 0
		side := "identifying"
		if !l.identifying() {
			side = "clean"
		}
		for _, key := range []string{side, side + " " + l.lang, l.file + " " + side, "class " + l.class, "class " + l.class + " " + l.lang} {
			count(key, refused)
		}
		if refused != l.identifying() {
			wrong = append(wrong, fmt.Sprintf("%s:%d %s/%s %s: %s", l.file, l.line, l.class, l.lang, verdict(refused), l.text))
		}
	}
	recall, fp := by["identifying"], by["clean"]
	t.Logf("anonymity corpus: %d lines; recall %s, false positives %s", len(lines), recall, fp)
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(a, b) })
	for _, k := range keys {
		t.Logf("  %-28s %s refused", k, by[k])
	}
	if recall.share() < minRecall || fp.share() > maxFalsePositive {
		t.Errorf("recall %.1f%% (want ≥ %.0f%%), false positives %.1f%% (want ≤ %.0f%%); misjudged lines:\n%s",
			100*recall.share(), 100*minRecall, 100*fp.share(), 100*maxFalsePositive, strings.Join(wrong, "\n"))
	} else if len(wrong) > 0 {
		t.Logf("misjudged lines, within the limits:\n%s", strings.Join(wrong, "\n"))
	}
}

func verdict(refused bool) string {
	if refused {
		return "refused"
	}
	return "passed"
}

// TestCorpusExplainRepeatsNothing: the refusal of every labelled line
// names what it found and where, and repeats none of it: no finding, and
// no word of one of four letters or more, appears in the explanation
// (beyond the words the explanation is made of; the explanation shows a
// finding's first character by design).
func TestCorpusExplainRepeatsNothing(t *testing.T) {
	own := map[string]bool{}
	for _, w := range strings.FieldsFunc(anonymity.Explain("Пациентка Иванова, тел. +7 916 123-45-67, ivanova@mail.ru, ул. Абая, д. 1, кв. 2, ДР 01.02.1980, ИИН 870412400123"), notWordRune) {
		own[w] = true
	}
	for _, l := range readCorpus(t) {
		explained := anonymity.Explain(l.text)
		for _, f := range anonymity.Find(l.text) {
			found := l.text[f.Start:f.End]
			if utf8.RuneCountInString(found) > 1 && strings.Contains(explained, found) {
				t.Errorf("%s:%d: the explanation repeats %q: %s", l.file, l.line, found, explained)
			}
			for _, w := range strings.FieldsFunc(found, notWordRune) {
				if own[w] || utf8.RuneCountInString(w) < 4 {
					continue
				}
				if strings.Contains(explained, w) {
					t.Errorf("%s:%d: the explanation repeats %q of %q: %s", l.file, l.line, w, found, explained)
				}
			}
		}
	}
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
