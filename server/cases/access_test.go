package cases_test

import (
	"reflect"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestNoOracle: a doctor acting on a case that is not theirs to act on
// gets one answer whatever the case is: another doctor's draft, submitted,
// published or discarded case, or none at all. Saving a draft under a
// taken id cannot be answered as a creation; it is refused the same way
// whatever the case it belongs to. A photo of another doctor is answered
// as one never registered.
func TestNoOracle(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author, colleague, cosmetologist := e.phone(e.author), e.phone(e.colleague), e.phone(e.cosmetologist)
		draft, submitted, discarded := uuid.NewString(), uuid.NewString(), uuid.NewString()
		for _, id := range []string{draft, discarded} {
			author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: id, Content: content()})
		}
		b, a := photo(96, 64, 61), photo(96, 64, 62)
		bID, aID := uuid.NewString(), uuid.NewString()
		author.media.Upload(bID, b)
		author.media.Upload(aID, a)
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: submitted, Content: content(before(bID), after(aID))})
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: submitted})
		author.MustApply("case.withdraw", &casesv1.WithdrawArgs{CaseId: discarded, Discard: true})
		pub, photos := published(t, e, author, content(), 51)
		missing := uuid.NewString()

		type target struct{ name, id string }
		all := []target{{"a draft", draft}, {"a submitted case", submitted}, {"a published case", pub}, {"a discarded case", discarded}}
		tests := []struct {
			name    string
			d       *phone
			targets []target
			args    func(id string) (string, proto.Message)
		}{
			{"submitting another's case", colleague, append(all, target{"no case", missing}), func(id string) (string, proto.Message) {
				return "case.submit", &casesv1.SubmitArgs{CaseId: id}
			}},
			{"withdrawing another's case", colleague, append(all, target{"no case", missing}), func(id string) (string, proto.Message) {
				return "case.withdraw", &casesv1.WithdrawArgs{CaseId: id}
			}},
			{"discarding another's case", colleague, append(all, target{"no case", missing}), func(id string) (string, proto.Message) {
				return "case.withdraw", &casesv1.WithdrawArgs{CaseId: id, Discard: true}
			}},
			{"saving a draft under another's case id", colleague, all, func(id string) (string, proto.Message) {
				return "case.save_draft", &casesv1.SaveDraftArgs{CaseId: id, Content: content()}
			}},
			{"commenting an unpublished case", colleague, []target{{"a draft", draft}, {"a submitted case", submitted}, {"a discarded case", discarded}, {"no case", missing}},
				func(id string) (string, proto.Message) {
					return "case.comment", &casesv1.CommentArgs{CommentId: uuid.NewString(), CaseId: id, Text: "Интересно"}
				}},
			{"commenting a case of another specialty", cosmetologist, []target{{"a published case", pub}, {"a draft", draft}, {"no case", missing}},
				func(id string) (string, proto.Message) {
					return "case.comment", &casesv1.CommentArgs{CommentId: uuid.NewString(), CaseId: id, Text: "Интересно"}
				}},
			{"a photo of another doctor", colleague, []target{{"another's photo", photos[0]}, {"no photo", uuid.NewString()}}, func(id string) (string, proto.Message) {
				return "case.save_draft", &casesv1.SaveDraftArgs{CaseId: uuid.NewString(), Content: content(before(id))}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var first *syncengine.Error
				for _, target := range tc.targets {
					o := tc.d.Do(tc.args(target.id))
					if o.Status != syncengine.StatusRejected {
						t.Fatalf("%s: applied", target.name)
					}
					got := servertest.Answer(o.Error, target.id)
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
