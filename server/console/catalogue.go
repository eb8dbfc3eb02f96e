package console

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// message is one text of the console in each of its languages. A text
// with counts has its plural forms separated by "|": English one|other,
// Russian one|few|many ("%d заявка|%d заявки|%d заявок").
type message struct{ en, ru string }

// catalogues are the areas' texts; a new area adds its table here.
var catalogues = []map[string]message{commonMessages, accountMessages, editMessages, giftMessages, contentMessages, caseMessages, diplomaMessages, studyMessages, peopleMessages, syncMessages, auditMessages, reportMessages}

// language is the console in one language.
type language struct {
	Code  string
	texts map[string]string
	// plural picks the form of a count.
	plural func(n int64) int
	// dateTime formats a time on a page.
	dateTime string
}

// languages are the console's, the platform's default (Russian) first.
var languages = buildLanguages()

func buildLanguages() []*language {
	ru := &language{Code: "ru", texts: map[string]string{}, plural: russianPlural, dateTime: "02.01.2006 15:04"}
	en := &language{Code: "en", texts: map[string]string{}, plural: englishPlural, dateTime: "2 Jan 2006 15:04"}
	for _, cat := range catalogues {
		for k, m := range cat {
			ru.texts[k], en.texts[k] = m.ru, m.en
		}
	}
	return []*language{ru, en}
}

func russianPlural(n int64) int {
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		return 0
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return 1
	}
	return 2
}

func englishPlural(n int64) int {
	if n == 1 {
		return 0
	}
	return 1
}

// language returns the console in a language code, Russian for a code it
// does not speak.
func (c *Console) language(code string) *language {
	for _, l := range languages {
		if l.Code == code {
			return l
		}
	}
	return languages[0]
}

// negotiate picks the language of a signed-out page: ?lang=, else the
// browser's first language the console speaks, else Russian. A signed-in
// page uses the account's language instead.
func (c *Console) negotiate(r *http.Request) *language {
	if l := r.URL.Query().Get("lang"); l != "" {
		return c.language(l)
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range languages {
			if l.Code == base {
				return l
			}
		}
	}
	return languages[0]
}

// text returns a text; a key no catalogue has is an error, so a page with
// a typo fails to render rather than show the key.
func (l *language) text(key string) (string, error) {
	s, ok := l.texts[key]
	if !ok {
		return "", fmt.Errorf("console: no text %q", key)
	}
	return s, nil
}

// format fills a text's verbs with args.
func (l *language) format(key string, args ...any) (string, error) {
	s, err := l.text(key)
	if err != nil || len(args) == 0 {
		return s, err
	}
	return fmt.Sprintf(s, args...), nil
}

// count returns the plural form of a text for n, filled with n.
func (l *language) count(key string, n int64) (string, error) {
	s, err := l.text(key)
	if err != nil {
		return "", err
	}
	forms := strings.Split(s, "|")
	form := forms[min(l.plural(n), len(forms)-1)]
	if strings.Contains(form, "%d") {
		return fmt.Sprintf(form, n), nil
	}
	return form, nil
}

// time formats a unix-millisecond time in a zone.
func (l *language) time(ms int64, loc *time.Location) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).In(loc).Format(l.dateTime)
}
