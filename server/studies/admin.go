package studies

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Study is a study's definition.
type Study struct {
	ID          string
	Title       string
	Description string
	// VisitWeeks holds, per visit, the weeks from a doctor's start to the
	// visit's due date: [0, 4, 8] is visit 1 at week 0, visit 2 at week 4...
	VisitWeeks      []int32
	Fields          []string
	PointsPerResult int64
	RegionID        string
	CreatedAt       time.Time
}

var fieldPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func (st Study) validate(ctx context.Context, q syncengine.Querier) (Study, error) {
	var v []syncengine.Violation
	st.Title, st.Description = strings.TrimSpace(st.Title), strings.TrimSpace(st.Description)
	if st.Title == "" || len([]rune(st.Title)) > 200 {
		v = append(v, syncengine.Violation{Field: "title", Description: "is required (at most 200 characters)"})
	}
	if len([]rune(st.Description)) > 5000 {
		v = append(v, syncengine.Violation{Field: "description", Description: "at most 5000 characters"})
	}
	switch {
	case len(st.VisitWeeks) == 0 || len(st.VisitWeeks) > 52:
		v = append(v, syncengine.Violation{Field: "visit_weeks", Description: "1 to 52 visits, e.g. 0, 4, 8"})
	default:
		for i, w := range st.VisitWeeks {
			if w < 0 || w > 520 || (i > 0 && w <= st.VisitWeeks[i-1]) {
				v = append(v, syncengine.Violation{Field: fmt.Sprintf("visit_weeks[%d]", i), Description: "weeks must grow from visit to visit, from 0 to 520"})
				break
			}
		}
	}
	seen := map[string]bool{}
	for i, f := range st.Fields {
		if !fieldPattern.MatchString(f) || seen[f] {
			v = append(v, syncengine.Violation{Field: fmt.Sprintf("fields[%d]", i), Description: "a field is a distinct lowercase key such as iga_score"})
		}
		seen[f] = true
	}
	if len(st.Fields) > 50 {
		v = append(v, syncengine.Violation{Field: "fields", Description: "at most 50"})
	}
	if st.PointsPerResult < 0 || st.PointsPerResult > 100000 {
		v = append(v, syncengine.Violation{Field: "points_per_result", Description: "0 to 100000"})
	}
	if st.RegionID != "" {
		var n int64
		if err := q.QueryRow(ctx, `SELECT count(*) FROM regions WHERE id = $1`, st.RegionID).Scan(&n); err != nil {
			return st, err
		}
		if n == 0 {
			v = append(v, syncengine.Violation{Field: "region_id", Description: "no region " + st.RegionID})
		}
	}
	if len(v) > 0 {
		return st, syncengine.Invalid("the study cannot be created", v...)
	}
	return st, nil
}

// CreateStudy defines a study; only admins may.
func (s *Service) CreateStudy(ctx context.Context, p syncengine.Principal, st Study) (Study, error) {
	if err := auth.Require(p, auth.RoleAdmin); err != nil {
		return Study{}, err
	}
	err := s.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		var err error
		if st, err = st.validate(ctx, tx); err != nil {
			return err
		}
		if st.Fields == nil {
			st.Fields = []string{}
		}
		st.ID, st.CreatedAt = uuid.NewString(), tx.Now()
		weeks, _ := json.Marshal(st.VisitWeeks)
		fields, _ := json.Marshal(st.Fields)
		_, err = tx.Exec(ctx, `INSERT INTO studies (id, title, description, visit_weeks, fields, points_per_result, region_id, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			st.ID, st.Title, st.Description, string(weeks), string(fields), st.PointsPerResult, st.RegionID, p.UserID, st.CreatedAt.UnixMilli())
		return err
	})
	return st, err
}

const studyColumns = `id, title, description, visit_weeks, fields, points_per_result, region_id, created_at`

func scanStudy(row syncengine.Row) (Study, error) {
	var st Study
	var weeks, fields string
	var created int64
	if err := row.Scan(&st.ID, &st.Title, &st.Description, &weeks, &fields, &st.PointsPerResult, &st.RegionID, &created); err != nil {
		return st, err
	}
	st.CreatedAt = time.UnixMilli(created)
	if err := json.Unmarshal([]byte(weeks), &st.VisitWeeks); err != nil {
		return st, err
	}
	return st, json.Unmarshal([]byte(fields), &st.Fields)
}

func findStudy(ctx context.Context, q syncengine.Querier, id string) (Study, error) {
	st, err := scanStudy(q.QueryRow(ctx, `SELECT `+studyColumns+` FROM studies WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return st, syncengine.Errorf(syncengine.ENOTFOUND, "no study %s", id)
	}
	return st, err
}

