package studies

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// result is a row of study_results with what its record shows.
type result struct {
	id, studyID, studyTitle, doctorID, doctorName string
	visit                                         int32
	dueDate, status, territoryID                  string
	answers                                       map[string]string
	note, observedOn                              string
	submittedAt, pointsAwarded                    int64
	dueRemindedAt, overdueRemindedAt              int64
	reminderAt                                    int64
	reminderBy                                    string
}

const resultColumns = `r.id, r.study_id, s.title, r.doctor_id, u.display_name, r.visit, r.due_date, r.status, r.territory_id,
	r.answers, r.note, r.observed_on, r.submitted_at, r.points_awarded, r.due_reminded_at, r.overdue_reminded_at, r.reminder_at, r.reminder_by_name`

const resultFrom = ` FROM study_results r JOIN studies s ON s.id = r.study_id JOIN users u ON u.id = r.doctor_id`

func scanResult(row syncengine.Row) (result, error) {
	var c resultScan
	if err := row.Scan(c.dest()...); err != nil {
		return c.r, err
	}
	return c.result()
}

// resultScan receives a result's columns (resultColumns, in order).
type resultScan struct {
	r       result
	visit   int64
	answers string
}

func (c *resultScan) dest() []any {
	r := &c.r
	return []any{&r.id, &r.studyID, &r.studyTitle, &r.doctorID, &r.doctorName, &c.visit, &r.dueDate, &r.status, &r.territoryID,
		&c.answers, &r.note, &r.observedOn, &r.submittedAt, &r.pointsAwarded, &r.dueRemindedAt, &r.overdueRemindedAt, &r.reminderAt, &r.reminderBy}
}

func (c *resultScan) result() (result, error) {
	c.r.visit = int32(c.visit)
	return c.r, json.Unmarshal([]byte(c.answers), &c.r.answers)
}

