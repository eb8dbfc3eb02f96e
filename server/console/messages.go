package console

// commonMessages are the layout's texts, the error pages' and the ones
// several areas use.
var commonMessages = map[string]message{
	"app.name":       {"Ordinator console", "Консоль Ordinator"},
	"app.skip":       {"Skip to content", "Перейти к содержимому"},
	"app.signed_in":  {"Signed in as %s (%s)", "Вы вошли как %s (%s)"},
	"app.sign_out":   {"Sign out", "Выйти"},
	"app.language":   {"Language", "Язык"},
	"app.switch":     {"Switch", "Сменить"},
	"app.navigation": {"Sections", "Разделы"},
	"lang.ru":        {"Русский", "Русский"},
	"lang.en":        {"English", "English"},

	"role.moderator": {"moderator", "модератор"},
	"role.admin":     {"administrator", "администратор"},
	"role.director":  {"director", "директор"},

	"error.title":               {"Not done", "Не выполнено"},
	"error.detail":              {"The server said:", "Ответ сервера:"},
	"error.sign_in":             {"Sign in again", "Войти снова"},
	"error.back":                {"Back to the console", "Вернуться в консоль"},
	"error.invalid":             {"The request is not valid; nothing was changed.", "Запрос неверен; ничего не изменено."},
	"error.not_found":           {"There is no such page or record, or it is not yours to see.", "Такой страницы или записи нет, или она вам недоступна."},
	"error.conflict":            {"Someone changed this meanwhile; nothing was changed.", "Это успели изменить; ничего не изменено."},
	"error.permission_denied":   {"You may not do this; nothing was changed.", "У вас нет на это прав; ничего не изменено."},
	"error.unauthenticated":     {"Your session ended; nothing was changed. Sign in again.", "Сеанс завершён; ничего не изменено. Войдите снова."},
	"error.failed_precondition": {"This cannot be done in the current state; nothing was changed.", "Это нельзя сделать в текущем состоянии; ничего не изменено."},
	"error.rate_limited":        {"Too many attempts; wait a little.", "Слишком много попыток; подождите немного."},
	"error.unavailable":         {"The server is busy; try again shortly.", "Сервер занят; попробуйте чуть позже."},
	"error.internal":            {"Something went wrong on the server. The error was logged.", "На сервере что-то пошло не так. Ошибка записана в журнал."},

	"status.pending":  {"Pending", "Ожидают"},
	"status.approved": {"Approved", "Одобрены"},
	"status.rejected": {"Rejected", "Отклонены"},
	"status.all":      {"All", "Все"},

	"age.minutes": {"%d minute|%d minutes", "%d минута|%d минуты|%d минут"},
	"age.hours":   {"%d hour|%d hours", "%d час|%d часа|%d часов"},
	"age.days":    {"%d day|%d days", "%d день|%d дня|%d дней"},

	"field.full_name":                    {"Full name", "ФИО"},
	"field.specialty":                    {"Specialty", "Специальность"},
	"field.clinic_id":                    {"Workplace", "Место работы"},
	"field.position":                     {"Position", "Должность"},
	"field.phones":                       {"Phones", "Телефоны"},
	"field.email":                        {"E-mail", "Эл. почта"},
	"field.delivery_address.postal_code": {"Postal code", "Индекс"},
	"field.delivery_address.city":        {"City", "Город"},
	"field.delivery_address.street":      {"Street", "Улица"},
	"field.delivery_address.building":    {"Building", "Дом"},
	"field.delivery_address.apartment":   {"Apartment", "Квартира"},
	"field.territory_id":                 {"Territory", "Территория"},
	"field.status":                       {"Status", "Статус"},
}

// accountMessages are signing in and out.
var accountMessages = map[string]message{
	"signin.title":        {"Sign in", "Вход"},
	"signin.intro":        {"The console is for the platform's moderators and administrators, and for regional directors' reports.", "Консоль — для модераторов и администраторов платформы и для отчётов региональных директоров."},
	"signin.login":        {"E-mail or phone", "Эл. почта или телефон"},
	"signin.password":     {"Password", "Пароль"},
	"signin.submit":       {"Sign in", "Войти"},
	"signin.wrong":        {"Wrong login or password.", "Неверный логин или пароль."},
	"signin.disabled":     {"This account is disabled.", "Эта учётная запись отключена."},
	"signin.expired":      {"Your session expired. Sign in again.", "Сеанс истёк. Войдите снова."},
	"signin.signed_out":   {"You have signed out.", "Вы вышли из консоли."},
	"signin.form_expired": {"The sign-in form expired. Try again.", "Форма входа устарела. Попробуйте ещё раз."},
	"signin.failed":       {"Cannot sign in", "Войти не удалось"},

	"staff.title": {"This console is for staff", "Эта консоль — для сотрудников"},
	"staff.text": {"Your password is right, but the console is for the platform's moderators, administrators and directors. Doctors and representatives work in the mobile app: sign in there.",
		"Пароль верный, но консоль предназначена для модераторов, администраторов и директоров платформы. Врачи и представители работают в мобильном приложении — войдите в нём."},
	"staff.back": {"Sign in with another account", "Войти под другой учётной записью"},
}
