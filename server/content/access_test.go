package content_test

import (
	"reflect"
	"testing"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestNoOracle: a doctor who records progress on, or completes, an item
// that is not for them gets the answer they would get for an item that
// does not exist: nothing of its title, kind, specialty or state.
func TestNoOracle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		onco := e.doctor("onco", "oncology", "msk", true)
		e.create(training("derm-course", 10, derm, msk))
		e.publish("derm-course")
		e.create(training("draft-course", 10, []string{"oncology"}, msk)) // never published
		e.create(article("spb-article", "Статья", "Текст.", []string{"oncology"}, []string{"spb"}))
		e.publish("spb-article")
		targets := []string{"derm-course", "draft-course", "spb-article", "no-such-item"}
		tests := []struct {
			name string
			args func(id string) syncengine.Mutation
		}{
			{"recording progress", func(id string) syncengine.Mutation {
				return onco.Mutation(content.MutationRecordProgress, &contentv1.RecordProgressArgs{ItemId: id, Event: contentv1.ProgressEvent_PROGRESS_EVENT_OPENED})
			}},
			{"completing a training", func(id string) syncengine.Mutation {
				return onco.Mutation(content.MutationCompleteTraining, &contentv1.CompleteTrainingArgs{TrainingId: id, TrainingVersion: 1,
					Answers: []*contentv1.QuizAnswer{{QuestionId: "q1", OptionIds: []string{"a"}}}})
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var first *syncengine.Error
				for _, id := range targets {
					o := onco.Push(tc.args(id))[0]
					if o.Status != syncengine.StatusRejected {
						t.Fatalf("%s: applied", id)
					}
					got := servertest.Answer(o.Error, id)
					if first == nil {
						first = got
					} else if !reflect.DeepEqual(got, first) {
						t.Fatalf("%s is answered %+v, %s %+v", id, got, targets[0], first)
					}
				}
			})
		}
	})
}
