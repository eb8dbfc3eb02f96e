package content_test

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	"github.com/ordinatorhq/ordinator/rules/quiz"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// answers answers a training's two questions: right, or wrong on the first.
func answers(tr *contentv1.Item, right bool) []*contentv1.QuizAnswer {
	qs := tr.GetTraining().GetQuiz().GetQuestions()
	first := "b"
	if !right {
		first = "a"
	}
	return []*contentv1.QuizAnswer{{QuestionId: qs[0].Id, OptionIds: []string{first}}, {QuestionId: qs[1].Id, OptionIds: []string{"c", "a"}}}
}

func complete(tr *contentv1.Item, ans []*contentv1.QuizAnswer) *contentv1.CompleteTrainingArgs {
	return &contentv1.CompleteTrainingArgs{TrainingId: tr.Id, TrainingVersion: tr.Version, Answers: ans}
}

func result(t *testing.T, o syncengine.Outcome) *contentv1.CompleteTrainingResult {
	t.Helper()
	if o.Status != syncengine.StatusApplied {
		t.Fatalf("outcome %d rejected: %v", o.Seq, o.Error)
	}
	r := &contentv1.CompleteTrainingResult{}
	if err := proto.Unmarshal(o.Result, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) balance(userID string) (balance, trainingEntries int64) {
	e.t.Helper()
	must(e.t, e.store.View(e.ctx, func(q syncengine.Querier) error {
		var err error
		if balance, err = points.Balance(e.ctx, q, userID); err != nil {
			return err
		}
		return q.QueryRow(e.ctx, `SELECT count(*) FROM points_ledger WHERE user_id = $1 AND source = $2`, userID, points.SourceTraining).Scan(&trainingEntries)
	}))
	return balance, trainingEntries
}

func TestTrainingPassedOfflineEarnsPointsOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		doc := e.doctor("doc", "dermatology", "msk", true)
		e.create(training("course", 50, derm, msk))
		e.publish("course")
		doc.Sync()
		tr := doc.items()["course"]
		if tr == nil || tr.Version != 1 || len(tr.GetTraining().GetQuiz().GetQuestions()) != 2 {
			t.Fatalf("the phone has %v", tr)
		}
		// Offline, the doctor fails, then passes; the phone shows a
		// provisional result with the server's own grader.
		if g, err := quiz.Grade(tr.GetTraining().GetQuiz(), answers(tr, true)); err != nil || !g.Passed {
			t.Fatalf("provisional grade: %v %v", g, err)
		}
		fail := doc.Mutation(content.MutationCompleteTraining, complete(tr, answers(tr, false)))
		pass := doc.Mutation(content.MutationCompleteTraining, complete(tr, answers(tr, true)))
		// Meanwhile the editors change the quiz: the answers are graded
		// against the version the phone had.
		changed := training("course", 80, derm, msk)
		changed.GetTraining().GetQuiz().GetQuestions()[0].CorrectOptionIds = []string{"c"}
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, changed, 1); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(3 * time.Hour)

		outs := doc.Push(fail, pass)
		if r := result(t, outs[0]); r.Grade.Passed || r.Grade.Score != 1 || r.PointsAwarded != 0 {
			t.Fatalf("failed attempt: %v", r)
		}
		if r := result(t, outs[1]); !r.Grade.Passed || r.Grade.Score != 2 || r.PointsAwarded != 50 || r.AlreadyPassed {
			t.Fatalf("passing attempt: %v", r)
		}
		// The response is lost; the phone pushes its outbox again.
		again := doc.Push(fail, pass)
		if !again[1].Replayed || !proto.Equal(result(t, again[1]), result(t, outs[1])) {
			t.Fatalf("retried push: %+v", again[1])
		}
		// Completing it once more (a new mutation) pays nothing.
		r := result(t, doc.Push(doc.Mutation(content.MutationCompleteTraining, complete(tr, answers(tr, true))))[0])
		if !r.Grade.Passed || !r.AlreadyPassed || r.PointsAwarded != 0 {
			t.Fatalf("second pass: %v", r)
		}
		if bal, entries := e.balance(doc.user.ID); bal != 50 || entries != 1 {
			t.Fatalf("balance %d from %d training entries, want 50 from 1", bal, entries)
		}
		// The phone learns the same through sync.
		doc.Sync()
		mine := syncengine.UserBucket(doc.user.ID)
		st := servertest.Record[contentv1.TrainingStatus](doc.Device, content.TrainingStatusCollection, doc.user.ID+":course", mine)
		if !st.GetPassed() || st.GetAttempts() != 3 || st.GetPassedVersion() != 1 || st.GetPointsAwarded() != 50 || st.GetBestScore() != 2 {
			t.Fatalf("training status on the phone: %v", st)
		}
		bal := servertest.Record[pointsv1.PointsBalance](doc.Device, points.BalanceCollection, doc.user.ID, mine)
		if bal.GetBalance() != 50 {
			t.Fatalf("balance on the phone: %v", bal)
		}
		pr := servertest.Record[contentv1.Progress](doc.Device, content.ProgressCollection, doc.user.ID+":course", mine)
		if pr.GetOpenedAtUnixMs() == 0 || pr.GetFinishedAtUnixMs() == 0 {
			t.Fatalf("progress on the phone: %v", pr)
		}
	})
}

