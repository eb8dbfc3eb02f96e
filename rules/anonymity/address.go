package anonymity

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A postal address is found by its parts: a street word with a name after
// it ("ул. Абая", "проспекте Мира", "мкр. Джал-29"), a house number with
// a street name before its street word ("12 Baker Street", "Amir Temur
// ko'chasi 108"), a flat with its number ("кв. 12", "flat 3"), or a label
// ("Адрес:", "проживает по адресу"). A city alone identifies no one and
// passes ("проживает в Алматы"), and so do a flat or a house with a count
// after them ("в квартире 2 кошки") and sizes ("flat 2 mm papules").
var (
	// street words before the street's name.
	streetBefore = regexp.MustCompile(`(?:^|[^\p{L}])(?:(?i:ул\.|улиц[аеыу]|пр\.|пр-т|просп\.|проспект[аеу]?|пер\.|переул(?:ок|ке)|б-р|бульвар[аеу]?|` +
		`наб\.|набережн(?:ая|ой)|шоссе|пл\.|мкр\.?|мкрн\.?|микрорайон[аеу]?|кв-л|туп\.|тупик[аеу]?|проезд[аеу]?|ж/м|жилмассив[аеу]?)|ш\.)` + // "ш." lowercase only: "Ш." is an initial
		`\s*(?:\d{1,3}\s+)?\p{Lu}[\p{L}'’-]*(?:[\s-]+(?:\p{Lu}[\p{L}'’-]*|\d{1,3}))?`)
	// street words after the street's name, with a house number before
	// ("12 Baker Street") or after ("Abay Ave 150"), or a Central Asian one
	// ("Amir Temur ko'chasi", "Абай даңғылы").
	streetAfter = regexp.MustCompile(`\b\d{1,5}[A-Za-z]?\s+(?:\p{Lu}[\p{L}'-]*\s+){1,3}(?:Street|St|Str|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Court|Ct|Square|Sq|Place|Way|Terrace|Crescent|Highway)\b\.?` +
		`|\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*)?\s+(?:Street|Avenue|Road|Ave|St|Str)\.?\s*,?\s*\d{1,5}\b` +
		`|\p{Lu}[\p{L}'’ʻ-]*(?:\s+\p{Lu}[\p{L}'’ʻ-]*)?\s+(?i:ko['’ʻ]?chasi|кўчаси|кучаси|көшесі|кошеси|даңғылы|дангылы|prospekti|проспекти|mavzesi|мавзеси|shoh\s+ko['’ʻ]?chasi)`)
	// A flat, room or house with its number, and what ends it: the end, a
	// punctuation mark or another part of the address, not a word or unit.
	flatPattern  = regexp.MustCompile(`(?:^|[^\p{L}])((?i:кв\.|квартир[аеы]|кв-ра|комн\.|комнат[аы]|flat|apt\.?|apartment)\s*№?\s*\d{1,4}[\p{L}]?(?:/\d{1,4})?)\s*(?:$|[,.;)]|(?i:кв|корп|стр|под|эт|floor))`)
	housePattern = regexp.MustCompile(`(?:^|[^\p{L}])((?i:д\.|дом|корп\.|корпус|стр\.|house)\s*№?\s*\d{1,4}[\p{L}]?(?:/\d{1,4})?)\s*(?:$|[,.;)]|(?i:кв|корп|стр|flat|apt))`)
	// addressLabel: "Адрес:", "Address -", "проживает по адресу", "Home
	// address 221B", "lives at 12".
	addressLabel = regexp.MustCompile(`(?i:адрес|address)(?:\s+(?:проживания|регистрации|прописки))?\s*[:—–-]\s*[\p{Lu}\d]` +
		`|(?i:по\s+адресу)\s*:?\s*[\p{L}\d]` +
		`|(?i:home\s+address|lives\s+at|living\s+at|resides\s+at)\s*:?\s*\d` +
		`|(?i:проживает|прописан[аы]?)\s*:\s*\S`)
)

// addressWords are the words findAddresses needs one of (lowercase, as
// letter runs: "пр-т" is "пр", "ko'chasi" is "ko" and "chasi").
const addressWords = `
ул улиц* пр просп* проспект* пер переул* б бульвар* наб набережн* шоссе ш пл мкр мкрн микрорайон* кв туп тупик*
проезд* ж жилмассив* квартир* комн комнат* адрес* проживает прописан* кучаси кошеси дангылы проспекти мавзеси
street st str road rd avenue ave boulevard blvd lane ln drive court ct square sq place way terrace crescent
highway chasi kochasi prospekti mavzesi flat apt apartment address lives living resides
`

// findAddresses runs the address patterns around the words that may
// start an address (see hints), each window once.
func findAddresses(text string, at []int, out []Finding) []Finding {
	for k := 0; k < len(at); {
		from := at[k]
		// Back to the start of the line or to three words before: a street
		// name may come before its street word ("12 Baker Street").
		for n := 0; from > 0 && text[from-1] != '\n' && n < 4; {
			from--
			if text[from] == ' ' {
				n++
			}
		}
		to := at[k]
		for k < len(at) && at[k] <= to+96 {
			to = at[k]
			k++
		}
		to = min(to+96, len(text))
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		for _, f := range findAddressesIn(text[from:to]) {
			f.Start, f.End = f.Start+from, f.End+from
			out = append(out, f)
		}
	}
	return out
}

// findAddressesIn runs the address patterns on one window of text.
func findAddressesIn(text string) []Finding {
	var found []Finding
	add := func(start, end int) {
		found = append(found, Finding{Kind: Address, Start: start, End: end})
	}
	for _, m := range streetBefore.FindAllStringIndex(text, -1) {
		start := m[0]
		for start < m[1] && !isLetter(rune(text[start])) && text[start] < 0x80 {
			start++ // the character before the street word
		}
		add(start, m[1])
	}
	for _, m := range streetAfter.FindAllStringIndex(text, -1) {
		add(m[0], m[1])
	}
	for _, m := range flatPattern.FindAllStringSubmatchIndex(text, -1) {
		add(m[2], m[3])
	}
	for _, m := range addressLabel.FindAllStringIndex(text, -1) {
		add(m[0], clauseEnd(text, m[1]))
	}
	// A house number is an address only with another part beside it: "д.
	// 5" alone may be a day of a course.
	if len(found) > 0 {
		for _, m := range housePattern.FindAllStringSubmatchIndex(text, -1) {
			add(m[2], m[3])
		}
	}
	return found
}

// clauseEnd is where the clause that goes on at i ends: a semicolon, a line
// break, or a period before a space (not "ул." or "д.", which a short word
// before shows to be abbreviations).
func clauseEnd(text string, i int) int {
	for j := i; j < len(text); j++ {
		switch text[j] {
		case ';', '\n':
			return j
		case '.':
			if j+1 < len(text) && text[j+1] != ' ' {
				continue
			}
			k := strings.LastIndexAny(text[:j], " ,") + 1
			if j-k > 4 || j+1 == len(text) {
				return j
			}
		}
	}
	return len(text)
}
