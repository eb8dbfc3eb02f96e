package anonymity

import (
	"regexp"
	"strings"
)

// A date is a date of birth when what stands right before it says so
// ("дата рождения", "ДР", "D.O.B.", "born on the", "родилась"), with only
// a colon, a dash, "on the" or a word for the patient in between, or when
// "г.р." follows it. A visit date elsewhere in the sentence is not: in
// "Родился в срок, осмотр 12.03.2025" other words come between.
var (
	months = `(?:январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр|янв|фев|мар|апр|авг|сен|окт|ноя|дек|` +
		`jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-zа-я]*\.?`
	datePattern = regexp.MustCompile(`(?i)\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b` + // 01.02.1980, 1/2/80
		`|\b\d{4}[./-]\d{1,2}[./-]\d{1,2}\b` + // 1980-02-01
		`|\b\d{1,2}(?:st|nd|rd|th|-?го|-?е)?\s+(?:of\s+)?` + months + `,?\s+\d{4}` + // 1 февраля 1980, 3rd of May 1979
		`|\b` + months + `\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}` + // March 14, 1982
		`|\b\d{1,2}[-/.]` + months + `[-/.]\d{2,4}\b`) // 14-Feb-1993
	// birthBefore matches the end of the text before a date of birth.
	birthBefore = regexp.MustCompile(`(?i)(?:дат[аы]\s+рожд\S*|рождени[яе]|рожд\.|родил(?:ась|ся)|д\s?[./]\s?р\.?|` +
		`\bdob|\bd\.\s?o\.\s?b\.?|date\s+of\s+birth|birth\s?date|\bborn|birthday|\bb-?day)` +
		`(?:[\s:,\-—–(]+(?:on|the|is|was|of|пациент\S*|больно\S*|ребенк\S*|ребёнк\S*|patient'?s?|child'?s?))*[\s:\-—–(]*$`)
	// birthCapitals: "ДР" in capitals ("др." is "другие").
	birthCapitals = regexp.MustCompile(`(?:^|[^\p{L}])ДР[\s:\-—–(]*$`)
	birthAfter    = regexp.MustCompile(`(?i)^\s*(?:г\.?\s?р\.?|года?\s+рождения|г\.\s+рождения)`)
)

// findBirthDates reports dates of birth.
func findBirthDates(text string, out []Finding) []Finding {
	if !birthHint(text) {
		return out
	}
	for _, m := range datePattern.FindAllStringIndex(text, -1) {
		before := text[lineStart(text, m[0], 64):m[0]]
		after := text[m[1]:min(m[1]+48, len(text))]
		if birthBefore.MatchString(before) || birthCapitals.MatchString(before) || birthAfter.MatchString(after) {
			out = append(out, Finding{Kind: BirthDate, Start: m[0], End: m[1]})
		}
	}
	return out
}

// lineStart is where the text before at begins: at most limit bytes back,
// on a character boundary, not before the line's start.
func lineStart(text string, at, limit int) int {
	from := max(at-limit, 0)
	for from > 0 && from < len(text) && (text[from]&0xC0) == 0x80 {
		from--
	}
	if nl := strings.LastIndexByte(text[from:at], '\n'); nl >= 0 {
		from += nl + 1
	}
	return from
}

// birthHint is a quick look for what findBirthDates needs, to skip most
// texts without running the date pattern.
func birthHint(text string) bool {
	for _, h := range birthHints {
		if strings.Contains(text, h) {
			return true
		}
	}
	return false
}

// birthHints are the words findBirthDates looks for, as lowercase, title
// and capitals.
var birthHints = func() []string {
	out := []string{"ДР", "Д.Р", "Д/Р", "DoB", "D.O.B", "d.o.b", "г.р", "г. р", "Г.Р"}
	for _, h := range []string{"рожд", "родил", "д.р", "д/р", "года рожд", "dob", "born", "birth", "b-day", "bday"} {
		r, size := []rune(h)[0], len(string([]rune(h)[0]))
		out = append(out, h, strings.ToUpper(string(r))+h[size:], strings.ToUpper(h))
	}
	return out
}()
