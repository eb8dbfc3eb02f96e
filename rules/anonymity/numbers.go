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
// ratios and times stay short; phone numbers written with periods are
// read separately (see dotted).
func isSeparator(r rune) bool {
	switch r {
	case ' ', '-', '(', ')', '\u00a0', '\u2009', '\u202f', '\u2011', '\u2013', '\u2012':
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
	run.end = end
	run.digits = digits.String()
	return run, true
}

var (
	snilsShape = regexp.MustCompile(`^\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}$`)
	localPhone = regexp.MustCompile(`^\d{3}[- ]\d{2}[- ]\d{2}$|^\d{3}-\d{4}$`)
	areaCode   = regexp.MustCompile(`^\(\d{3,5}\)`)
	// 3-3-2-2 or 3-3-4 groups, as ten-digit phone numbers are written.
	phoneGroups = regexp.MustCompile(`^\d{3}[- ]\d{3}[- ]\d{2}[- ]\d{2}$|^\d{3}[- ]\d{3}[- ]\d{4}$`)
	// A passport number of Central Asian form: "AA1234567", "N12345678".
	passportShape = regexp.MustCompile(`^[A-Z]{1,2}$`)
	// A passport's number after its series: "серия 4509 № 123456".
	passportNumber = regexp.MustCompile(`^\s*(?:№|номер|N)\s*\d{6}\b`)
)

// findNumbers reports phone numbers and document numbers.
func findNumbers(text string, out []Finding) []Finding {
	chain := 0 // where the last chain of period-separated groups ended
	for i := 0; ; {
		run, ok := nextRun(text, i)
		if !ok {
			return out
		}
		i = max(run.end, run.start+1)
		if run.start >= chain {
			end, phone := dotted(text, run.start)
			chain = end
			if phone {
				out = append(out, Finding{Kind: Phone, Start: run.start, End: end})
				i = end
				continue
			}
		}
		if kind := classify(text, run); kind != 0 {
			start := run.start
			if l := gluedLetters(text, run.start); kind == Document && passportShape.MatchString(l) {
				start -= len(l) // "AA1234567" is one number
			}
			out = append(out, Finding{Kind: kind, Start: start, End: run.end})
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
	c := context(text, run.start)
	switch {
	case c.phone && n >= 5:
		return Phone
	case c.batch && !c.identity:
		if passportNumber.MatchString(text[run.end:]) {
			return Document // "серия 4509 № 123456"
		}
		return 0 // "серия 230415", "LOT 2209"
	case run.glued:
		if n >= 9 || (c.doc && n >= 6) || (n >= 7 && len(raw) == n && passportShape.MatchString(gluedLetters(text, run.start))) {
			return Document // "ID123456789", "паспорт AA1234567", "N12345678"
		}
		return 0
	case c.doc && (n >= 5 || c.id || c.lastDoc):
		return Document // "серия 4506", "медкарта № 1234"; not "картина 2023"
	case c.id && n >= 5:
		return Document
	case quantity(text[run.end:]):
		return 0 // "10 000 000 000 КОЕ", "50-100-150 мг"
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

// gluedLetters returns the letters right before a glued run: "AA" of
// "AA1234567", if they start a token.
func gluedLetters(text string, at int) string {
	from := at
	for from > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:from])
		if !unicode.IsLetter(r) {
			break
		}
		from -= size
	}
	return text[from:at]
}

// quantity reports a unit or a counted noun right after a number.
func quantity(after string) bool {
	after = strings.TrimLeft(after, " \u00a0\u2009\u202f")
	if after == "" {
		return false
	}
	if strings.ContainsRune("%‰×x*/^₽$€", rune(after[0])) {
		return true
	}
	end := strings.IndexFunc(after, func(r rune) bool { return !unicode.IsLetter(r) && r != 'µ' })
	if end < 0 {
		end = len(after)
	}
	return end > 0 && dict.units.has(strings.ToLower(after[:end]))
}

// numberContext is what the few words before a number say it is.
type numberContext struct {
	phone, doc, id, lastDoc bool
	// batch: a product's series or lot; identity: an identity document,
	// whose series a batch word may also name ("паспорт серия 4506").
	batch, identity bool
}

// context looks at the few words before a number for what names it: a
// phone ("тел.", "WhatsApp"), a document ("паспорт", "полис ОМС",
// "медкарта"), a batch ("серия", "LOT"), or any number ("№", "#", "номер").
func context(text string, at int) numberContext {
	var c numberContext
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
		c.id = true
	}
	if strings.Contains(strings.ToLower(before), "и/б") {
		c.doc = true
	}
	ws := strings.FieldsFunc(strings.ToLower(before), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(ws) > 6 {
		ws = ws[len(ws)-6:] // "свидетельство о рождении II-МЮ 123456"
	}
	for k, w := range ws {
		w = strings.ReplaceAll(w, "ё", "е")
		c.phone = c.phone || dict.phoneWords.has(w)
		c.doc = c.doc || dict.documentWords.has(w)
		c.id = c.id || dict.numberWords.has(w)
		c.identity = c.identity || dict.identityWords.has(w)
		// A batch word among the last two: "серия 230415", "серия: 2034987".
		c.batch = c.batch || (k >= len(ws)-2 && dict.batchWords.has(w))
	}
	// The word right before the number ("серия 4506").
	if n := len(ws); n > 0 {
		c.lastDoc = dict.documentWords.has(ws[n-1]) && strings.HasSuffix(strings.ToLower(tail), ws[n-1])
	}
	return c
}

// dotted reads a phone number written with periods at a run's start:
// "8.701.123.45.67", "+7.777.555.12.34", "250.12.34". Dates ("12.03.2025",
// "2025.03.12"), decimals, versions and thousands ("1.000.000 КОЕ") are
// not phones. end is where the period-separated groups end, phone or not,
// so that no group inside them is read again.
func dotted(text string, start int) (end int, ok bool) {
	i := start
	if text[i] == '+' {
		i++
	}
	var groups []int
	for {
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		if j == i {
			break
		}
		groups = append(groups, j-i)
		end = j
		if j+1 < len(text) && text[j] == '.' && isDigit(text[j+1]) {
			i = j + 1
			continue
		}
		break
	}
	if len(groups) < 3 || (end < len(text) && (isDigit(text[end]) || text[end] == ',' && end+1 < len(text) && isDigit(text[end+1]))) {
		return end, false
	}
	digits := 0
	for _, g := range groups {
		digits += g
	}
	thousands := groups[0] <= 3
	for _, g := range groups[1:] {
		thousands = thousands && g == 3
	}
	g := groups
	switch {
	case len(g) == 3 && g[0] <= 2 && g[1] <= 2 && (g[2] == 2 || g[2] == 4):
		return end, false // 12.03.2025
	case len(g) == 3 && g[0] == 4 && g[1] <= 2 && g[2] <= 2:
		return end, false // 2025.03.12
	case thousands && quantity(text[end:]):
		return end, false // 1.000.000 КОЕ
	case digits >= 9 && digits <= 15:
		return end, true
	case digits == 7 && len(g) == 3 && g[0] == 3 && g[1] == 2 && g[2] == 2:
		return end, true // 250.12.34
	}
	return end, false
}
