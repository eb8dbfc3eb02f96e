package anonymity

import (
	"strings"
	"unicode/utf8"
)

// The word lists are lowercase, with ё written е. Names marked weak are
// also ordinary words ("Вера", "Роза", "Will", "Iris", "Aloe Vera"), so
// they count as names only beside other evidence.

// Russian, Kazakh and Uzbek first names in the nominative, Cyrillic; their
// case forms are generated (see declensions).
const cyrillicNames = `
александр алексей анатолий андрей антон аркадий арсений артем артур борис вадим валентин валерий василий
вениамин виктор виталий владислав всеволод вячеслав геннадий георгий глеб григорий давид даниил данила денис
дмитрий евгений егор елисей ефим захар игнат игорь илья иван иосиф кирилл константин корней кузьма леонид
макар максим матвей михаил мирон назар никита николай олег остап платон прохор родион ростислав руслан савва
святослав семен сергей станислав степан тарас тимофей тимур тихон федор филипп эдуард эмиль юрий ян ярослав
яков альберт арнольд богдан вальтер генрих эрик марат ренат рустам ринат азат айдар нурлан ерлан асхат данияр
бахтияр азамат арман ержан серик бауыржан ермек канат талгат бекзод шерзод фаррух жасур улугбек отабек алишер
дилшод санжар шахзод рахим равшан анвар джамшид хуршид камол умид фарид ильдар ильнур наиль рамиль айрат
анна мария елена ольга наталья наталия татьяна ирина светлана екатерина юлия анастасия марина дарья ксения
валентина людмила галина тамара нина лариса алла инна жанна оксана софья софия алина полина кристина диана
алиса вероника арина варвара ульяна ангелина василиса валерия эвелина карина маргарита зоя римма раиса лидия
клавдия антонина зинаида евдокия снежана олеся алена регина эльвира ева кира мирослава ярослава владислава
станислава богдана таисия серафима стефания елизавета евгения александра майя эльза изабелла анжелика
сабина эмма инга ирма лилиана нонна элина эльмира юлиана яна диляра гульнара айгуль айгерим асель гульмира
жанар мадина камила зульфия фарида динара алия лейла дильноза гулнора шахноза нодира гузаль малика зарина
севара лола мохира феруза наргиза умида гульшат гульнур назгуль алсу ляйсан резеда гузель венера
саша маша даша наташа таня оля юля лена ира аня настя ксюша женя дима миша петя вася ваня леша лёша
сережа серёжа андрюша витя вова володя гоша костя толя боря гриша лева рома стас тема сеня федя надя галя
валя зина лиза лида вика кристя олежка
`

// Weak Cyrillic names: also common words or places.
const cyrillicWeakNames = `
вера надежда любовь роза лилия слава мила лада роман владимир марк лев ян яна ника герман виктория милана
лиана злата лука семен света тома соня поля люба катя коля паша юра рая мелисса флора виола тина дана азиз
мира ислам
`

// Latin-script first names: English ones and common transliterations.
const latinNames = `
john michael david james robert william richard thomas charles christopher daniel matthew anthony donald steven
paul andrew joshua kenneth kevin brian george edward ronald timothy jason jeffrey ryan jacob gary nicholas eric
jonathan stephen larry justin scott brandon benjamin samuel gregory alexander patrick dennis jerry tyler aaron
jose henry adam douglas nathan peter zachary kyle walter harold jeremy ethan carl keith roger gerald sean arthur
noah lawrence jesse joe bryan billy albert dylan bruce willie gabriel alan juan logan wayne ralph roy eugene
randy vincent russell louis philip bobby johnny bradley tom tim jim mike dave steve chris nick sam tony ben
dan fred harry oliver jack charlie liam lucas mason elijah owen luke isaac levi jayden sebastian mateo leo
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra
ashley kimberly emily donna michelle dorothy amanda melissa deborah stephanie rebecca sharon laura cynthia
kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine debra rachel
catherine carolyn janet ruth maria diane julie joyce olivia kelly christina lauren joan evelyn judith megan
cheryl andrea hannah martha jacqueline frances gloria ann anne teresa kathryn sara janice alice doris abigail
julia judy sophia sophie marie denise beverly isabella theresa diana natalie brittany charlotte marilyn kayla
alexis lori jane kate katie susie jenny jill wendy tracy rita irene agnes edith ella mia ava chloe zoe lucy
amelia isla emilia harper
olga natalia natalya tatiana tatyana svetlana ekaterina yekaterina anastasia yulia ksenia daria darya elena
yelena marina galina lyudmila ludmila valentina nadezhda oksana irina alla inna zhanna alina polina kristina
sergei sergey dmitry dmitri alexei alexey andrei andrey nikolai mikhail yuri oleg igor pavel ivan maxim maksim
artem artyom denis kirill evgeny yevgeny konstantin viktor anton ilya timur ruslan vadim boris gleb stanislav
vitaly vladislav yaroslav nurlan yerlan aigerim asel dilnoza gulnora shahnoza madina kamila zarina alisher
sherzod bekzod farrukh ulugbek otabek azamat daniyar arman serik
`

