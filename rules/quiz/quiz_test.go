package quiz_test

import (
	"errors"
	"fmt"
	"testing"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/rules/quiz"
)

func sample() *contentv1.Quiz {
	opts := func(ids ...string) []*contentv1.QuizOption {
		var out []*contentv1.QuizOption
		for _, id := range ids {
			out = append(out, &contentv1.QuizOption{Id: id, Text: "option " + id})
		}
		return out
	}
	return &contentv1.Quiz{PassMarkPercent: 67, Questions: []*contentv1.QuizQuestion{
		{Id: "q1", Options: opts("a", "b", "c"), CorrectOptionIds: []string{"b"}},
		{Id: "q2", Options: opts("a", "b", "c"), CorrectOptionIds: []string{"a", "c"}},
		{Id: "q3", Options: opts("a", "b"), CorrectOptionIds: []string{"a"}},
	}}
}

func answer(q string, opts ...string) *contentv1.QuizAnswer {
	return &contentv1.QuizAnswer{QuestionId: q, OptionIds: opts}
}

func TestGrade(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []*contentv1.QuizAnswer
		score   int32
		passed  bool
	}{
		{"all right", []*contentv1.QuizAnswer{answer("q1", "b"), answer("q2", "c", "a"), answer("q3", "a")}, 3, true},
		{"two of three reach 67%", []*contentv1.QuizAnswer{answer("q1", "b"), answer("q2", "a", "c"), answer("q3", "b")}, 2, false},
		{"a partial multi-answer is wrong", []*contentv1.QuizAnswer{answer("q1", "b"), answer("q2", "a"), answer("q3", "a")}, 2, false},
		{"an extra option is wrong", []*contentv1.QuizAnswer{answer("q1", "a", "b"), answer("q2", "a", "c"), answer("q3", "a")}, 2, false},
		{"unanswered questions are wrong", []*contentv1.QuizAnswer{answer("q1", "b")}, 1, false},
		{"an empty selection is wrong", []*contentv1.QuizAnswer{answer("q1"), answer("q2", "a", "c"), answer("q3", "a")}, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := quiz.Grade(sample(), tc.answers)
			if err != nil {
				t.Fatal(err)
			}
			if g.Score != tc.score || g.Total != 3 || g.Passed != tc.passed {
				t.Fatalf("graded %v, want score %d passed %v", g, tc.score, tc.passed)
			}
		})
	}
	// 2 of 3 is 66.7%: it passes a 66% mark, not a 67% one.
	q := sample()
	q.PassMarkPercent = 66
	if g, _ := quiz.Grade(q, []*contentv1.QuizAnswer{answer("q1", "b"), answer("q2", "a", "c")}); !g.Passed {
		t.Fatalf("2 of 3 at 66%%: %v", g)
	}
}

func TestGradeRefusesAnswersThatDoNotFit(t *testing.T) {
	for _, tc := range []struct {
		answers []*contentv1.QuizAnswer
		field   string
	}{
		{[]*contentv1.QuizAnswer{answer("q1", "b"), answer("other-training-q1", "a")}, "answers[1].question_id"},
		{[]*contentv1.QuizAnswer{answer("q1", "z")}, "answers[0].option_ids"},
		{[]*contentv1.QuizAnswer{answer("q1", "b", "b")}, "answers[0].option_ids"},
		{[]*contentv1.QuizAnswer{answer("q3", "a"), answer("q3", "b")}, "answers[1].question_id"},
	} {
		_, err := quiz.Grade(sample(), tc.answers)
		var inv *quiz.Invalid
		if !errors.As(err, &inv) || inv.Field != tc.field {
			t.Fatalf("%v: got %v, want an error on %s", tc.answers, err, tc.field)
		}
	}
}

// A device grades the training it holds to show a provisional result; the
// server's grade of the same answers is the same.
func ExampleGrade() {
	q := &contentv1.Quiz{PassMarkPercent: 50, Questions: []*contentv1.QuizQuestion{
		{Id: "q1", Options: []*contentv1.QuizOption{{Id: "a"}, {Id: "b"}}, CorrectOptionIds: []string{"a"}},
		{Id: "q2", Options: []*contentv1.QuizOption{{Id: "a"}, {Id: "b"}}, CorrectOptionIds: []string{"b"}},
	}}
	g, err := quiz.Grade(q, []*contentv1.QuizAnswer{{QuestionId: "q1", OptionIds: []string{"a"}}, {QuestionId: "q2", OptionIds: []string{"a"}}})
	fmt.Println(g.GetScore(), g.GetTotal(), g.GetPassed(), err)
	// Output: 1 2 true <nil>
}
