package console

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// segment is a run of a compared value: kept, inserted or deleted.
type segment struct {
	Text string
	Op   int // 0 kept, 1 inserted, -1 deleted
}

// Ins and Del tell a template how to show the segment.
func (s segment) Ins() bool { return s.Op > 0 }
func (s segment) Del() bool { return s.Op < 0 }

// maxDiffCells bounds the comparison table; longer values are shown as
// wholly replaced.
const maxDiffCells = 400_000

// diffValues compares two field values (a field may hold several, shown
// one a line) word by word and returns the segments that turn from into
// to. When both are a single word (a phone number, a postal code) it marks
// the changed middle between the common start and end, which reads better
// for digits than a character-by-character match.
func diffValues(from, to []string) []segment {
	a, b := strings.Join(from, "\n"), strings.Join(to, "\n")
	if a == b {
		if a == "" {
			return nil
		}
		return []segment{{Text: a}}
	}
	ta, tb := words(a), words(b)
	if wordCount(ta) <= 1 && wordCount(tb) <= 1 {
		return middle(a, b)
	}
	if a == "" {
		ta = nil
	}
	if b == "" {
		tb = nil
	}
	return merge(lcsDiff(ta, tb))
}

// middle marks what lies between the longest common start and end of two
// texts (whole UTF-8 sequences) as replaced.
func middle(a, b string) []segment {
	ra, rb := strings.Split(a, ""), strings.Split(b, "")
	p := 0
	for p < len(ra) && p < len(rb) && ra[p] == rb[p] {
		p++
	}
	s := 0
	for s < len(ra)-p && s < len(rb)-p && ra[len(ra)-1-s] == rb[len(rb)-1-s] {
		s++
	}
	segs := []segment{
		{Text: strings.Join(ra[:p], "")},
		{Text: strings.Join(ra[p:len(ra)-s], ""), Op: -1},
		{Text: strings.Join(rb[p:len(rb)-s], ""), Op: 1},
		{Text: strings.Join(ra[len(ra)-s:], "")},
	}
	var out []segment
	for _, seg := range segs {
		if seg.Text != "" {
			out = append(out, seg)
		}
	}
	return out
}

// words splits text into runs of letters and digits and single other
// characters (spaces, punctuation), so that joining them gives it back.
func words(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
		case !word:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, s[i:i+size])
		}
		i += size
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// wordCount counts the tokens that are words: those starting with a
// letter or a digit.
func wordCount(tokens []string) int {
	n := 0
	for _, t := range tokens {
		if r, _ := utf8.DecodeRuneInString(t); unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// lcsDiff is the classic longest-common-subsequence diff of two token
// lists.
func lcsDiff(a, b []string) []segment {
	if len(a)*len(b) > maxDiffCells {
		return []segment{{Text: strings.Join(a, ""), Op: -1}, {Text: strings.Join(b, ""), Op: 1}}
	}
	// l[i][j] is the LCS length of a[i:] and b[j:].
	l := make([][]int, len(a)+1)
	for i := range l {
		l[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out []segment
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, segment{Text: a[i]})
			i, j = i+1, j+1
		case l[i+1][j] >= l[i][j+1]:
			out = append(out, segment{Text: a[i], Op: -1})
			i++
		default:
			out = append(out, segment{Text: b[j], Op: 1})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, segment{Text: a[i], Op: -1})
	}
	for ; j < len(b); j++ {
		out = append(out, segment{Text: b[j], Op: 1})
	}
	return out
}

// merge joins neighbouring segments of the same kind.
func merge(segs []segment) []segment {
	var out []segment
	for _, s := range segs {
		if n := len(out); n > 0 && out[n-1].Op == s.Op {
			out[n-1].Text += s.Text
			continue
		}
		out = append(out, s)
	}
	return out
}
