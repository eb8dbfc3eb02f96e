package anonymity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A handle is often written without its @: "телеграм: aigerim_derm",
// "Instagram: bermet.beauty", "ник в тг sherzod_07". After a word for a
// messenger or an account, within a few words, a Latin token is a handle
// when it has what no word has (a digit, an underscore, an inner period);
// in Russian text any lowercase Latin word there is one, since a Russian
// sentence has no other reason to switch script.

// messengerWords name a messenger, a network or an account.
const messengerWords = `
телеграм* телеграмм* тг tg telegram* инстаграм* инста insta instagram ig вк vk вконтакте facebook fb фейсбук*
tiktok тикток* snapchat skype скайп* viber вайбер* whatsapp ватсап* вотсап* ник никнейм* nickname nick username
логин* login handle аккаунт* account
`

// token is a run of text between white space, without the punctuation
// around it.
type token struct {
	start, end int
	text       string
}

func tokens(text string) []token {
	var out []token
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += size
		}
		t := token{start: i, end: j, text: text[i:j]}
		trimmed := strings.TrimLeft(t.text, ",.;:!?()«»\"'—–-")
		t.start += len(t.text) - len(trimmed)
		t.text = strings.TrimRight(trimmed, ",.;:!?()«»\"'—–-")
		t.end = t.start + len(t.text)
		if t.text != "" {
			out = append(out, t)
		}
		i = j
	}
	return out
}

func findHandles(text string, out []Finding) []Finding {
	ts := tokens(text)
	russian := mostlyCyrillic(text)
	for k, t := range ts {
		if !dict.messengerWords.has(fold(t.text)) {
			continue
		}
		for j := k + 1; j < len(ts) && j <= k+4; j++ {
			if strings.ContainsAny(text[ts[j-1].end:ts[j].start], ".;\n") && !strings.HasSuffix(strings.TrimSpace(text[ts[j-1].end:ts[j].start]), ":") {
				break // another sentence
			}
			if handleShaped(ts[j].text, russian) {
				out = append(out, Finding{Kind: Email, Start: ts[j].start, End: ts[j].end})
				break
			}
		}
	}
	return out
}

// handleShaped reports a Latin token that is an account name: letters
// with a digit, an underscore or an inner period; or, in Russian text,
// any lowercase Latin word.
func handleShaped(s string, russian bool) bool {
	if len(s) < 3 {
		return false
	}
	letters, marks, upper := 0, false, false
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			letters++
		case r >= 'A' && r <= 'Z':
			letters++
			upper = true
		case r >= '0' && r <= '9', r == '_':
			marks = true
		case r == '.' && i > 0 && i < len(s)-1:
			marks = true
		default:
			return false
		}
	}
	return letters > 0 && (marks || (russian && !upper))
}

// mostlyCyrillic reports a text with more Cyrillic letters than Latin.
func mostlyCyrillic(text string) bool {
	cyr, lat := 0, 0
	for _, r := range text {
		switch {
		case r < 0x80 && isLetter(r):
			lat++
		case isCyrillic(r):
			cyr++
		}
	}
	return cyr > lat
}
