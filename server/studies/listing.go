package studies

import (
	"context"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// ListResults lists who owes what in a study, for the admins who run it:
// overdue results first, then those owed, then those submitted, each by
// due date and doctor. An unknown study is refused on study_id.
func (s *Service) ListResults(ctx context.Context, p syncengine.Principal, studyID string) ([]*studiesv1.StudyResult, error) {
	if err := auth.Require(p, auth.RoleAdmin); err != nil {
		return nil, err
	}
	var out []*studiesv1.StudyResult
	err := s.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		if _, err := findStudy(ctx, q, studyID); err != nil {
			if syncengine.ErrorCode(err) == syncengine.ENOTFOUND {
				return &syncengine.Error{Code: syncengine.ENOTFOUND, Message: "no study " + studyID,
					Violations: []syncengine.Violation{{Field: "study_id", Description: "no such study"}}}
			}
			return err
		}
		rows, err := q.Query(ctx, `SELECT `+resultColumns+resultFrom+` WHERE r.study_id = $1
			ORDER BY CASE r.status WHEN $2 THEN 0 WHEN $3 THEN 1 ELSE 2 END, r.due_date, u.display_name, r.visit`,
			studyID, statusOverdue, statusOwed)
		if err != nil {
			return err
		}
		rs, err := sqlq.Collect(rows, scanResult)
		for _, r := range rs {
			out = append(out, r.proto())
		}
		return err
	})
	return out, err
}
