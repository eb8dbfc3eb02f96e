package anonymity

import "strings"

// Names from Central Asia are written in Cyrillic and in several Latin
// spellings (Жахонгир: Jahongir, Dzhakhongir, Djahongir; Айгерим:
// Aigerim, Aygerim). Rather than list every spelling, a name is reduced
// to a skeleton that the spellings share: Cyrillic is transliterated, and
// the digraphs that differ between the Russian, English, Uzbek and Kazakh
// conventions are folded together (zh, j and dzh; kh, x and h; ye and e;
// a й-like y and i; doubled letters).

// centralAsian folds the letters of the Kazakh, Uzbek, Kyrgyz and Tajik
// alphabets to their Russian counterparts, lowercase.
var centralAsian = map[rune]string{
	'ә': "а", 'ғ': "г", 'қ': "к", 'ң': "н", 'ө': "о", 'ұ': "у", 'ү': "у", 'һ': "х", 'і': "и",
	'ў': "у", 'ҳ': "х", 'ҷ': "дж", 'ӣ': "и", 'ӯ': "у", 'ҝ': "к", 'ҹ': "ч",
}

// cyrillicLatin transliterates the Russian alphabet (after folding).
var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z", 'и': "i", 'й': "y",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e",
	'ю': "yu", 'я': "ya",
}

// digraphs are folded in this order, longest first.
var digraphs = strings.NewReplacer(
	"shch", "sh", "dzh", "j", "dj", "j", "zh", "j", "kh", "h", "x", "h", "q", "k", "w", "v",
	"ye", "e", "yo", "e", "iu", "yu", "ia", "ya", "'", "", "ʻ", "", "ʼ", "", "`", "",
)

// cyrillicSkeleton is the skeleton of a lowercase Cyrillic word.
func cyrillicSkeleton(low string) string {
	var b strings.Builder
	for _, r := range low {
		if s, ok := cyrillicLatin[r]; ok {
			b.WriteString(s)
		} else if r < 0x80 {
			b.WriteRune(r)
		}
	}
	return latinSkeleton(b.String())
}

// latinSkeleton is the skeleton of a lowercase Latin word.
func latinSkeleton(low string) string {
	s := digraphs.Replace(low)
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 'y' && (i+1 == len(s) || !strings.ContainsRune("aeiou", rune(s[i+1]))) {
			c = 'i' // a й-like y: Aygerim, Aigerim
		}
		if n := len(out); n > 0 && out[n-1] == c {
			continue // Assel, Asel; Abdullaev, Abdulaev
		}
		out = append(out, c)
	}
	return string(out)
}