func findResult(ctx context.Context, q syncengine.Querier, id string) (result, error) {
	r, err := scanResult(q.QueryRow(ctx, `SELECT `+resultColumns+resultFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, syncengine.Errorf(syncengine.ENOTFOUND, "no study result %s", id)
	}
	return r, err
}

var statusProto = map[string]studiesv1.ResultStatus{
	statusOwed:      studiesv1.ResultStatus_RESULT_STATUS_OWED,
	statusOverdue:   studiesv1.ResultStatus_RESULT_STATUS_OVERDUE,
	statusSubmitted: studiesv1.ResultStatus_RESULT_STATUS_SUBMITTED,
}

func (r result) proto() *studiesv1.StudyResult {
	return &studiesv1.StudyResult{
		Id: r.id, StudyId: r.studyID, StudyTitle: r.studyTitle, DoctorId: r.doctorID, DoctorName: r.doctorName,
		Visit: r.visit, DueDate: r.dueDate, Status: statusProto[r.status], Answers: r.answers, Note: r.note,
		ObservedOn: r.observedOn, SubmittedAtUnixMs: r.submittedAt, PointsAwarded: r.pointsAwarded,
		LastReminderAtUnixMs: r.reminderAt, LastReminderBy: r.reminderBy,
	}
}

// syncResult writes a result's record: to the doctor's bucket, and, where
// it is overdue, to the territory's buckets of its reps and of the
// directors of its region.
func syncResult(ctx context.Context, tx syncengine.Tx, id string) (result, error) {
	r, err := findResult(ctx, tx, id)
	if err != nil {
		return r, err
	}
	return r, putResult(tx, r)
}

func putResult(tx syncengine.Tx, r result) error {
	payload, err := proto.Marshal(r.proto())
	if err != nil {
		return err
	}
	buckets := []syncengine.Bucket{syncengine.UserBucket(r.doctorID)}
	if r.status == statusOverdue && r.territoryID != "" {
		buckets = append(buckets, auth.TerritoryBucket(r.territoryID), auth.TerritorySummaryBucket(r.territoryID))
	}
	tx.Put(ResultCollection, r.id, payload, buckets...)
	return nil
}

// resultReturning is resultColumns for a statement's RETURNING clause on
// study_results, which can name no joined table.
const resultReturning = `id, study_id, (SELECT title FROM studies WHERE id = study_results.study_id), doctor_id,
	(SELECT display_name FROM users WHERE id = study_results.doctor_id), visit, due_date, status, territory_id,
	answers, note, observed_on, submitted_at, points_awarded, due_reminded_at, overdue_reminded_at, reminder_at, reminder_by_name`

// submitResult is the mutation "study.submit_result": a doctor submits the
// result of a visit of a study they are enrolled in. An accepted result
// earns the study's points.
var submitResult = mutator.New(func() *studiesv1.SubmitResultArgs { return &studiesv1.SubmitResultArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *studiesv1.SubmitResultArgs) ([]byte, error) {
		p := call.Principal
		if err := auth.Require(p, auth.RoleDoctor); err != nil {
			return nil, err
		}
		// The visit's row is read with the enrolment (one round trip);
		// who is not enrolled learns nothing of it.
		var id, status string
		var submittedAt int64
		visitRow := tx.QueueScan(ctx, []any{&id, &status, &submittedAt}, `SELECT id, status, submitted_at FROM study_results WHERE study_id = $1 AND doctor_id = $2 AND visit = $3`,
			a.StudyId, p.UserID, a.Visit)
		var title, fieldsJSON string
		var perResult int64
		err := tx.QueryRow(ctx, `SELECT s.title, s.fields, s.points_per_result FROM study_enrolments e JOIN studies s ON s.id = e.study_id
			WHERE e.study_id = $1 AND e.doctor_id = $2`, a.StudyId, p.UserID).Scan(&title, &fieldsJSON, &perResult)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &syncengine.Error{Code: syncengine.EPERMISSION, Message: "you are not enrolled in study " + a.StudyId,
				Violations: []syncengine.Violation{{Field: "study_id", Description: "not a study you are enrolled in"}}}
		}
		if err != nil {
			return nil, err
		}
		err = visitRow()
		if errors.Is(err, sql.ErrNoRows) {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM study_results WHERE study_id = $1 AND doctor_id = $2`, a.StudyId, p.UserID).Scan(&n); err != nil {
				return nil, err
			}
			return nil, syncengine.Invalid("no such visit", syncengine.Violation{Field: "visit", Description: fmt.Sprintf("%q has visits 1 to %d", title, n)})
		}
		if err != nil {
			return nil, err
		}
		if status == statusSubmitted {
			return nil, syncengine.Errorf(syncengine.EPRECONDITION, "the result of visit %d of %q was already submitted on %s",
				a.Visit, title, time.UnixMilli(submittedAt).UTC().Format(time.DateOnly))
		}
		var fields []string
		if err := json.Unmarshal([]byte(fieldsJSON), &fields); err != nil {
			return nil, err
		}
		answers, err := checkAnswers(a, fields, tx.Now())
		if err != nil {
			return nil, err
		}
		now := tx.Now().UnixMilli()
		// The credit and the result's update, which returns the record,
		// travel together. The update counts the study's points as
		// awarded; a credit posted before (the entry is unique by result)
		// says how many were, and the row follows it.
		var credit *points.Posting
		if perResult > 0 {
			credit = points.Begin(ctx, tx, points.Entry{UserID: p.UserID, Amount: perResult, Source: points.SourceStudy, SourceID: id})
		}
		var row resultScan
		updated := tx.QueueScan(ctx, row.dest(), `UPDATE study_results SET status = 'submitted', answers = $1, note = $2, observed_on = $3, submitted_at = $4, points_awarded = $5
			WHERE id = $6 RETURNING `+resultReturning, answers, strings.TrimSpace(a.Note), a.ObservedOn, now, perResult, id)
		awarded := perResult
		if credit != nil {
			posted, err := credit.Finish(ctx, fmt.Sprintf("Study %q, visit %d", title, a.Visit))
			if err != nil {
				return nil, err
			}
			awarded = posted.Entry.Amount
		}
		if err := updated(); err != nil {
			return nil, err
		}
		r, err := row.result()
		if err != nil {
			return nil, err
		}
		if awarded != perResult {
			tx.Queue(ctx, `UPDATE study_results SET points_awarded = $1 WHERE id = $2`, awarded, id)
			r.pointsAwarded = awarded
		}
		if err := putResult(tx, r); err != nil {
			return nil, err
		}
		return mutator.Result(&studiesv1.SubmitResultResult{ResultId: id, PointsAwarded: awarded})
	})

// checkAnswers checks a result against the study's fields and returns the
// answers as JSON.
func checkAnswers(a *studiesv1.SubmitResultArgs, fields []string, now time.Time) (string, error) {
	var v []syncengine.Violation
	for _, f := range fields {
		if strings.TrimSpace(a.Answers[f]) == "" {
			v = append(v, syncengine.Violation{Field: "answers." + f, Description: "is required"})
		}
	}
	keys := make([]string, 0, len(a.Answers))
	for k := range a.Answers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(fields, k) {
			v = append(v, syncengine.Violation{Field: "answers." + k, Description: "is not one of the study's fields (" + strings.Join(fields, ", ") + ")"})
		}
	}
	if a.ObservedOn != "" {
		day, err := time.Parse(time.DateOnly, a.ObservedOn)
		// A day ahead of the server's UTC date is still today somewhere.
		if err != nil || day.After(now.UTC().AddDate(0, 0, 1)) {
			v = append(v, syncengine.Violation{Field: "observed_on", Description: "must be a date (YYYY-MM-DD) not in the future"})
		}
	}
	if len(v) > 0 {
		return "", syncengine.Invalid("the result cannot be accepted", v...)
	}
	answers := map[string]string{}
	for k, val := range a.Answers {
		answers[k] = strings.TrimSpace(val)
	}
	b, err := json.Marshal(answers)
	return string(b), err
}