func TestTrainingCompletionRefusals(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		doc := e.doctor("doc", "dermatology", "msk", true)
		e.create(training("a", 10, derm, msk))
		e.create(training("b", 10, derm, msk))
		e.create(article("read", "Статья", "Текст.", derm, msk))
		for _, id := range []string{"a", "b", "read"} {
			e.publish(id)
		}
		doc.Sync()
		a, b := doc.items()["a"], doc.items()["b"]
		rejected := func(args *contentv1.CompleteTrainingArgs, wantCode, field string) {
			t.Helper()
			o := doc.Push(doc.Mutation(content.MutationCompleteTraining, args))[0]
			if o.Status != syncengine.StatusRejected || o.Error.Code != wantCode ||
				(field != "" && !slices.ContainsFunc(o.Error.Violations, func(v syncengine.Violation) bool { return v.Field == field })) {
				t.Fatalf("%v: outcome %v %+v, want %s on %q", args, o.Status, o.Error, wantCode, field)
			}
		}
		// An answer for another training's question.
		mixed := answers(a, true)
		mixed[1] = answers(b, true)[1]
		rejected(complete(a, mixed), "invalid", "answers[1].question_id")
		rejected(complete(a, []*contentv1.QuizAnswer{{QuestionId: a.GetTraining().GetQuiz().GetQuestions()[0].Id, OptionIds: []string{"z"}}}), "invalid", "answers[0].option_ids")
		rejected(&contentv1.CompleteTrainingArgs{TrainingId: "read", TrainingVersion: 1, Answers: answers(a, true)}, "invalid", "training_id")
		rejected(&contentv1.CompleteTrainingArgs{TrainingId: "a", TrainingVersion: 7, Answers: answers(a, true)}, "invalid", "training_version")
		rejected(&contentv1.CompleteTrainingArgs{TrainingId: "nowhere", TrainingVersion: 1, Answers: answers(a, true)}, "not_found", "")
		rejected(&contentv1.CompleteTrainingArgs{TrainingId: "a", TrainingVersion: 1}, "invalid", "answers")
		if bal, entries := e.balance(doc.user.ID); bal != 0 || entries != 0 {
			t.Fatalf("refused completions paid %d (%d entries)", bal, entries)
		}
		doc.Sync()
		if got := servertest.Records[contentv1.TrainingStatus](doc.Device, content.TrainingStatusCollection); len(got) != 0 {
			t.Fatalf("refused completions left a status: %v", got)
		}

		// A withdrawn training.
		if _, err := e.svc.UnpublishItem(e.ctx, e.editor, "b"); err != nil {
			t.Fatal(err)
		}
		rejected(complete(b, answers(b, true)), "failed_precondition", "")

		// Not for this doctor: another specialty, or not verified.
		onco := e.doctor("onco", "oncology", "msk", true)
		o := onco.Push(onco.Mutation(content.MutationCompleteTraining, complete(a, answers(a, true))))[0]
		if o.Status != syncengine.StatusRejected || o.Error.Code != "not_found" {
			t.Fatalf("oncologist completing a dermatology training: %+v", o.Error)
		}
		newcomer := e.doctor("newcomer", "dermatology", "msk", false)
		o = newcomer.Push(newcomer.Mutation(content.MutationCompleteTraining, complete(a, answers(a, true))))[0]
		if o.Status != syncengine.StatusRejected || o.Error.Code != "permission_denied" {
			t.Fatalf("unverified doctor completing: %+v", o.Error)
		}

		// A window that ended: completions made offline are accepted for
		// the grace period, then refused.
		ending := training("ending", 10, derm, msk)
		ending.EndsAtUnixMs = e.clock.Now().Add(time.Hour).UnixMilli()
		e.create(ending)
		e.publish("ending")
		doc.Sync()
		late := doc.items()["ending"]
		e.clock.Advance(2 * time.Hour)
		if _, err := e.svc.Reevaluate(e.ctx); err != nil {
			t.Fatal(err)
		}
		if r := result(t, doc.Push(doc.Mutation(content.MutationCompleteTraining, complete(late, answers(late, true))))[0]); r.PointsAwarded != 10 {
			t.Fatalf("completion within the grace: %v", r)
		}
		e.clock.Advance(72 * time.Hour)
		rejected(complete(late, answers(late, false)), "failed_precondition", "")
	})
}
