package notify

import (
	"slices"
	"strings"
	"sync"
	"text/template"
)

// text is a notification's title and body in one language; both are
// text/template sources over the notification's params.
type text struct{ title, body string }

// templates holds every kind's texts by locale. Every module's kinds are
// here, next to each other, so translations are reviewed together.
var templates = map[string]map[string]text{
	"diploma.verified": {
		"ru": {"Диплом подтверждён", "Модератор проверил ваш диплом. Теперь вам доступны все материалы платформы."},
		"en": {"Diploma verified", "A moderator has verified your diploma. All of the platform is open to you now."},
	},
	"diploma.rejected": {
		"ru": {"Диплом не подтверждён", "Модератор не смог подтвердить диплом: {{.reason}}. Загрузите другое фото."},
		"en": {"Diploma not verified", "A moderator could not verify your diploma: {{.reason}}. Please upload another photo."},
	},
	"edit.approved": {
		"ru": {"Изменения приняты", "Модератор принял изменения данных врача {{.doctor}}."},
		"en": {"Changes approved", "A moderator approved your changes to {{.doctor}}'s data."},
	},
	"edit.rejected": {
		"ru": {"Изменения отклонены", "Модератор отклонил изменения данных врача {{.doctor}}: {{.reason}}"},
		"en": {"Changes rejected", "A moderator rejected your changes to {{.doctor}}'s data: {{.reason}}"},
	},
	"case.published": {
		"ru": {"Клинический случай опубликован", "Модератор опубликовал ваш случай «{{.diagnosis}}».{{if and .points (ne .points \"0\")}} Начислено баллов: {{.points}}.{{end}}{{if .note}} {{.note}}{{end}}"},
		"en": {"Clinical case published", "A moderator published your case \"{{.diagnosis}}\".{{if and .points (ne .points \"0\")}} You earned {{.points}} points.{{end}}{{if .note}} {{.note}}{{end}}"},
	},
	"case.rejected": {
		"ru": {"Клинический случай возвращён", "Модератор вернул ваш случай «{{.diagnosis}}»: {{.reason}}. Исправьте его и отправьте снова."},
		"en": {"Clinical case returned", "A moderator returned your case \"{{.diagnosis}}\": {{.reason}}. Please correct it and submit it again."},
	},
	"doctor.update_requested": {
		"ru": {"Просьба представителя", "{{.rep}} просит {{if eq .kind \"submit_results\"}}внести результаты исследования{{else}}обновить ваши данные{{end}}. {{.message}}"},
		"en": {"A request from your representative", "{{.rep}} asks you to {{if eq .kind \"submit_results\"}}submit your study results{{else}}update your details{{end}}. {{.message}}"},
	},
	"gift.wave_opened": {
		"ru": {"Открыта волна подарков", "«{{.title}}»: обменивайте баллы на подарки до {{.ends_at}}."},
		"en": {"A gift wave is open", "“{{.title}}”: exchange your points for gifts until {{.ends_at}}."},
	},
	"gift.wave_closing_soon": {
		"ru": {"Волна подарков скоро закроется", "«{{.title}}» закрывается {{.ends_at}}. Успейте выбрать подарки."},
		"en": {"A gift wave closes soon", "“{{.title}}” closes at {{.ends_at}}. Choose your gifts before then."},
	},
	"gift.wave_closed": {
		"ru": {"Волна подарков закрыта", "«{{.title}}» завершена. Заказы, сделанные без связи до закрытия, принимаются до {{.grace_until}}."},
		"en": {"The gift wave has closed", "“{{.title}}” is over. Orders made offline before the close are accepted until {{.grace_until}}."},
	},
	"gift.shipped": {
		"ru": {"Ваш подарок отправлен", "Заказ {{.number}} отправлен{{if .tracking}}, трек-номер {{.tracking}}{{end}}."},
		"en": {"Your gift has shipped", "Order {{.number}} is on its way{{if .tracking}}, tracking number {{.tracking}}{{end}}."},
	},
	// Observational studies: params study (its title), visit (number), due
	// (YYYY-MM-DD), when (today or tomorrow), rep, message.
	"study.due": {
		"ru": {"Скоро срок результата исследования", "Результат визита {{.visit}} исследования «{{.study}}» нужно внести {{if eq .when \"today\"}}сегодня{{else}}завтра{{end}}, {{.due}}."},
		"en": {"A study result is due", "The result of visit {{.visit}} of the \"{{.study}}\" study is due {{if eq .when \"today\"}}today{{else}}tomorrow{{end}}, {{.due}}."},
	},
	"study.overdue": {
		"ru": {"Результат исследования просрочен", "Срок внесения результата визита {{.visit}} исследования «{{.study}}» истёк {{.due}}. Пожалуйста, внесите его."},
		"en": {"A study result is overdue", "The result of visit {{.visit}} of the \"{{.study}}\" study was due {{.due}}. Please submit it."},
	},
	"study.reminder": {
		"ru": {"Напоминание от представителя", "{{.rep}} напоминает о результате визита {{.visit}} исследования «{{.study}}» (срок {{.due}}). {{.message}}"},
		"en": {"A reminder from your representative", "{{.rep}} reminds you of the result of visit {{.visit}} of the \"{{.study}}\" study (due {{.due}}). {{.message}}"},
	},
	// The director's daily summary: params region (its name), date, and one
	// figure per counter registered (new_doctors, approved_edits,
	// cases_submitted, cases_published, overdue_results, gift_orders); a
	// figure whose counter is not registered is left out.
	"summary.daily": {
		"ru": {"Сводка по региону {{.region}} за {{.date}}", "Сводка по региону {{.region}} за {{.date}}:" +
			"{{with .new_doctors}}\nНовые врачи: {{.}}{{end}}" +
			"{{with .approved_edits}}\nОдобренные правки данных врачей: {{.}}{{end}}" +
			"{{with .cases_submitted}}\nКлинические случаи на модерации: {{.}}{{end}}" +
			"{{with .cases_published}}\nОпубликованные клинические случаи: {{.}}{{end}}" +
			"{{with .overdue_results}}\nПросроченные результаты исследований (сейчас): {{.}}{{end}}" +
			"{{with .gift_orders}}\nЗаказы подарков: {{.}}{{end}}"},
		"en": {"{{.region}} summary for {{.date}}", "Summary of {{.region}} for {{.date}}:" +
			"{{with .new_doctors}}\nNew doctors: {{.}}{{end}}" +
			"{{with .approved_edits}}\nApproved edits of doctors' data: {{.}}{{end}}" +
			"{{with .cases_submitted}}\nClinical cases submitted: {{.}}{{end}}" +
			"{{with .cases_published}}\nClinical cases published: {{.}}{{end}}" +
			"{{with .overdue_results}}\nStudy results overdue (now): {{.}}{{end}}" +
			"{{with .gift_orders}}\nGift orders: {{.}}{{end}}"},
	},
}

