package anonymity_test

import (
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/rules/anonymity"
)

// found lists the findings of text as "kind:text".
func found(text string) []string {
	var out []string
	for _, f := range anonymity.Find(text) {
		out = append(out, kindName(f.Kind)+":"+text[f.Start:f.End])
	}
	return out
}

func kindName(k anonymity.Kind) string {
	return map[anonymity.Kind]string{anonymity.Name: "name", anonymity.Phone: "phone", anonymity.Email: "email", anonymity.Document: "document", anonymity.BirthDate: "birth", anonymity.Address: "address"}[k]
}

// TestClean: medical text with eponyms, drugs, brands, doses, dates, codes
// and anonymised patients is left alone.
func TestClean(t *testing.T) {
	texts := []string{
		// Diagnoses and eponyms.
		"Акне вульгарные, папуло-пустулезная форма, средней степени тяжести (L70.0)",
		"Розацеа, эритематозно-телеангиэктатический подтип",
		"Атопический дерматит, период обострения. SCORAD 42, DLQI 12.",
		"диагноз Атопический дерматит",
		"Симптом Никольского отрицательный, феномен Кебнера положительный.",
		"Осмотр под лампой Вуда: свечение отсутствует.",
		"Фототип II по Фицпатрику, фототип III по шкале Фицпатрика.",
		"Синдром Стивенса-Джонсона в анамнезе исключен; болезнь Вильсона-Коновалова не подтверждена.",
		"Пятна Филатова не обнаружены, болезнь Боткина в анамнезе.",
		"Саркома Капоши исключена, болезнь Педжета и болезнь Боуэна не подтверждены.",
		"Мазь Вишневского, паста Теймурова, раствор Люголя не применялись.",
		"Синдром Иценко-Кушинга исключён, пурпура Шенлейна — Геноха в детстве.",
		"Дерматит Дюринга, невус Сеттона, гранулема Майокки.",
		"Wood's lamp examination negative; Nikolsky sign negative; Koebner phenomenon present.",
		"Kaposi sarcoma and Stevens-Johnson syndrome were excluded. Nevus of Ota on the left cheek.",
		"Terry's nails, Beau's lines and Dennie-Morgan lines were noted.",
		"Addison's disease and Grover's disease ruled out. Fitzpatrick skin type III.",
		// Drugs and products.
		"Назначен Доксициклин 100 мг 2 раза в день, наружно Дифферин на ночь.",
		"Эффаклар Дуо(+) утром, Липикар Синдет АП+ для умывания, Цикапласт Бальзам B5 на корки.",
		"Крем Эуцерин, гель Адаклин, Далацин 1% наружно; Селенцин курсом.",
		"La Roche-Posay Effaclar Duo, Bioderma Sensibio H2O, Avène Cicalfate+, CeraVe SA.",
		"Комплекс Пептидов и Масло Семян Чиа в составе сыворотки",
		"Aloe Vera gel twice daily, Melissa officinalis extract, witch Hazel toner.",
		"Изотретиноин 0,5 мг/кг/сут, Эритромицин, Клиндамицин, Мупироцин.",
		// Anonymised patients.
		"Пациентка К., 34 лет, обратилась с жалобами на высыпания на лице.",
		"Больная А., 27 лет. Мужчина, 45 лет. Женщина, 30 лет, фототип II.",
		"Пациент N, 19 лет; пациентка Ж. с 2019 года наблюдается у дерматолога.",
		"Patient X, a 34-year-old woman, presented with papules. Patient Reported Outcome improved.",
		"Мужчина обратился к дерматологу; пациентка из Москвы, проживает в Саратове.",
		"Рекомендовано: Липикар Бальзам АП+М 2 раза в день. Результат хороший.",
		"Назначено лечение пациентки. Результат через 12 недель: улучшение.",
		// Numbers that identify nothing.
		"С 12.03.2024 по 05.06.2024, 2 раза в день, 8-10 недель, 100 мг, 0,05%.",
		"SPF 50+, pH 5.5, 30 мл, АД 120/80, ЧСС 72, приём в 08:00 и 20:00.",
		"Курс 2019-2023 гг., 3-4 недели, 1:1000, 10 000 МЕ, 500 000 ЕД.",
		"ICD-10 L20.8, PASI 75, IGA 0-1, EASI 12.5, Hb 135 г/л.",
		"ГКБ № 15, палата № 3; клиническая картина 2023 года без изменений.",
		"Фототип I. Атопический дерматит с детства. Стадия II. Рекомендовано наблюдение.",
		"Витамин В. Назначено: цинк 25 мг.",
		// Words with surnames' endings.
		"Очагов поражения нет. Готова продолжать лечение. Здоров.",
		"Основа крема — церамиды, на основе масел.",
		// Brands and products named like people.
		"Диане-35 в течение 6 месяцев, затем Diane-35 отменён.",
		"Elizabeth Arden Eight Hour Cream, Mary Kay TimeWise, Dr. Jart+ Cicapair.",
		"Рекомендации: Ксемоз крем, Ксемоз Синдет, Авен Термальная вода.",
		"Реакция Манту отрицательная, Диаскинтест отрицательный.",
		"Пилинг Джесснера и ТСА 15%, криотерапия по методу Кромайера.",
		"Клетки Лангерганса, тельца Шаумана, шкала Глогау: тип III.",
		"Пациентка родом из Иванова, живёт в Королёве.",
		"Lichen planus, Wickham striae present; Auspitz sign positive; Crohn disease in history.",
		"Grace period of 2 weeks. Will continue treatment. May Cause irritation. Mark the lesion borders.",
		"Vera's Aloe gel; Rose-colored papules on the cheeks.",
		"Stage I. Treatment started. Fitzpatrick II.",
		"Со слов матери, высыпания с детства; мать страдает атопическим дерматитом.",
		// Capitals, lowercase, Kazakh and Uzbek.
		"ДИАГНОЗ: АТОПИЧЕСКИЙ ДЕРМАТИТ. МУЖЧИНА, 45 ЛЕТ. ЭФФАКЛАР ДУО(+) 2 РАЗА В ДЕНЬ.",
		"акне, назначен эффаклар дуо, через 8 недель улучшение, пациентка довольна",
		"Бөртпелер азайды, тері қызаруы жоқ. Toshmalar kamaydi, terining qizarishi yo'q.",
		// After a dative noun, brands named like people, batches, counts,
		// visit dates beside words about birth.
		"Пациенту Дупиксент 300 мг п/к 1 раз в 2 недели.",
		"Пациентке Ярина на 6 месяцев по согласованию с гинекологом.",
		"Использует сыворотку Murad Retinal ReSculpt на ночь.",
		"Эффаклар Дуо(+), серия 230415, срок годности до 04.2026. Серия 4506.",
		"Посев: Staphylococcus aureus 1 000 000 КОЕ/мл; пробиотик 10 000 000 000 КОЕ.",
		"Родился в срок, на грудном вскармливании; осмотр 12.03.2025.",
		"Пациентка А.Б. Фототип II. Гепатит В. Изотретиноин противопоказан.",
		"В квартире 2 кошки; проживает в Алматы; Flat warts, 12 lesions.",
		"St John's wort stopped. Whitfield's ointment twice daily. Направлена из ГКБ им. С.П. Боткина.",
	}
	for _, text := range texts {
		if got := found(text); len(got) > 0 {
			t.Errorf("%q: found %q", text, got)
		}
	}
}

