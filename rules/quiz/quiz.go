// Package quiz grades the answers to a training's quiz. The server grades
// every "training.complete" mutation with Grade, and the device can call
// the very same function on the training it holds to show a provisional
// result offline: both sides agree by construction. It depends only on the
// generated content protocol, so it adds nothing to a phone binary.
package quiz

import (
	"fmt"
	"slices"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
)

// Invalid is an answer that does not fit the quiz: a question of another
// training, an option the question does not have, a question answered
// twice. Field names the answer at fault, as in a mutation's arguments
// ("answers[2].question_id").
type Invalid struct {
	Field  string
	Reason string
}

func (e *Invalid) Error() string { return e.Field + ": " + e.Reason }

// Grade scores answers against a quiz. A question counts as right when its
// answer selects exactly its correct options (in any order); an unanswered
// question counts as wrong. The quiz is passed when the share of right
// answers reaches its pass mark. Answers that do not belong to the quiz are
// an *Invalid error, never a silent zero.
func Grade(q *contentv1.Quiz, answers []*contentv1.QuizAnswer) (*contentv1.QuizGrade, error) {
	questions := make(map[string]*contentv1.QuizQuestion, len(q.GetQuestions()))
	for _, qq := range q.GetQuestions() {
		questions[qq.GetId()] = qq
	}
	answered := make(map[string]bool, len(answers))
	var score int32
	for i, a := range answers {
		qq, ok := questions[a.GetQuestionId()]
		if !ok {
			return nil, &Invalid{Field: fmt.Sprintf("answers[%d].question_id", i),
				Reason: fmt.Sprintf("%q is not a question of this training (an answer for another training?)", a.GetQuestionId())}
		}
		if answered[qq.GetId()] {
			return nil, &Invalid{Field: fmt.Sprintf("answers[%d].question_id", i), Reason: fmt.Sprintf("question %q is answered twice", qq.GetId())}
		}
		answered[qq.GetId()] = true
		chosen := slices.Clone(a.GetOptionIds())
		slices.Sort(chosen)
		for j, o := range chosen {
			if j > 0 && chosen[j-1] == o {
				return nil, &Invalid{Field: fmt.Sprintf("answers[%d].option_ids", i), Reason: fmt.Sprintf("option %q is selected twice", o)}
			}
			if !slices.ContainsFunc(qq.GetOptions(), func(opt *contentv1.QuizOption) bool { return opt.GetId() == o }) {
				return nil, &Invalid{Field: fmt.Sprintf("answers[%d].option_ids", i), Reason: fmt.Sprintf("question %q has no option %q", qq.GetId(), o)}
			}
		}
		correct := slices.Clone(qq.GetCorrectOptionIds())
		slices.Sort(correct)
		if len(chosen) > 0 && slices.Equal(chosen, correct) {
			score++
		}
	}
	total := int32(len(q.GetQuestions()))
	mark := q.GetPassMarkPercent()
	return &contentv1.QuizGrade{
		Score:           score,
		Total:           total,
		PassMarkPercent: mark,
		Passed:          total > 0 && int64(score)*100 >= int64(mark)*int64(total),
	}, nil
}