// pushBodies holds, for the kinds whose push must differ from their inbox
// item, the body of the push: shorter, or without what a push must not
// carry. A push crosses the push service (FCM, RuStore), outside the
// stack, so it names no doctor other than its recipient, nothing of a
// patient (not even a case's diagnosis), and no free text (reasons, notes
// and messages, which a person wrote and which could say anything): the
// inbox item, synced within the stack, has them.
var pushBodies = map[string]map[string]string{
	"diploma.rejected": {
		"ru": "Модератор не смог подтвердить диплом. Причина — в приложении.",
		"en": "A moderator could not verify your diploma. The reason is in the app.",
	},
	"edit.approved": {
		"ru": "Модератор принял ваши изменения данных врача.",
		"en": "A moderator approved your changes to a doctor's data.",
	},
	"edit.rejected": {
		"ru": "Модератор отклонил ваши изменения данных врача. Причина — в приложении.",
		"en": "A moderator rejected your changes to a doctor's data. The reason is in the app.",
	},
	"case.published": {
		"ru": "Модератор опубликовал ваш клинический случай.{{if and .points (ne .points \"0\")}} Начислено баллов: {{.points}}.{{end}}",
		"en": "A moderator published your clinical case.{{if and .points (ne .points \"0\")}} You earned {{.points}} points.{{end}}",
	},
	"case.rejected": {
		"ru": "Модератор вернул ваш клинический случай. Причина — в приложении.",
		"en": "A moderator returned your clinical case. The reason is in the app.",
	},
	"doctor.update_requested": {
		"ru": "{{.rep}} просит {{if eq .kind \"submit_results\"}}внести результаты исследования{{else}}обновить ваши данные{{end}}.",
		"en": "{{.rep}} asks you to {{if eq .kind \"submit_results\"}}submit your study results{{else}}update your details{{end}}.",
	},
	"study.reminder": {
		"ru": "{{.rep}} напоминает о результате визита {{.visit}} исследования «{{.study}}» (срок {{.due}}).",
		"en": "{{.rep}} reminds you of the result of visit {{.visit}} of the \"{{.study}}\" study (due {{.due}}).",
	},
	"summary.daily": {
		"ru": "{{with .new_doctors}}врачи +{{.}} {{end}}{{with .approved_edits}}· правки {{.}} {{end}}" +
			"{{with .cases_submitted}}· случаи {{.}}{{end}}{{with .cases_published}}/{{.}} опубл. {{end}}" +
			"{{with .overdue_results}}· просрочено {{.}} {{end}}{{with .gift_orders}}· заказы {{.}}{{end}}",
		"en": "{{with .new_doctors}}doctors +{{.}} {{end}}{{with .approved_edits}}· edits {{.}} {{end}}" +
			"{{with .cases_submitted}}· cases {{.}}{{end}}{{with .cases_published}}/{{.}} publ. {{end}}" +
			"{{with .overdue_results}}· overdue {{.}} {{end}}{{with .gift_orders}}· orders {{.}}{{end}}",
	},
}

