package content

import "github.com/ordinatorhq/ordinator/server/reports/figure"

// Figures are the content's figures of the directors' reports.
func Figures() []figure.Figure {
	progress := func(at string) func(figure.Scope) figure.Events {
		return func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM content_progress p WHERE ` + at + ` > 0 AND ` + s.Doctors("p.user_id"), At: at, By: "p.specialty"}
		}
	}
	return []figure.Figure{
		{Key: "content_opened", Label: "Content opened", Group: figure.GroupDoctors, Events: progress("p.opened_at")},
		{Key: "content_finished", Label: "Content finished", Group: figure.GroupDoctors, Events: progress("p.finished_at")},
		{Key: "trainings_passed", Label: "Trainings passed", Group: figure.GroupDoctors, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM content_training_status ts WHERE ts.passed_at > 0 AND ` + s.Doctors("ts.user_id"), At: "ts.passed_at"}
		}},
	}
}
