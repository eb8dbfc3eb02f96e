package anonymity

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A number run is digits with the separators people write in phone and
// document numbers: spaces, hyphens, dashes, parentheses, and a leading
// plus. Periods, commas, slashes and colons end a run, so dates, decimals,
// ratios and times stay short.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '-', '(', ')', '\u00a0', '\u2011', '\u2013', '\u2012':
		return true
	}
	return false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// numberRun is one run found in the text.
type numberRun struct {
	start, end int    // byte offsets
	digits     string // the digits alone
	plus       bool   // written with a leading +
	glued      bool   // letters right before it ("B12", "SPF50")
}

// nextRun finds the next run at or after i; ok is false when there is none.
func nextRun(text string, i int) (numberRun, bool) {
	for ; i < len(text); i++ {
		c := text[i]
		if isDigit(c) || ((c == '+' || c == '(') && i+1 < len(text) && isDigit(text[i+1])) {
			break
		}
	}
	if i >= len(text) {
		return numberRun{}, false
	}
	run := numberRun{start: i, plus: text[i] == '+'}
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		run.glued = unicode.IsLetter(r)
	}
	var digits strings.Builder
	j := i
	if text[j] == '+' || text[j] == '(' {
		j++
	}
	end := j
	for j < len(text) {
		if isDigit(text[j]) {
			digits.WriteByte(text[j])
			j++
			end = j
			continue
		}
		// Up to three separators, then a digit again.
		k, seps := j, 0
		for k < len(text) && seps < 3 {
			r, size := utf8.DecodeRuneInString(text[k:])
			if !isSeparator(r) {
				break
			}
			k += size
			seps++
		}
		if seps == 0 || k >= len(text) || !isDigit(text[k]) || strings.Contains(text[j:k], "  ") {
			break
		}
		j = k
	}
	// A closing parenthesis right after the digits belongs to the run.
	run.end = end
	run.digits = digits.String()
	return run, true
}

var (
	snilsShape = regexp.MustCompile(`^\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}$`)
	localPhone = regexp.MustCompile(`^\d{3}-\d{2}-\d{2}$|^\d{3}-\d{4}$`)
	areaCode   = regexp.MustCompile(`^\(\d{3,5}\)`)
	// 3-3-2-2 or 3-3-4 groups, as ten-digit phone numbers are written.
	phoneGroups = regexp.MustCompile(`^\d{3}[- ]\d{3}[- ]\d{2}[- ]\d{2}$|^\d{3}[- ]\d{3}[- ]\d{4}$`)
)

// findNumbers reports phone numbers and document numbers.
func findNumbers(text string, out []Finding) []Finding {
	for i := 0; ; {
		run, ok := nextRun(text, i)
		if !ok {
			return out
		}
		i = max(run.end, run.start+1)
		if kind := classify(text, run); kind != 0 {
			out = append(out, Finding{Kind: kind, Start: run.start, End: run.end})
		}
	}
}

// classify decides what a run is, if anything worth reporting.
func classify(text string, run numberRun) Kind {
	d, n := run.digits, len(run.digits)
	raw := text[run.start:run.end]
	if n < 4 {
		return 0
	}
	phoneCtx, docCtx, idCtx, lastDoc := context(text, run.start)
	switch {
	case run.glued:
		if n >= 9 {
			return Document // "ID123456789"
		}
		return 0
	case phoneCtx && n >= 5:
		return Phone
	case docCtx && (n >= 5 || idCtx || lastDoc):
		return Document // "серия 4506", "медкарта № 1234"; not "картина 2023"
	case idCtx && n >= 5:
		return Document
	case run.plus && n >= 8 && n <= 15:
		return Phone
	case snilsShape.MatchString(raw):
		return Document
	case n == 11 && (d[0] == '7' || d[0] == '8') && strings.IndexByte("3489", d[1]) >= 0:
		return Phone
	case n == 11 && d[0] == '0':
		return Phone // British: 020 7946 0958
	case n == 10 && (d[0] == '9' || areaCode.MatchString(raw) || phoneGroups.MatchString(raw)):
		return Phone
	case n == 7 && localPhone.MatchString(raw):
		return Phone
	case n >= 9:
		return Document // INN, SNILS, OMS policy, passport, NHS number...
	}
	return 0
}

// context looks at the few words before a number for what names it: a
// phone ("тел.", "WhatsApp"), a document ("паспорт", "полис ОМС",
// "медкарта"), or any number ("№", "#", "номер").
func context(text string, at int) (phone, doc, id, lastDoc bool) {
	from := at - 96
	for from > 0 && !utf8.RuneStart(text[from]) {
		from--
	}
	before := text[max(from, 0):at]
	if nl := strings.LastIndexByte(before, '\n'); nl >= 0 {
		before = before[nl+1:]
	}
	tail := strings.TrimRight(before, " \t:.-")
	if strings.HasSuffix(tail, "№") || strings.HasSuffix(tail, "#") || strings.HasSuffix(strings.ToLower(tail), "n°") {
		id = true
	}
	if strings.Contains(strings.ToLower(before), "и/б") {
		doc = true
	}
	ws := strings.FieldsFunc(strings.ToLower(before), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(ws) > 6 {
		ws = ws[len(ws)-6:] // "свидетельство о рождении II-МЮ 123456"
	}
	for _, w := range ws {
		w = strings.ReplaceAll(w, "ё", "е")
		phone = phone || dict.phoneWords.has(w)
		doc = doc || dict.documentWords.has(w)
		id = id || dict.numberWords.has(w)
	}
	// The word right before the number ("серия 4506").
	if n := len(ws); n > 0 {
		lastDoc = dict.documentWords.has(ws[n-1]) && strings.HasSuffix(strings.ToLower(tail), ws[n-1])
	}
	return phone, doc, id, lastDoc
}

// A date: 01.02.1980, 1/2/80, 1 февраля 1980, 1 Feb 1980.
var datePattern = regexp.MustCompile(`(?i)\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b|\b\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}`)

// findBirthDates reports dates after words that say they are of birth.
func findBirthDates(text string, out []Finding) []Finding {
	if !birthHint(text) {
		return out
	}
	for _, m := range datePattern.FindAllStringIndex(text, -1) {
		from := m[0] - 40
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
		before := strings.ToLower(text[max(from, 0):m[0]])
		birth := strings.Contains(before, "д.р") || strings.Contains(before, "д/р")
		ws := strings.FieldsFunc(before, func(r rune) bool { return !unicode.IsLetter(r) })
		if len(ws) > 4 {
			ws = ws[len(ws)-4:]
		}
		for _, w := range ws {
			birth = birth || dict.birthWords.has(w)
		}
		if after := strings.ToLower(text[m[1]:min(m[1]+12, len(text))]); strings.HasPrefix(strings.TrimSpace(after), "г.р") || strings.HasPrefix(strings.TrimSpace(after), "г. р") {
			birth = true
		}
		if birth {
			out = append(out, Finding{Kind: BirthDate, Start: m[0], End: m[1]})
		}
	}
	return out
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
	var out []string
	for _, h := range []string{"рожд", "родил", "род.", "д.р", "д/р", "г.р", "г. р", "dob", "born", "birth"} {
		r, size := utf8.DecodeRuneInString(h)
		out = append(out, h, string(unicode.ToUpper(r))+h[size:], strings.ToUpper(h))
	}
	return out
}()
