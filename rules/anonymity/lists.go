package anonymity

// The word lists of the name rules, lowercase, with ё written е. First
// names and surnames are in lexicon/.

// Words after which the next capitalised word is a person: patients and
// their relatives, honorifics, and labels such as "ФИО:" (those need a
// colon, see labelMarkers). Entries ending in "*" match as prefixes.
const personMarkers = `
пациент* больной больная больного больному больную больным гражданин* гражданк* г-н г-жа гн гжа господин*
госпож* мистер* миссис мисс мадам клиент* ребенок ребенка ребенку ребенком девочк* мальчик* дочь дочери
дочерью сын сына сыну сыном муж мужа мужу мужем жена жены жене жену женой мать матери отец отца отцу отцом
мама мамы маме маму мамой папа папы папе папу брат брата брату сестра сестры сестре сестру бабушк* дедушк*
тетя тети тете дядя дяди дяде внук* внучк* зовут звали звать проф доц акад д-р доктор доктора доктору врач
врача врачу медсестра медсестры
patient patients pt mr mrs ms miss mx mister sir madam madame mme client son daughter husband wife mother
father mom mum dad brother sister grandmother grandfather granny grandson granddaughter aunt uncle boy girl
baby named
`

// Markers in the dative: after "Пациенту" a clinician names what is
// prescribed ("Пациенту Дупиксент 300 мг") as often as whom, so the word
// after one is a name only if it says so itself.
const dativeMarkers = `
пациенту пациентке больному больной ребенку клиенту клиентке мальчику девочке мужу жене сыну дочери матери
маме отцу папе брату сестре бабушке дедушке мужчине женщине
`

// Titles in English: the word after one is a name if it looks like one
// ("Dr. Brown", not the brand "Dr. Jart+").
const titles = `dr doctor prof professor nurse`

// Brands named after people, or whose names are also first names: pairs
// of words, or single words that are brands unless a marker before or an
// age after says a person is meant ("Murad Retinal", "Murad, 30 лет").
const brands = `
elizabeth arden, mary kay, estee lauder, christian dior, paula choice, jo malone, bobbi brown,
helena rubinstein, yves rocher, kate somerville, dennis gross, sunday riley, peter thomas, thomas roth,
ole henriksen, tata harper, jan marini, anna lotan, christine valmy, erno laszlo, barbara sturm, zein obagi,
vivienne sabo, johnson baby, burt bees, germaine capuccini, dr hauschka,
dr jart, dr sea, dr brandt, dr bronner, dr dennis, dr barbara, dr ceuracle, dr loretta,
calvin klein, marc jacobs, tom ford, giorgio armani, ralph lauren, hugo boss, nina ricci, carolina herrera,
jean paul, paul gaultier, yves saint, victoria secret, kim kardashian,
ив роше, мэри кэй, элизабет арден, эсте лаудер, кристиан диор, хелена рубинштейн, бабушки агафьи,
вивьен сабо, анна лотан,
christina, eveline, эвелин, murad, мурад, mirra, мирра, ярина, yarina, джес, jess, жанин, janine, клайра,
ангелик, angeliq, noreva, норева, levrana, леврана, obagi, обаджи, sesderma, сесдерма, kora
`

// Honorifics: the word after one is a name even in a Title Case phrase.
const honorifics = `г-н г-жа гн гжа господин госпожа господина госпоже мистер миссис мисс мадам mr mrs ms miss mx mister sir madam madame mme`

// Labels that name a person when a colon or dash follows: "ФИО: ...".
// "Ф.И.О." is read as "фио".
const labelMarkers = `фио фамилия фамилии имя отчество name names surname firstname lastname fullname`

// Words that may stand before "name" or "имя" in a label about a person
// ("Patient name:", "Full name -"); any other word before makes it
// something else ("Brand name:", "Trade name").
const labelBefore = `patient patients patient's full first last family given middle maiden child child's mother's father's his her полное`

// Words after a label that say no name follows: "ФИО: не указывается",
// "Name: withheld".
const unnamedWords = `
не нет отсутств* скрыт* аноним* указ* удален* n a na none unknown not withheld anonym* redacted hidden removed
`

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
основой покровов пузырьков узелков размеров волосков
`

// Kazakh, Kyrgyz and Uzbek patronymic words after a first name: "Нурлан
// улы", "Айпери Садыр кызы".
const patronymicWords = `улы уулу кызы угли кизи uly uulu kyzy qyzy ugli qizi ogli`

// Abbreviations whose period does not end a sentence.
const abbreviations = `проф доц акад г гр ул д т е см рис др тел моб им ст пр мкр кв зав mr mrs ms dr prof st vs no nr mx pt`

// Nouns that a letter follows as a designation, not an initial:
// "витамин Е.", "Hepatitis B.", "группа А".
const letteredWords = `
витамин* гепатит* групп* тип* фототип* подтип* класс* стади* степен* форм* фаз* зон* шкал* фактор* штамм*
vitamin* hepatitis group* type* phototype* class* stage* grade* phase* zone* factor* strain* streptococc*
`

// Words after which a single initial starts a name: "by J. Whitfield", "у
// А. Ким", "к И. Смирнову".
const referrerWords = `
by with from to for and cc dear seen reviewed referred signed у от к ко с со для при врач* доктор* дерматолог*
косметолог* консультант* заведующ* зав
`

// Function words and pronouns that open sentences: never a surname beside
// initials.
const functionWords = `
the a an and or but on in at to for with from by of no not is was he she they it this that there then
и или но на в во с со к по за из от до при не нет он она они это то так как
`
