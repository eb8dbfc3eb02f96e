package content

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/rules/quiz"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func (s *Service) completeTrainingMutator() syncengine.Mutator {
	return mutator.New(func() *contentv1.CompleteTrainingArgs { return &contentv1.CompleteTrainingArgs{} }, s.completeTraining)
}

// completeTraining grades a doctor's quiz answers, made offline perhaps,
// against the version of the training their phone had. A pass credits the
// training's points the first time only (the ledger entry is unique by
// training and doctor); a fail is recorded and can be retried.
func (s *Service) completeTraining(ctx context.Context, tx syncengine.Tx, call syncengine.Call, args *contentv1.CompleteTrainingArgs) ([]byte, error) {
	p := call.Principal
	if err := auth.RequireVerifiedDoctor(p); err != nil {
		return nil, err
	}
	// The version they took is read with the item (one round trip).
	version := queueVersion(ctx, tx, args.TrainingId, args.TrainingVersion)
	r, err := readableBy(ctx, tx, args.TrainingId, auth.ClaimsOf(p))
	if err != nil {
		return nil, err
	}
	if r.item.Kind != contentv1.ItemKind_ITEM_KIND_TRAINING {
		return nil, syncengine.Invalid("this is not a training", syncengine.Violation{Field: "training_id", Description: "is a " + kindName(r.item.Kind) + ", which has no quiz"})
	}
	now := tx.Now().UnixMilli()
	if err := s.acceptsCompletions(r, now); err != nil {
		return nil, err
	}
	taken, err := version()
	if err != nil {
		return nil, err
	}
	training := taken.GetTraining()
	grade, err := quiz.Grade(training.GetQuiz(), args.Answers)
	var invalid *quiz.Invalid
	if errors.As(err, &invalid) {
		return nil, syncengine.Invalid("the answers do not fit the quiz of "+taken.Title, syncengine.Violation{Field: invalid.Field, Description: invalid.Reason})
	}
	if err != nil {
		return nil, err
	}
	// The status row serialises one doctor's completions of a training:
	// two devices passing at once pay once. Its update returns the whole
	// row, which is the doctor's status record. The writes whose results
	// nothing reads are queued, to travel with the next statement that is
	// read.
	tx.Queue(ctx, `INSERT INTO content_training_status (user_id, training_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT (user_id, training_id) DO NOTHING`,
		p.UserID, args.TrainingId, now)
	st := &contentv1.TrainingStatus{TrainingId: args.TrainingId}
	var attempts, best, total int64
	if err := tx.QueryRow(ctx, `UPDATE content_training_status SET attempts = attempts + 1,
			best_score = CASE WHEN best_score < $3 THEN $3 ELSE best_score END, total = $4, updated_at = $5
		WHERE user_id = $1 AND training_id = $2 RETURNING attempts, best_score, total, passed_at, passed_version, points_awarded`,
		p.UserID, args.TrainingId, grade.Score, grade.Total, now).
		Scan(&attempts, &best, &total, &st.PassedAtUnixMs, &st.PassedVersion, &st.PointsAwarded); err != nil {
		return nil, err
	}
	tx.Queue(ctx, `INSERT INTO content_training_attempts (id, user_id, training_id, version, score, total, passed, client_id, mutation_seq, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		uuid.NewString(), p.UserID, args.TrainingId, args.TrainingVersion, grade.Score, grade.Total, grade.Passed, call.ClientID, call.Mutation.Seq, now)
	res := &contentv1.CompleteTrainingResult{Grade: grade, AlreadyPassed: st.PassedAtUnixMs != 0}
	firstPass := grade.Passed && st.PassedAtUnixMs == 0
	var credit *points.Posting
	if firstPass && training.GetPoints() > 0 {
		credit = points.Begin(ctx, tx, points.Entry{UserID: p.UserID, Amount: training.GetPoints(), Source: points.SourceTraining,
			SourceID: args.TrainingId + ":" + p.UserID})
	}
	var passed int64
	if firstPass {
		passed = now
	}
	// Taking the quiz means the doctor went through the course; the
	// progress row travels with the credit.
	progress := recordProgressRow(ctx, tx, p.UserID, args.TrainingId, auth.ClaimsOf(p), now, now, passed)
	if credit != nil {
		posted, err := credit.Finish(ctx, "training passed: "+taken.Title)
		if err != nil {
			return nil, err
		}
		if posted.New {
			res.PointsAwarded = training.GetPoints()
		}
	}
	if err := progress(); err != nil {
		return nil, err
	}
	if firstPass {
		tx.Queue(ctx, `UPDATE content_training_status SET passed_at = $3, passed_version = $4, points_awarded = $5 WHERE user_id = $1 AND training_id = $2`,
			p.UserID, args.TrainingId, now, args.TrainingVersion, res.PointsAwarded)
		st.PassedAtUnixMs, st.PassedVersion, st.PointsAwarded = now, args.TrainingVersion, res.PointsAwarded
	}
	st.Attempts, st.BestScore, st.Total, st.Passed = int32(attempts), int32(best), int32(total), st.PassedAtUnixMs != 0
	b, err := proto.Marshal(st)
	if err != nil {
		return nil, err
	}
	tx.Put(TrainingStatusCollection, p.UserID+":"+args.TrainingId, b, syncengine.UserBucket(p.UserID))
	return mutator.Result(res)
}

// acceptsCompletions refuses completions of a training withdrawn or not
// started, and of one whose window ended longer ago than the grace a
// doctor who took it offline is given.
func (s *Service) acceptsCompletions(r *row, now int64) error {
	it := r.item
	switch {
	case !r.published:
		return syncengine.Errorf(syncengine.EPRECONDITION, "the training %q has been withdrawn", it.Title)
	case now < it.StartsAtUnixMs:
		return syncengine.Errorf(syncengine.EPRECONDITION, "the training %q opens at %s", it.Title, stamp(it.StartsAtUnixMs))
	case it.EndsAtUnixMs != 0 && now >= it.EndsAtUnixMs+s.cfg.CompletionGrace.Milliseconds():
		return syncengine.Errorf(syncengine.EPRECONDITION, "the training %q ended at %s", it.Title, stamp(it.EndsAtUnixMs))
	}
	return nil
}

// queueVersion queues the read of a version of an item that reached
// phones (syncengine.Tx.QueueScan); the function it returns answers it.
func queueVersion(ctx context.Context, tx syncengine.Tx, id string, version int64) func() (*contentv1.Item, error) {
	var payload []byte
	wait := tx.QueueScan(ctx, []any{&payload}, `SELECT payload FROM content_versions WHERE item_id = $1 AND version = $2 AND published = $3`, id, version, true)
	return func() (*contentv1.Item, error) {
		err := wait()
		if errors.Is(err, sql.ErrNoRows) {
			return nil, syncengine.Invalid("unknown version of the training", syncengine.Violation{Field: "training_version",
				Description: "version " + itoa(version) + " of " + id + " was never published"})
		}
		if err != nil {
			return nil, err
		}
		it := &contentv1.Item{}
		return it, proto.Unmarshal(payload, it)
	}
}