// ListStudies lists studies, newest first; admins may.
func (s *Service) ListStudies(ctx context.Context, p syncengine.Principal) ([]Study, error) {
	if err := auth.Require(p, auth.RoleAdmin); err != nil {
		return nil, err
	}
	var out []Study
	err := s.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+studyColumns+` FROM studies ORDER BY created_at DESC, id`)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, scanStudy)
		return err
	})
	return out, err
}

// StudyProto encodes a study for the wire.
func StudyProto(st Study) *studiesv1.Study {
	return &studiesv1.Study{Id: st.ID, Title: st.Title, Description: st.Description, VisitWeeks: st.VisitWeeks, Fields: st.Fields,
		PointsPerResult: st.PointsPerResult, RegionId: st.RegionID, CreatedAtUnixMs: st.CreatedAt.UnixMilli()}
}

// EnrolDoctor enrols a verified doctor in a study from a start date (their
// local today if empty) and creates the results they owe; only admins may.
func (s *Service) EnrolDoctor(ctx context.Context, p syncengine.Principal, studyID, doctorID, startDate string) (*studiesv1.StudyEnrolment, []*studiesv1.StudyResult, error) {
	if err := auth.Require(p, auth.RoleAdmin); err != nil {
		return nil, nil, err
	}
	var start time.Time
	if startDate != "" {
		var err error
		if start, err = time.Parse(time.DateOnly, startDate); err != nil {
			return nil, nil, syncengine.Invalid("cannot enrol", syncengine.Violation{Field: "start_date", Description: "must be a date, YYYY-MM-DD"})
		}
	}
	var enrolment *studiesv1.StudyEnrolment
	var results []*studiesv1.StudyResult
	err := s.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		results = results[:0]
		st, err := findStudy(ctx, tx, studyID)
		if err != nil {
			return err
		}
		doc, err := auth.FindUser(ctx, tx, doctorID)
		if err != nil {
			return err
		}
		switch {
		case doc.Role != auth.RoleDoctor:
			return syncengine.Errorf(syncengine.EPRECONDITION, "%s is a %s account; only doctors take part in studies", doctorID, doc.Role)
		case !doc.Verified:
			return syncengine.Errorf(syncengine.EPRECONDITION, "%s's diploma is not verified yet", doc.Name)
		case st.RegionID != "" && doc.RegionID != st.RegionID:
			return syncengine.Errorf(syncengine.EPRECONDITION, "study %q is for region %s; %s is in %s", st.Title, st.RegionID, doc.Name, doc.RegionID)
		}
		if start.IsZero() {
			zone, err := notify.UserZone(ctx, tx, doctorID)
			if err != nil {
				return err
			}
			y, m, d := tx.Now().In(zone).Date()
			start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		now := tx.Now().UnixMilli()
		n, err := tx.Exec(ctx, `INSERT INTO study_enrolments (study_id, doctor_id, start_date, enrolled_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (study_id, doctor_id) DO NOTHING`, st.ID, doctorID, start.Format(time.DateOnly), now)
		if err != nil {
			return err
		}
		if n == 0 {
			return syncengine.Errorf(syncengine.ECONFLICT, "%s is already enrolled in %q", doc.Name, st.Title)
		}
		for i, w := range st.VisitWeeks {
			id := uuid.NewString()
			due := start.AddDate(0, 0, 7*int(w)).Format(time.DateOnly)
			if _, err := tx.Exec(ctx, `INSERT INTO study_results (id, study_id, doctor_id, visit, due_date, status) VALUES ($1, $2, $3, $4, $5, 'owed')`,
				id, st.ID, doctorID, i+1, due); err != nil {
				return err
			}
			r, err := syncResult(ctx, tx, id)
			if err != nil {
				return err
			}
			results = append(results, r.proto())
		}
		enrolment = &studiesv1.StudyEnrolment{Study: StudyProto(st), DoctorId: doctorID, StartDate: start.Format(time.DateOnly)}
		payload, err := proto.Marshal(enrolment)
		if err != nil {
			return err
		}
		tx.Put(EnrolmentCollection, st.ID+"/"+doctorID, payload, syncengine.UserBucket(doctorID))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return enrolment, results, nil
}
