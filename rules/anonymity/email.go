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
	// An address spelled out: "aigerim.nur собака mail.ru", "b.patel at
	// outlook dot com", "ivanova[at]mail[dot]ru". The domain must end in
	// a known top-level domain, so "applied at bedtime.Review" is none.
	spelledPattern = regexp.MustCompile(`(?i)([\p{L}\p{N}_][\p{L}\p{N}._%+-]*)` +
		`\s*(?:[(\[]\s*(?:at|собака)\s*[)\]]|\s(at|собака|собачка)\s|@)\s*` +
		`((?:[\p{L}\p{N}-]+` + dotWord + `)+)(ru|com|net|org|kz|uz|kg|tj|by|ua|info|io|me|uk|de|edu|gov|co|us|su|рф|ру|ком|кз)(?:$|[^\p{L}\p{N}])`)
	// A messenger or social network handle: "@ivanova_derm".
	handlePattern = regexp.MustCompile(`@[\p{L}\p{N}_][\p{L}\p{N}_.]{2,}`)
	// A link to a profile: "t.me/kanat_s", "vk.com/id3345123".
	profilePattern = regexp.MustCompile(`(?i)(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|vk\.com|instagram\.com|instagr\.am|facebook\.com|fb\.com|tiktok\.com|wa\.me|ok\.ru|youtube\.com|twitter\.com|x\.com|threads\.net)/@?[\p{L}\p{N}_.]{2,}`)
	// mailProviders: an address spelled with " at " needs one of these or
	// a local part no word has ("zarina1990", "b.patel"), so "available
	// at cerave.com" is none.
	mailProviders = newWordSet(`gmail mail yandex ya inbox list bk rambler outlook hotmail live yahoo icloud me proton protonmail nhs umail`)
)

// dotWord is a period written as a symbol or spelled: ".", " dot ",
// "[dot]", " точка ".
const dotWord = `\s*(?:\.|[(\[]\s*(?:dot|точка)\s*[)\]]|\s(?:dot|точка)\s)\s*`

func findEmails(text string, messenger bool, out []Finding) []Finding {
	at := strings.Contains(text, "@")
	spelled := containsAny(text, spelledMarks...)
	if at || spelled {
		for _, m := range emailPattern.FindAllStringIndex(text, -1) {
			out = append(out, Finding{Kind: Email, Start: m[0], End: m[1]})
		}
	}
	if spelled {
		out = findSpelled(text, out)
	}
	if at {
		for _, m := range handlePattern.FindAllStringIndex(text, -1) {
			if m[0] > 0 {
				// Part of an address, or of a word: not a handle.
				if r, _ := utf8.DecodeLastRuneInString(text[:m[0]]); unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' {
					continue
				}
			}
			out = append(out, Finding{Kind: Email, Start: m[0], End: m[1]})
		}
	}
	if strings.Contains(text, "/") {
		for _, m := range profilePattern.FindAllStringIndex(text, -1) {
			end := m[0] + len(strings.TrimRight(text[m[0]:m[1]], "."))
			out = append(out, Finding{Kind: Email, Start: m[0], End: end})
		}
	}
	if messenger {
		out = findHandles(text, out)
	}
	return out
}

// spelledMarks are what spells an address's @.
var spelledMarks = []string{"собак", "Собак", "СОБАК", "(at)", "[at]", "(AT)", "[AT]", " at ", " AT "}

// findSpelled reports addresses spelled out, looking only around each
// spelled @: a long English text has many "at"s and few addresses.
func findSpelled(text string, out []Finding) []Finding {
	end := 0 // where the last window ended
	for i := 0; i < len(text); {
		at, mark := -1, ""
		for _, m := range spelledMarks {
			if k := strings.Index(text[i:], m); k >= 0 && (at < 0 || i+k < at) {
				at, mark = i+k, m
			}
		}
		if at < 0 {
			return out
		}
		// The window: the word before the mark (up to 64 bytes of it) and
		// what may follow as a domain.
		from := max(at-64, end, 0)
		if k := strings.LastIndexAny(text[from:at], " \t\n,;:("); k >= 0 && at-(from+k+1) > 0 {
			from += k + 1
		}
		for from > 0 && !utf8.RuneStart(text[from]) {
			from++
		}
		to := min(at+len(mark)+96, len(text))
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		window := text[from:to]
		for _, m := range spelledPattern.FindAllStringSubmatchIndex(window, -1) {
			local, word, domain := window[m[2]:m[3]], "", window[m[6]:m[7]]
			if m[4] >= 0 {
				word = strings.ToLower(window[m[4]:m[5]])
			}
			if word == "at" && !strings.ContainsAny(local, "._0123456789") && !mailProviders.has(firstLabel(domain)) {
				continue
			}
			out = append(out, Finding{Kind: Email, Start: from + m[2], End: from + m[9]})
			end = max(end, from+m[9])
		}
		i = at + len(mark)
	}
	return out
}

// firstLabel is the first part of a domain as spelled: "outlook" of
// "outlook dot ".
func firstLabel(domain string) string {
	end := strings.IndexFunc(domain, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' })
	if end < 0 {
		end = len(domain)
	}
	return strings.ToLower(domain[:end])
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