// Render returns a kind's title and body in a locale (Russian if the
// locale has no texts), filled from params.
func Render(kind, locale string, params map[string]string) (title, body string) {
	byLocale, ok := templates[kind]
	if !ok {
		return kind, ""
	}
	t, ok := byLocale[locale]
	if !ok {
		t = byLocale["ru"]
	}
	return fill(t.title, params), fill(t.body, params)
}

// RenderPush returns the title and body of a kind's push in a locale: the
// inbox texts, with a shorter body for kinds that have one.
func RenderPush(kind, locale string, params map[string]string) (title, body string) {
	title, body = Render(kind, locale, params)
	if byLocale, ok := pushBodies[kind]; ok {
		src, ok := byLocale[locale]
		if !ok {
			src = byLocale["ru"]
		}
		body = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(fill(src, params)), "· "))
	}
	return title, body
}

// languages are those every kind has texts in (TestTemplates checks).
var languages = []string{"ru", "en"}

// Language returns the language of texts for a device locale ("ru-RU",
// "en_US", "kk"): its primary subtag if the texts are in it, else Russian.
func Language(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(locale, "_", "-")), "-")
	if slices.Contains(languages, lang) {
		return lang
	}
	return "ru"
}

// parsed caches templates by source: a wave renders thousands of pushes.
var parsed sync.Map

func fill(src string, params map[string]string) string {
	var tmpl *template.Template
	if t, ok := parsed.Load(src); ok {
		tmpl = t.(*template.Template)
	} else {
		var err error
		if tmpl, err = template.New("").Option("missingkey=zero").Parse(src); err != nil {
			return src
		}
		parsed.Store(src, tmpl)
	}
	var sb strings.Builder
	if err := tmpl.Execute(&sb, params); err != nil {
		return src
	}
	return strings.ReplaceAll(sb.String(), "<no value>", "")
}
