package content

import (
	"context"
	"errors"
	"fmt"
	"time"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/rules/quiz"
)

// RecordProgress records, offline if need be, that the doctor opened or
// finished an item on the phone. It shows at once in ProgressOf; the
// server keeps the first time of each.
func RecordProgress(ctx context.Context, r *sdk.Replica, itemID string, event contentv1.ProgressEvent) (int64, error) {
	if event != contentv1.ProgressEvent_PROGRESS_EVENT_OPENED && event != contentv1.ProgressEvent_PROGRESS_EVENT_FINISHED {
		return 0, fmt.Errorf("content: progress event %v: want opened or finished", event)
	}
	return r.MutateProto(ctx, MutationRecordProgress, &contentv1.RecordProgressArgs{ItemId: itemID, Event: event})
}

// CompleteTraining submits the doctor's quiz answers to a training on the
// phone, offline if need be, and returns the provisional grade: the one
// the server will give, since both grade with quiz.Grade against the same
// version. The training's status (TrainingStatusOf) shows the result at
// once; points are credited by the server, once, and reach the phone with
// the next sync. Answers that do not fit the quiz are refused here and
// nothing is queued.
func CompleteTraining(ctx context.Context, r *sdk.Replica, trainingID string, answers []*contentv1.QuizAnswer) (*contentv1.QuizGrade, int64, error) {
	it, ok, err := Items.Get(ctx, r, trainingID)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, fmt.Errorf("content: training %q %w", trainingID, errNotOnPhone)
	}
	if it.GetTraining() == nil {
		return nil, 0, fmt.Errorf("content: %q is not a training", trainingID)
	}
	grade, err := quiz.Grade(it.GetTraining().GetQuiz(), answers)
	if err != nil {
		return nil, 0, fmt.Errorf("content: the answers do not fit the quiz of %q: %w", it.GetTitle(), err)
	}
	id, err := r.MutateProto(ctx, MutationCompleteTraining, &contentv1.CompleteTrainingArgs{
		TrainingId: trainingID, TrainingVersion: it.GetVersion(), Answers: answers})
	if err != nil {
		return nil, 0, err
	}
	return grade, id, nil
}

// ProgressOf returns the doctor's reading of an item as the phone knows it.
func ProgressOf(ctx context.Context, r *sdk.Replica, itemID string) (*contentv1.Progress, bool, error) {
	ps, err := Progress.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "item_id", Op: sdk.Eq, Value: itemID}}, Limit: 1})
	if err != nil || len(ps) == 0 {
		return nil, false, err
	}
	return ps[0], true, nil
}

// TrainingStatusOf returns the doctor's record with a training as the
// phone knows it.
func TrainingStatusOf(ctx context.Context, r *sdk.Replica, trainingID string) (*contentv1.TrainingStatus, bool, error) {
	ss, err := TrainingStatuses.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "training_id", Op: sdk.Eq, Value: trainingID}}, Limit: 1})
	if err != nil || len(ss) == 0 {
		return nil, false, err
	}
	return ss[0], true, nil
}

// The optimistic side of the mutations mirrors server/content: the first
// opening and finish of an item count; a completed quiz counts an attempt,
// keeps the best score and, the first time it passes, the training's
// points. Times are the phone's until the server's state replaces them.

func recordProgress(tx *sdk.LocalTx, a *contentv1.RecordProgressArgs) error {
	if _, err := itemOnPhone(tx, a.GetItemId()); err != nil {
		return err
	}
	finished := a.GetEvent() == contentv1.ProgressEvent_PROGRESS_EVENT_FINISHED
	return touchProgress(tx, a.GetItemId(), finished)
}

func touchProgress(tx *sdk.LocalTx, itemID string, finished bool) error {
	key, p, ok, err := findByItem(tx, Progress, "item_id", itemID)
	if err != nil {
		return err
	}
	if !ok {
		p = &contentv1.Progress{ItemId: itemID}
	}
	now := time.Now().UnixMilli()
	if p.OpenedAtUnixMs == 0 {
		p.OpenedAtUnixMs = now
	}
	if finished && p.FinishedAtUnixMs == 0 {
		p.FinishedAtUnixMs = now
	}
	return Progress.Put(tx, key, p)
}

func completeTraining(tx *sdk.LocalTx, a *contentv1.CompleteTrainingArgs) error {
	it, err := itemOnPhone(tx, a.GetTrainingId())
	if err != nil {
		return err
	}
	tr := it.GetTraining()
	if tr == nil {
		return fmt.Errorf("content: %q is not a training", it.GetTitle())
	}
	if it.GetVersion() != a.GetTrainingVersion() {
		// The phone now holds another version than the one taken: only
		// the server, which keeps them all, can grade it.
		return nil
	}
	grade, err := quiz.Grade(tr.GetQuiz(), a.GetAnswers())
	var invalid *quiz.Invalid
	if errors.As(err, &invalid) {
		return fmt.Errorf("content: the answers do not fit the quiz of %q: %w", it.GetTitle(), err)
	}
	if err != nil {
		return err
	}
	key, st, ok, err := findByItem(tx, TrainingStatuses, "training_id", a.GetTrainingId())
	if err != nil {
		return err
	}
	if !ok {
		st = &contentv1.TrainingStatus{TrainingId: a.GetTrainingId()}
	}
	st.Attempts++
	st.BestScore = max(st.BestScore, grade.GetScore())
	st.Total = grade.GetTotal()
	if grade.GetPassed() && !st.Passed {
		st.Passed = true
		st.PassedAtUnixMs = time.Now().UnixMilli()
		st.PassedVersion = a.GetTrainingVersion()
		st.PointsAwarded = tr.GetPoints()
	}
	if err := TrainingStatuses.Put(tx, key, st); err != nil {
		return err
	}
	return touchProgress(tx, a.GetTrainingId(), true)
}
