package studies

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Figures are the observational studies' figures of the directors'
// reports. A result is late when it was submitted after the reminder job
// had marked it overdue and told the doctor.
func Figures() []figure.Figure {
	results := func(cond string, day bool) func(figure.Scope) figure.Events {
		return func(s figure.Scope) figure.Events {
			e := figure.Events{From: `FROM study_results r WHERE ` + s.Doctors("r.doctor_id") + cond, At: "r.submitted_at", By: "r.study_id"}
			if day {
				e.At, e.Day = "", "r.due_date"
			}
			return e
		}
	}
	return []figure.Figure{
		{Key: "study_enrolled", Label: "Doctors enrolled in studies", Group: figure.GroupStudies, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM study_enrolments en WHERE ` + s.Doctors("en.doctor_id"), At: "en.enrolled_at", By: "en.study_id"}
		}},
		{Key: "results_due", Label: "Study results due", Group: figure.GroupStudies, Events: results("", true)},
		{Key: "results_on_time", Label: "Study results submitted on time", Group: figure.GroupStudies, Events: results(" AND r.submitted_at > 0 AND r.overdue_reminded_at = 0", false)},
		{Key: "results_late", Label: "Study results submitted late", Group: figure.GroupStudies, Events: results(" AND r.submitted_at > 0 AND r.overdue_reminded_at > 0", false)},
		{Key: "study_reminders", Label: "Study reminders sent by reps", Group: figure.GroupReps, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM study_results r WHERE r.reminder_at > 0 AND ` + s.Doctors("r.doctor_id"), At: "r.reminder_at"}
		}},
		{Key: "overdue_results", Label: "Study results overdue now", Group: figure.GroupStudies, State: func(ctx context.Context, q syncengine.Querier, s figure.Scope, at []time.Time) ([]int64, error) {
			var n int64
			err := q.QueryRow(ctx, `SELECT count(*) FROM study_results r WHERE r.status = 'overdue' AND `+s.Doctors("r.doctor_id"), s.Arg()).Scan(&n)
			return figure.Same(n, at), err
		}},
	}
}

// Lists are the studies' drill-down tables: the doctors overdue now, with
// the reps of their territory.
func Lists() []figure.List {
	return []figure.List{{Key: "overdue_doctors", Title: "Doctors with overdue study results", Columns: []string{"doctor_id", "doctor", "study", "due", "reps"},
		Rows: func(ctx context.Context, q syncengine.Querier, s figure.Scope, _ time.Time, limit int) ([][]string, error) {
			return figure.Rows(ctx, q, `SELECT r.doctor_id, u.display_name, st.title, r.due_date,
				COALESCE((SELECT min(ru.display_name) FROM doctors d JOIN rep_territories rt ON rt.territory_id = d.territory_id JOIN users ru ON ru.id = rt.user_id WHERE d.user_id = r.doctor_id), '')
				FROM study_results r JOIN users u ON u.id = r.doctor_id JOIN studies st ON st.id = r.study_id
				WHERE r.status = 'overdue' AND `+s.Doctors("r.doctor_id")+` ORDER BY r.due_date, u.display_name, r.id LIMIT $2`, 5, s.Arg(), limit)
		}}}
}