// TestFound: names, phones, addresses and document numbers in Russian and
// English are found, as the kind they are.
func TestFound(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		// Names after markers.
		{"Пациентка Иванова обратилась с жалобами", []string{"name:Иванова"}},
		{"пациентке Смирновой назначено", []string{"name:Смирновой"}},
		{"у больного Сидоренко высыпания", []string{"name:Сидоренко"}},
		{"ФИО: Петров", []string{"name:Петров"}},
		{"Mrs Smith presented with acne", []string{"name:Smith"}},
		{"Mr. J. Doe was seen", []string{"name:J. Doe"}},
		{"Ms Taylor, 34, with rosacea", []string{"name:Taylor"}},
		{"ребёнок Петя, 5 лет", []string{"name:Петя"}},
		// First names.
		{"Ольга, 34 года, обратилась", []string{"name:Ольга"}},
		{"со слов Анны высыпания год", []string{"name:Анны"}},
		{"пациентка ольга сергеевна", []string{"name:ольга"}},
		{"John presented with papules", []string{"name:John"}},
		{"Юрию назначено, Сергею тоже", []string{"name:Юрию", "name:Сергею"}},
		{"Наталья Петровна, 60 лет", []string{"name:Наталья Петровна"}},
		// Surnames with initials, first names, ages.
		{"консультация у И.И. Петрова", []string{"name:И.И. Петрова"}},
		{"осмотрена И. И. Кузнецовой", []string{"name:И. И. Кузнецовой"}},
		{"Петров И.И. рекомендовал", []string{"name:Петров И.И."}},
		{"Вера Иванова, 40 лет", []string{"name:Вера Иванова"}},
		{"Иванова, 34 года, обратилась", []string{"name:Иванова"}},
		{"Smith, 45 years old, with psoriasis", []string{"name:Smith"}},
		{"Mark Smith has acne", []string{"name:Mark Smith"}},
		{"Ковальский А. направил", []string{"name:Ковальский А."}},
		{"Нурлан улы обратился", []string{"name:Нурлан"}},
		{"Ivanova A., 30 y.o.", []string{"name:Ivanova A."}},
		// A lone surname mid-sentence.
		{"обратилась Иванова с жалобами", []string{"name:Иванова"}},
		{"направлен к Петросяну на консультацию", []string{"name:Петросяну"}},
		{"со слов Шевчука улучшение", []string{"name:Шевчука"}},
		// Disguises.
		{"пациентка Ив\u00adанова", []string{"name:Ив\u00adанова"}},
		{"обратилась Ивaнoва с жалобами", []string{"name:Ивaнoва"}},
		{"Ирина Сергеевна", []string{"name:Ирина Сергеевна"}},
		{"АННА ИВАНОВА", []string{"name:АННА ИВАНОВА"}},
		// Phones.
		{"тел. +7 (916) 123-45-67", []string{"phone:+7 (916) 123-45-67"}},
		{"звонить 8 916 123 45 67", []string{"phone:8 916 123 45 67"}},
		{"89161234567", []string{"phone:89161234567"}},
		{"горячая линия 8-800-555-35-35", []string{"phone:8-800-555-35-35"}},
		{"моб.: 916-123-45-67", []string{"phone:916-123-45-67"}},
		{"(495) 123-45-67", []string{"phone:(495) 123-45-67"}},
		{"тел 123-45-67", []string{"phone:123-45-67"}},
		{"call +1 (212) 555-0100", []string{"phone:+1 (212) 555-0100"}},
		{"+44 20 7946 0958", []string{"phone:+44 20 7946 0958"}},
		{"WhatsApp 77011234567", []string{"phone:77011234567"}},
		// E-mail addresses and handles.
		{"ivanova.o@mail.ru", []string{"email:ivanova.o@mail.ru"}},
		{"пишите: иванова@почта.рф", []string{"email:иванова@почта.рф"}},
		{"john.smith (at) example.com", []string{"email:john.smith (at) example.com"}},
		{"инстаграм @olga_derm", []string{"email:@olga_derm"}},
		// Documents.
		{"СНИЛС 123-456-789 01", []string{"document:123-456-789 01"}},
		{"123-456-789 01", []string{"document:123-456-789 01"}},
		{"ИНН 771234567890", []string{"document:771234567890"}},
		{"полис ОМС 1234567890123456", []string{"document:1234567890123456"}},
		{"паспорт 45 06 123456", []string{"document:45 06 123456"}},
		{"паспорт серия 4506 номер 123456", []string{"document:4506", "document:123456"}},
		{"медкарта № 1234", []string{"document:1234"}},
		{"история болезни № 56789", []string{"document:56789"}},
		{"и/б 12345", []string{"document:12345"}},
		{"MRN 00123456", []string{"document:00123456"}},
		{"SSN 123-45-6789", []string{"document:123-45-6789"}},
		{"NHS number 943 476 5919", []string{"document:943 476 5919"}},
		{"ID123456789", []string{"document:ID123456789"}},
		{"карта № 77001", []string{"document:77001"}},
		{"свидетельство о рождении II-МЮ 123456", []string{"document:123456"}},
		// Dates of birth.
		{"Patient Jane Doe, DOB 01/02/1980.", []string{"name:Jane Doe", "birth:01/02/1980"}},
		{"дата рождения 12.03.1975, обратилась", []string{"birth:12.03.1975"}},
		{"Иванов, 12.03.1975 г.р.", []string{"birth:12.03.1975"}},
		{"Родилась 5 марта 1980 года.", []string{"birth:5 марта 1980"}},
		// More context.
		{"Лечение у дерматолога Петровой без эффекта.", []string{"name:Петровой"}},
		{"На приёме у доктора Смирнова 12.02.2024.", []string{"name:Смирнова"}},
		{"Консультация проф. Иванова рекомендована.", []string{"name:Иванова"}},
		{"Обратилась Лебедева с жалобами на зуд.", []string{"name:Лебедева"}},
		{"The patient was treated by Dr. Brown.", []string{"name:Brown"}},
		{"пациентка по фамилии петренко", []string{"name:петренко"}},
		{"Муж пациентки Олег.", []string{"name:Олег"}},
		{"Pt Ivanov.", []string{"name:Ivanov"}},
		{"referred by Smirnova to us", []string{"name:Smirnova"}},
		{"А.В.Кузнецова", []string{"name:А.В.Кузнецова"}},
		{"ПАЦИЕНТКА ИВАНОВА, ТЕЛ. 89161234567", []string{"name:ИВАНОВА", "phone:89161234567"}},
		{"у андрея высыпания на лице", []string{"name:андрея"}},
		{"Айгерим кызы, 30 лет", []string{"name:Айгерим"}},
		{"Dilnoza, 25, acne vulgaris", []string{"name:Dilnoza"}},
		{"пациент Нурланов Ержан", []string{"name:Нурланов Ержан"}},
		// Surnames of any origin beside initials, Central Asian names in
		// both scripts, labels with dots.
		{"Консультирована дерматологом Ким Е.В., диагноз подтверждён.", []string{"name:Ким Е.В."}},
		{"Гистологию пересмотрел Д.А. Кац.", []string{"name:Д.А. Кац"}},
		{"Reviewed by J. Whitfield, consultant.", []string{"name:J. Whitfield"}},
		{"Aigerim, 28, rosacea.", []string{"name:Aigerim"}},
		{"Бахтиёр жалуется на зуд.", []string{"name:Бахтиёр"}},
		{"Жанибек Серікұлы, 45 лет", []string{"name:Жанибек Серікұлы"}},
		{"Пациентке Жумабаевой назначен гель.", []string{"name:Жумабаевой"}},
		{"Ф.И.О.: Ахметова Гульмира Сериковна.", []string{"name:Ахметова Гульмира Сериковна"}},
		// Dates of birth, phones with periods, spelled addresses, handles.
		{"ДР 12.04.1987, акне.", []string{"birth:12.04.1987"}},
		{"D.O.B. 1982-03-14, chronic urticaria.", []string{"birth:1982-03-14"}},
		{"Born on the 3rd of May 1979.", []string{"birth:3rd of May 1979"}},
		{"Тел. 8.701.123.45.67, звонить после 18:00.", []string{"phone:8.701.123.45.67"}},
		{"Фото присылает на aigerim.nur собака mail.ru.", []string{"email:aigerim.nur собака mail.ru"}},
		{"Send the results to j.whitfield at nhs dot net.", []string{"email:j.whitfield at nhs dot net"}},
		{"Присылает фото в телеграм: aigerim_derm.", []string{"email:aigerim_derm"}},
		{"Sends photos via t.me/kanat_s.", []string{"email:t.me/kanat_s"}},
		{"Паспорт AA1234567, выдан в Ташкенте.", []string{"document:AA1234567"}},
		// Postal addresses.
		{"Живёт на ул. Навои, дом 7.", []string{"address:ул. Навои", "address:дом 7"}},
		{"Lives at 12 Baker Street, flat 3, London.", []string{"address:Lives at 12 Baker Street, flat 3, London"}},
		{"Душанбе, ул. Рудаки, 34.", []string{"address:ул. Рудаки"}},
	}
	for _, tc := range tests {
		got := found(tc.text)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: found %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	text := "Диагноз: акне. Пациентка Иванова."
	fs := anonymity.Find(text)
	if len(fs) != 1 {
		t.Fatalf("found %v", fs)
	}
	got := fs[0].Describe(text)
	if want := `looks like a person's name (at character 26: "И******")`; got != want {
		t.Fatalf("Describe = %s, want %s", got, want)
	}
	if strings.Contains(got, "Иванова") {
		t.Fatal("the description repeats the name")
	}
}

// TestExplain: a clean text explains nothing; findings are described
// without repeating them, the fourth and later only counted.
func TestExplain(t *testing.T) {
	if got := anonymity.Explain("Акне вульгарные (L70.0), Эффаклар Дуо(+)"); got != "" {
		t.Fatalf("clean text explained as %q", got)
	}
	text := "Пациентка Иванова, тел. +7 916 123-45-67, ivanova@mail.ru, паспорт 4509 123456, СНИЛС 112-233-445 95"
	got := anonymity.Explain(text)
	for _, want := range []string{"a person's name", "a phone number", "an e-mail address", "and 2 more", "patients must not be identifiable"} {
		if !strings.Contains(got, want) {
			t.Errorf("Explain = %q, lacks %q", got, want)
		}
	}
	for _, secret := range []string{"Иванова", "916", "mail.ru", "4509"} {
		if strings.Contains(got, secret) {
			t.Errorf("Explain repeats %q: %s", secret, got)
		}
	}
}