// Weak Latin names: also English words, months, places and plants.
const latinWeakNames = `
will may june april august rose grace hope faith joy dawn mark bill pat art ray sue gene frank jack rich sandy
bob carol holly ivy lily daisy iris ruby amber jade pearl crystal summer autumn heather olive penny chase
hunter rob don drew lee max angel eve dale glen miles norman wade earl sterling victoria virginia jordan austin
madison christian stella paris florence georgia melissa rosemary basil angelica flora vera rosa hazel jasmine
poppy violet laurel aurora luna nova kim jan ken nick terry dean guy grant lance ward cliff brook brooke roman
vladimir ernest constance
`

// Surnames without a telling suffix, for evidence beside a first name,
// initials or a title ("Mrs Smith", "J. Brown").
const surnames = `
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson
anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis
robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera
campbell mitchell carter roberts turner phillips parker evans edwards collins stewart morris murphy cook
rogers morgan peterson cooper reed bailey bell kelly howard ward cox richardson wood watson brooks bennett
gray james hughes price sanders myers long ross foster doe
смит джонсон браун уильямс джонс миллер дэвис уилсон андерсон тейлор мур джексон мартин томпсон уайт харрис
ким цой пак мельник коваль бондарь гончар кравец ткач кузнец шульц шмидт мюллер вайс
`

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
keratosis lymphoma palsy stain staining medium agar phenomenon law rule formula
`

// Words after which the next capitalised word is a person: patients and
// their relatives, honorifics, and labels such as "ФИО:" (those need a
// colon, see labelMarkers). Russian entries ending in "*" match as
// prefixes.
const personMarkers = `
пациент* больной больная больного больному больную больным гражданин* гражданк* г-н г-жа гн гжа господин*
госпож* мистер* миссис мисс мадам клиент* ребенок ребенка ребенку ребенком девочк* мальчик* дочь дочери
дочерью сын сына сыну сыном муж мужа мужу мужем жена жены жене жену женой мать матери отец отца отцу отцом
мама мамы маме маму мамой папа папы папе папу брат брата брату сестра сестры сестре сестру зовут звали
звать проф доц акад д-р доктор доктора доктору врач врача врачу медсестра медсестры
patient patients pt mr mrs ms miss mx mister sir madam madame mme client son daughter husband wife mother
father mom mum dad brother sister boy girl baby named
`

// Titles in English: the word after one is a name if it looks like one
// ("Dr. Brown", not the brand "Dr. Jart+").
const titles = `dr doctor prof professor nurse`

// Brands named after people, as pairs of lowercase words.
const brands = `
elizabeth arden, mary kay, estee lauder, estée lauder, christian dior, paula choice, jo malone, bobbi brown, helena rubinstein,
yves rocher, ив роше, мэри кэй, элизабет арден, эсте лаудер, кристиан диор, хелена рубинштейн
`

// Honorifics: the word after one is a name even in a Title Case phrase.
const honorifics = `г-н г-жа гн гжа господин госпожа господина госпоже мистер миссис мисс мадам mr mrs ms miss mx mister sir madam madame mme`

// Labels that name a person when a colon or dash follows: "ФИО: ...".
const labelMarkers = `фио фамилия фамилии имя имени отчество name names surname firstname lastname fullname`

// Words after which a capitalised -ов/-ев word is a place, not a person
// ("в Саратове", "г. Ростов").
const placeWords = `в во из под над около возле г город города городе поселок поселке пос село селе деревня деревне район районе обл область области ул улица улице проспект пр-т`

// Words with a surname's ending that are ordinary words, lowercase.
const surnameShaped = `
мужчина мужчины мужчине мужчину мужчиной женщина причина причины картина картины половина глубина вершина
медицина медицины витамин витамина витамины кератин меланин инсулин гистамин глицерин ланолин вазелин
основа основы голова головы слова острова дерева покров посев посева готов готова здоров здорова каков
таков суров симптомов признаков препаратов результатов участков очагов рубцов сосудов пигментов кремов
компонентов витаминов пептидов месяцев случаев годов часов сеансов пилингов лазеров комедонов фолликулов
антибиотиков ретиноидов стероидов кортикостероидов видов типов подтипов баллов процентов образцов
отделов слоев краев анализов курсов ингредиентов элементов узлов грибов аллергенов продуктов факторов
эпизодов рецидивов эффектов пациентов специалистов косметологов дерматологов микроорганизмов основе основу
основой
`

// Kazakh and Uzbek patronymic words after a first name: "Нурлан улы".
const patronymicWords = `улы уулу кызы угли угли кизи uly uulu kyzy qyzy ugli qizi`

// Abbreviations whose period does not end a sentence.
const abbreviations = `проф доц акад г гр ул д т е см рис др тел моб им ст пр mr mrs ms dr prof st vs no nr mx`

// Words before a number that make it a phone number.
const phoneWords = `тел телефон* моб мобильн* сот сотов* phone* tel mob mobile cell whatsapp ватсап* вотсап* вацап* viber вайбер* telegram* телеграм* звонить позвонить контакт* contact*`

// Words before a number that make it a document number.
const documentWords = `
паспорт* passport* серия серии снилс инн иин пинфл pinfl iin полис полиса полисе полисом омс дмс медкарт*
карта карты карте карту картой карточк* история истории амбулаторн* свидетельств* удостоверени* ssn
social insurance policy mrn record records chart nhs medicare medicaid license licence id
`

// Words before a date that make it a date of birth.
const birthWords = `рождения рожд род родилась родился родилась dob born birth birthday`

// Words before a number that make it some identifier.
const numberWords = `номер* number num no nr`

func fields(s string) []string { return strings.Fields(s) }

// wordSet is a set of words, some of which ("пациент*") match as prefixes.
type wordSet struct {
	exact    map[string]bool
	prefixes prefixSet
}

func newWordSet(lists ...string) wordSet {
	s := wordSet{exact: map[string]bool{}, prefixes: prefixSet{stems: map[string]bool{}}}
	for _, l := range lists {
		for _, w := range fields(l) {
			if p, ok := strings.CutSuffix(w, "*"); ok {
				s.prefixes.add(fold(p))
				continue
			}
			s.exact[fold(w)] = true
		}
	}
	return s
}

func (s wordSet) has(w string) bool { return s.exact[w] || s.prefixes.has(w) }

// prefixSet matches words starting with any of its stems.
type prefixSet struct {
	stems    map[string]bool
	min, max int // bytes
}

func newPrefixSet(list string) prefixSet {
	s := prefixSet{stems: map[string]bool{}}
	for _, w := range fields(list) {
		s.add(fold(w))
	}
	return s
}

func (s *prefixSet) add(stem string) {
	s.stems[stem] = true
	if s.min == 0 || len(stem) < s.min {
		s.min = len(stem)
	}
	s.max = max(s.max, len(stem))
}

// has looks up every prefix of w within the stems' lengths.
func (s prefixSet) has(w string) bool {
	if len(s.stems) == 0 {
		return false
	}
	for i := s.min; i <= s.max && i <= len(w); i++ {
		if (i == len(w) || utf8.RuneStart(w[i])) && s.stems[w[:i]] {
			return true
		}
	}
	return false
}

// fold lowercases a list entry the way words are lowercased.
func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ё", "е")
}
