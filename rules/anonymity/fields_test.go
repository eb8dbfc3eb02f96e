package anonymity_test

// fields is the free text of typical clinical cases as doctors write them:
// diagnosis, product, regimen, recommendations and outcome notes, in
// Russian and English. None of it identifies anyone.
var fields = []string{
	"Акне вульгарные, папуло-пустулезная форма, средней степени тяжести (L70.0). Фототип III по Фицпатрику.",
	"Эффаклар Дуо(+)",
	"Эффаклар Дуо(+) 2 раза в день на очищенную кожу лица, Эффаклар очищающий гель утром и вечером, Антгелиос SPF 50+ перед выходом на улицу.",
	"Продолжить уход 3 месяца, избегать инсоляции, контроль через 12 недель. При обострении — консультация дерматолога.",
	"Через 8 недель количество воспалительных элементов уменьшилось на 70%, комедонов — на 50%. Переносимость хорошая, симптом Никольского отрицательный.",
	"Розацеа, эритематозно-телеангиэктатический подтип, фототип II; в анамнезе атопический дерматит, мать страдает экземой.",
	"Толеран Розалиак AR",
	"Утром Толеран Розалиак AR, вечером Метрогил гель 1% тонким слоем 6 недель; умывание Липикар Синдет АП+.",
	"Эритема уменьшилась, DLQI с 14 до 4 баллов. Пациентка К., 34 лет, удовлетворена результатом; рецидивов за 3 месяца нет.",
	"Atopic dermatitis, moderate (SCORAD 38), Fitzpatrick skin type II; Wood's lamp negative.",
	"Lipikar Baume AP+M",
	"Lipikar Baume AP+M twice daily to the whole body, Lipikar Syndet AP+ for washing; tacrolimus 0.1% on flares for 2 weeks.",
	"Continue emollients daily, avoid hot showers, follow-up in 8 weeks. Patient X, a 27-year-old woman, reports less itching.",
	"Post-inflammatory hyperpigmentation after acne, melasma excluded (MASI 2.1); Mela B3 serum at night, Anthelios UVmune 400 SPF 50+ every 2 hours outdoors.",
	"Себорейный дерматит волосистой части головы и лица, пятна Филатова не обнаружены. Келюаль ДС крем 2 раза в день, шампунь с кетоконазолом 2% 2 раза в неделю 4 недели.",
	"Псориаз вульгарный, PASI 14,6, BSA 12%. Дайвобет гель 1 раз в день 4 недели, затем Ксемоз Цереат крем. Улучшение: PASI 75 к 12-й неделе, побочных эффектов нет.",
}
