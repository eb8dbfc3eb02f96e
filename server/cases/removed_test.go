package cases_test

import (
	"testing"

	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// A hidden comment, a withdrawn case and a discarded one with its comments
// are gone from the sync log once the removal commits: a phone signing in
// afterwards downloads no byte of them, before any compaction. Markers
// planted in the texts are looked for in every payload of its raw pages.
func TestRemovedLeavesNoTrace(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		const caseMark, hiddenMark, keptMark = "квокказебра", "скрытыйтекст", "оставшийсятекст"
		author, colleague := e.phone(e.author), e.phone(e.colleague)
		c := content()
		c.Regimen += "; " + caseMark
		c.OutcomeNotes += " " + caseMark
		caseID, _ := published(t, e, author, c, 41)
		hidden, kept := uuid.NewString(), uuid.NewString()
		colleague.MustApply("case.comment", &casesv1.CommentArgs{CommentId: hidden, CaseId: caseID, Text: "Вопрос: " + hiddenMark})
		author.MustApply("case.comment", &casesv1.CommentArgs{CommentId: kept, CaseId: caseID, Text: "Ответ: " + keptMark})

		fresh := func(u auth.User) []*syncengine.PullResult {
			t.Helper()
			return storetest.FreshPull(t, e.engine, e.principal(u), 0, 4)
		}
		noneOf := func(u auth.User, marks ...string) {
			t.Helper()
			pages := fresh(u)
			for _, m := range marks {
				if got := storetest.Containing(pages, m); len(got) != 0 {
					t.Fatalf("a new phone of %s received %q in %s %s", u.Name, m, got[0].Collection, got[0].RecordID)
				}
			}
		}
		notLogged := func(marks ...string) {
			t.Helper()
			for _, m := range marks {
				if got := storetest.LogContaining(t, e.store, m); len(got) != 0 {
					t.Fatalf("the sync log still holds %q in %s %s of %s", m, got[0].Collection, got[0].RecordID, got[0].Bucket)
				}
			}
		}
		pages := fresh(e.colleague)
		for _, m := range []string{caseMark, hiddenMark, keptMark} {
			if len(storetest.Containing(pages, m)) == 0 {
				t.Fatalf("a colleague's new phone did not receive %q before any removal", m)
			}
		}

		// Hidden: the placeholder syncs, the text is nowhere.
		_, err := e.cases.HideComment(ctx, e.principal(e.moderator), hidden, "не по теме")
		must(t, err)
		noneOf(e.colleague, hiddenMark)
		noneOf(e.author, hiddenMark)
		notLogged(hiddenMark)

		// Withdrawn: the case and its discussion leave the specialty; the
		// author's draft is all the log keeps of it.
		author.MustApply("case.withdraw", &casesv1.WithdrawArgs{CaseId: caseID})
		noneOf(e.colleague, caseMark, keptMark)
		for _, ch := range storetest.LogContaining(t, e.store, caseMark) {
			if ch.Bucket != syncengine.UserBucket(e.author.ID) {
				t.Fatalf("a withdrawn case is still in %s", ch.Bucket)
			}
		}
		notLogged(keptMark)

		// Published again, then discarded: nothing of it reaches any phone.
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		view, err := e.cases.GetCase(ctx, e.principal(e.moderator), caseID)
		must(t, err)
		_, err = e.cases.Publish(ctx, e.principal(e.moderator), caseID, view.Case.Version, "")
		must(t, err)
		if pages := fresh(e.colleague); len(storetest.Containing(pages, caseMark)) == 0 || len(storetest.Containing(pages, keptMark)) == 0 {
			t.Fatal("published again, the case and its discussion did not reach a colleague's new phone")
		}
		author.MustApply("case.withdraw", &casesv1.WithdrawArgs{CaseId: caseID, Discard: true})
		noneOf(e.colleague, caseMark, keptMark, hiddenMark)
		noneOf(e.author, caseMark, keptMark, hiddenMark)
		notLogged(caseMark, keptMark, hiddenMark)
	})
}
