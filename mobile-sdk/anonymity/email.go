package anonymity

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// An address, also written "ivanova (at) mail.ru" or with a Cyrillic
	// domain.
	emailPattern = regexp.MustCompile(`(?i)[\p{L}\p{N}_%+-][\p{L}\p{N}._%+-]*(?:@|\s?[(\[](?:at|собака)[)\]]\s?)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}`)
	// A messenger or social network handle: "@ivanova_derm".
	handlePattern = regexp.MustCompile(`@[\p{L}\p{N}_][\p{L}\p{N}_.]{2,}`)
)

func findEmails(text string, out []Finding) []Finding {
	if !strings.Contains(text, "@") && !containsAny(text, "(at)", "[at]", "(AT)", "[AT]", "(собака)", "[собака]") {
		return out
	}
	for _, m := range emailPattern.FindAllStringIndex(text, -1) {
		out = append(out, Finding{Kind: Email, Start: m[0], End: m[1]})
	}
	for _, m := range handlePattern.FindAllStringIndex(text, -1) {
		if m[0] > 0 {
			// Part of an address, or of a word: not a handle.
			if r, _ := utf8.DecodeLastRuneInString(text[:m[0]]); unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' {
				continue
			}
		}
		out = append(out, Finding{Kind: Email, Start: m[0], End: m[1]})
	}
	return out
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
