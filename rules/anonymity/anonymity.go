// Package anonymity finds what in free text could identify a person: names,
// dates of birth, phone numbers, e-mail addresses and messenger handles,
// postal addresses and document numbers (passport, SNILS, INN/IIN, OMS
// policy, medical record numbers), in Russian and English, with the names
// of Central Asia in Cyrillic and Latin script.
//
// It is made for the free text of clinical cases, where medical words are
// many and capitalised eponyms, drugs and brands common ("симптом
// Никольского", "Wood's lamp", "Пациенту Дупиксент", "Murad Retinal"). A
// name is reported on evidence: a first name or surname of the lexicons
// (lexicon/, in every case form and Latin spelling); a patronymic; a
// surname's ending beside initials, a first name or an age; any
// capitalised word beside initials that nothing before them shows to be an
// anonymised patient ("Пациентка А.Б.") or a designation ("Витамин Е.");
// a word after "пациентка", "Mrs", "Dr" or a label ("ФИО:", "Ф.И.О."). A
// full date is a date of birth after "дата рождения", "ДР", "D.O.B.",
// "born" with nothing else between. Numbers are judged by shape and by the
// words before them ("тел.", "паспорт"; "серия" of a product and a unit
// after make them harmless). Addresses are found by their street, house
// and flat words with what follows them.
//
// The package is pure (standard library, embedded word lists) and fast:
// phones run it on every save.
package anonymity

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is what a finding looks like.
type Kind int

const (
	Name Kind = iota + 1
	Phone
	Email
	Document
	// BirthDate is a full date after "дата рождения", "ДР", "D.O.B.", "born".
	BirthDate
	// Address is a postal address: a street, a house, a flat.
	Address
)

func (k Kind) String() string {
	switch k {
	case Name:
		return "a person's name"
	case Phone:
		return "a phone number"
	case Email:
		return "an e-mail address or account name"
	case Document:
		return "a document or record number"
	case BirthDate:
		return "a date of birth"
	case Address:
		return "a postal address"
	}
	return "an identifier"
}

// Finding is a piece of text that may identify a person.
type Finding struct {
	Kind       Kind
	Start, End int // byte offsets in the text
}

// Find returns what in text may identify a person, in order, without
// overlaps.
func Find(text string) []Finding {
	if text == "" {
		return nil
	}
	var out []Finding
	h := findHints(text)
	out = findEmails(text, h.messenger, out)
	out = findBirthDates(text, out)
	out = findNumbers(text, out)
	out = findAddresses(text, h.address, out)
	out = findNames(text, out)
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	kept := out[:0]
	for _, f := range out {
		if n := len(kept); n > 0 && f.Start < kept[n-1].End {
			continue // inside an earlier finding: "ivanova@mail.ru" is not also a name
		}
		kept = append(kept, f)
	}
	return kept
}

// Describe says what the finding looks like and where it is, without
// repeating it: its position in characters and its first character, so an
// error message carrying it stores no patient's data.
func (f Finding) Describe(text string) string {
	at := utf8.RuneCountInString(text[:f.Start]) + 1
	first, _ := utf8.DecodeRuneInString(text[f.Start:])
	n := utf8.RuneCountInString(text[f.Start:f.End])
	mask := make([]rune, 0, 12)
	mask = append(mask, first)
	for i := 1; i < n && i < 12; i++ {
		mask = append(mask, '*')
	}
	return fmt.Sprintf("looks like %s (at character %d: %q)", f.Kind, at, string(mask))
}

// Explain says what in text may identify someone, without repeating it
// (at most three findings, then how many more), followed by what to
// remove; "" when nothing does. The server's refusals and the device's
// checks before queueing use it, so both say the same.
func Explain(text string) string {
	fs := Find(text)
	if len(fs) == 0 {
		return ""
	}
	parts := make([]string, 0, 4)
	for i, f := range fs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(fs)-3))
			break
		}
		parts = append(parts, f.Describe(text))
	}
	return strings.Join(parts, "; ") + "; patients must not be identifiable: " + Advice
}

// Advice says what to remove from a text Find refuses; refusals end with
// it, on the server and on the device alike.
const Advice = "remove names, phone numbers, e-mail addresses and account names, postal addresses, document numbers and dates of birth"
