package studies_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestNoOracle: a rep reminding a doctor of a result they may not see (of
// another territory, not overdue, or none), and a doctor submitting to a
// study they are not enrolled in (or none), get one answer whatever the
// target: nothing of the doctor, the study or the result's state.
func TestNoOracle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		msk, _ := time.LoadLocation("Europe/Moscow")
		admin, doc, other := e.account(auth.RoleAdmin), e.account(auth.RoleDoctor), e.account(auth.RoleDoctor)
		rep := e.account(auth.RoleRep)
		if _, err := e.accounts.AssignTerritory(e.ctx, auth.System, rep.user.Id, "msk-south", true); err != nil {
			t.Fatal(err)
		}
		e.dir.set(doc.user.Id, "msk-north")
		_, results := e.study(admin, doc, []int32{0, 4}, "2026-03-01")
		theirs, _ := e.study(admin, other, []int32{0}, "2026-03-01")
		e.at(time.Date(2026, 3, 2, 0, 1, 0, 0, msk)) // the first result is overdue, the second owed
		e.tick()

		type target struct{ name, id string }
		tests := []struct {
			name    string
			d       *app
			targets []target
			args    func(id string) (string, proto.Message)
		}{
			{"a reminder from a rep of another territory", rep,
				[]target{{"an overdue result", results[0].Id}, {"a result not overdue", results[1].Id}, {"no result", uuid.NewString()}},
				func(id string) (string, proto.Message) {
					return studies.MutationRemind, &studiesv1.RemindArgs{ResultId: id}
				}},
			{"a result for a study of others", doc,
				[]target{{"a study of another doctor", theirs.Id}, {"no study", uuid.NewString()}},
				func(id string) (string, proto.Message) {
					return studies.MutationSubmitResult, &studiesv1.SubmitResultArgs{StudyId: id, Visit: 1, Answers: map[string]string{"iga": "1", "erythema": "none"}}
				}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var first *syncengine.Error
				for _, target := range tc.targets {
					out := tc.d.Do(tc.args(target.id))
					if out.Status != syncengine.StatusRejected {
						t.Fatalf("%s: applied", target.name)
					}
					got := servertest.Answer(out.Error, target.id)
					if first == nil {
						first = got
					} else if !reflect.DeepEqual(got, first) {
						t.Fatalf("%s is answered %+v, %s %+v", target.name, got, tc.targets[0].name, first)
					}
				}
			})
		}
	})
}
