package studies

import (
	"context"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Progress is where one enrolled doctor stands in a study.
type Progress struct {
	DoctorID, DoctorName, StartDate string
	// Owed are results not yet due or due and not yet marked overdue,
	// Overdue those past their due date, Submitted those handed in.
	Owed, Overdue, Submitted int64
	// NextDue is the earliest due date of a result not handed in, "" when
	// all are.
	NextDue string
}

// StudyProgress lists a study's doctors with the results they owe and
// those overdue, the most overdue first; admins may.
func (s *Service) StudyProgress(ctx context.Context, p syncengine.Principal, studyID string) (Study, []Progress, error) {
	if err := auth.Require(p, auth.RoleAdmin); err != nil {
		return Study{}, nil, err
	}
	var st Study
	var out []Progress
	err := s.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		var err error
		if st, err = findStudy(ctx, q, studyID); err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT e.doctor_id, u.display_name, e.start_date,
			COALESCE(SUM(CASE WHEN r.status = 'owed' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN r.status = 'overdue' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN r.status = 'submitted' THEN 1 ELSE 0 END), 0),
			COALESCE(MIN(CASE WHEN r.status <> 'submitted' THEN r.due_date END), '')
			FROM study_enrolments e JOIN users u ON u.id = e.doctor_id
			LEFT JOIN study_results r ON r.study_id = e.study_id AND r.doctor_id = e.doctor_id
			WHERE e.study_id = $1 GROUP BY e.doctor_id, u.display_name, e.start_date ORDER BY 5 DESC, 2, 1`, studyID)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(row syncengine.Row) (Progress, error) {
			var pr Progress
			err := row.Scan(&pr.DoctorID, &pr.DoctorName, &pr.StartDate, &pr.Owed, &pr.Overdue, &pr.Submitted, &pr.NextDue)
			return pr, err
		})
		return err
	})
	return st, out, err
}
