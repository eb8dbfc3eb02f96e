package anonymity

import (
	"strings"
	"unicode/utf8"
)

// eponym reports whether word i is a medical eponym by its context:
// after "симптом", "лампа", "по"...; before "syndrome", "'s sign"...;
// after "nevus of"; or in a chain of them ("Вильсона - Коновалова").
func (n *names) eponym(i int) bool {
	w := n.word(i)
	for _, p := range w.parts {
		if utf8.RuneCountInString(p) >= 5 && dict.eponyms.has(p) {
			return true
		}
	}
	if n.chainStart[i] || n.chainEnd[i] {
		return true
	}
	// An institution named after someone: "ГКБ им. С.П. Боткина",
	// "КазНМУ имени Асфендиярова".
	j := i - 1
	for j >= 0 && i-j <= maxInitials && n.words[j].initial {
		j--
	}
	if before := n.word(j); before != nil && (before.low == "им" || before.low == "имени") && !before.title {
		return true
	}
	prev := n.word(i - 1)
	if prev != nil && prev.low == "of" && !w.sentence && !strings.ContainsAny(w.gap, ".,;") {
		if pp := n.word(i - 2); pp != nil && dict.eponymAfter[pp.low] {
			return true // "nevus of Ota"
		}
	}
	return false
}

// chains marks the dash-joined chains of capitalised words that make
// eponyms, one pass each way.
func (n *names) chains() {
	n.chainStart = make([]bool, len(n.words))
	n.chainEnd = make([]bool, len(n.words))
	for i := 1; i < len(n.words); i++ {
		w, prev := &n.words[i], &n.words[i-1]
		if w.sentence || strings.ContainsAny(w.gap, ".,;") {
			continue
		}
		if prev.cyrillic && !prev.title && (dict.eponymBefore.has(prev.low) || prev.low == "по") {
			n.chainStart[i] = true
		} else if (prev.title || prev.upper) && strings.ContainsAny(w.gap, "-—–") && n.chainStart[i-1] {
			n.chainStart[i] = true
		}
	}
	for i := len(n.words) - 2; i >= 0; i-- {
		w, next := &n.words[i], &n.words[i+1]
		if strings.ContainsAny(next.gap, ".,;:\n") {
			continue
		}
		if dict.eponymAfter[next.low] && (!w.cyrillic || w.possessive) {
			n.chainEnd[i] = true
		} else if (next.title || next.upper) && strings.ContainsAny(next.gap, "-—–") && n.chainEnd[i+1] {
			n.chainEnd[i] = true
		}
	}
}

// Eponyms whose stems are exempt wherever they appear ("фототип III по
// Фицпатрику", "Kaposi"), matched as prefixes of at least five letters.
const eponymStems = `
фицпатрик fitzpatrick капоши kaposi кебнер кёбнер koebner köbner дарье darier боуэн bowen
педжет paget рейно raynaud квинке quincke лайелл lyell шегрен sjogren sjögren дюринг duhring бенье besnier
блашко blaschko ауспитц auspitz фордайс fordyce реклингхаузен recklinghausen шамберг schamberg майокки
majocchi вегенер wegener коплик koplik кушинг cushing аддисон addison гужеро gougerot
хатчинсон hutchinson шпитц spitz беккер becker сеттон sutton вильсон wilson видаль vidal унна
унны unna жибер gibert гиберт кастеллани castellani лассар lassar люголь lugol
стивенс stevens tzanck тцанк денни dennie уикхем wickham netherton нетертон крон crohn хашимото hashimoto
бехчет behcet behçet гроувер grover лесер leser доплер doppler папаниколау papanicolaou грам gram
бреслоу breslow хейли hailey меркел merkel лангерганс langerhans мелькерссон melkersson розентал rosenthal
глогау glogau baumann клигман kligman burow девержи devergie фабри fabry шауман schaumann
сенир senear
`

// Words that introduce an eponym after them (Russian, as prefixes of the
// lowercase word): "симптом Никольского", "лампа Вуда", "по Фицпатрику".
const eponymBefore = `
болезн синдром симптом феномен признак невус пятн пятен лини ламп шкал индекс классификац триад
пурпур эритем сарком меланоз лишай лишая клетк клеток тельц телец узелк узелок ногт ногот реакци проб
метод критери способ операци раствор маз паст жидкост болтушк бальзам опухол язв гранулем кист дерматоз
дерматит акродерматит ангиом кератоз кератодерми атрофодерми эпидермолиз порокератоз фолликулит хейлит
васкулит панникулит ретикулез гипомеланоз экзем фототип формул коэффициент правил закон аппарат стади
форм вариант тест окраск сред
`

// Words that follow an eponym (English): "Wood's lamp", "Kaposi sarcoma",
// "Stevens-Johnson syndrome"; "nevus of Ota" uses them before "of".
const eponymAfter = `
disease diseases syndrome sign signs phenomenon lamp light nail nails line lines nevus naevus nevi sarcoma
scale score test classification index criteria triad spot spots striae papule papules cell cells body bodies
type solution paste ointment purpura erythema granuloma tumor tumour ulcer cyst dermatitis dermatosis nodule
nodules pustule pustules phototype reaction method procedure operation pigmentation melanosis angioma
keratosis lymphoma palsy stain staining medium agar phenomenon law rule formula level levels thickness
boot boots clinic foundation institute hospital freckle ointment paint
`
