package cases_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// published writes, uploads, submits and publishes a case of the author's
// with c's fields, and returns its id and photo ids.
func published(t *testing.T, e *env, author *phone, c *casesv1.CaseContent, seed uint64) (string, []string) {
	t.Helper()
	b, a := photo(96, 64, seed), photo(96, 64, seed+1)
	bID, aID, caseID := uuid.NewString(), uuid.NewString(), uuid.NewString()
	author.media.Upload(bID, b)
	author.media.Upload(aID, a)
	c.Photos = []*casesv1.CasePhoto{before(bID), after(aID)}
	author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: c})
	author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
	view, err := e.cases.GetCase(ctx, e.principal(e.moderator), caseID)
	must(t, err)
	_, err = e.cases.Publish(ctx, e.principal(e.moderator), caseID, view.Case.Version, "")
	must(t, err)
	return caseID, []string{bID, aID}
}

// Colleagues of the specialty discuss a published case; the discussion
// syncs with it, stays within the specialty, and a moderator can hide a
// comment. Withdrawn, the case leaves the feed with its discussion; a
// rejected case goes back to its author with the reason.
func TestDiscussion(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author, colleague, cosmetologist, newcomer := e.phone(e.author), e.phone(e.colleague), e.phone(e.cosmetologist), e.phone(e.unverified)
		caseID, photos := published(t, e, author, content(), 31)

		first, second := uuid.NewString(), uuid.NewString()
		colleague.MustApply("case.comment", &casesv1.CommentArgs{CommentId: first, CaseId: caseID, Text: "Какой был уход до назначения?"})
		e.clock.Advance(time.Minute)
		author.MustApply("case.comment", &casesv1.CommentArgs{CommentId: second, CaseId: caseID, Text: "Только умывание, без активных средств."})
		o := colleague.Do("case.comment", &casesv1.CommentArgs{CommentId: uuid.NewString(), CaseId: caseID, Text: "У меня была такая же пациентка, Смирнова Ольга, звоните 8 916 123 45 67"})
		wantRejected(t, o, syncengine.EINVALID, "the comment may identify a patient", "text")
		o = colleague.Do("case.comment", &casesv1.CommentArgs{CommentId: first, CaseId: caseID, Text: "Ещё раз"})
		wantRejected(t, o, syncengine.EINVALID, "comment id already used", "comment_id")
		o = cosmetologist.Do("case.comment", &casesv1.CommentArgs{CommentId: uuid.NewString(), CaseId: caseID, Text: "Интересно"})
		wantRejected(t, o, syncengine.ENOTFOUND, "there is no published case", "")
		o = newcomer.Do("case.comment", &casesv1.CommentArgs{CommentId: uuid.NewString(), CaseId: caseID, Text: "Интересно"})
		wantRejected(t, o, syncengine.EPERMISSION, "your diploma has not been verified yet", "")

		author.Sync()
		cs := author.commentsOf(caseID)
		if len(cs) != 2 || cs[first].Text != "Какой был уход до назначения?" || cs[first].AuthorName != e.colleague.Name || cs[second].AuthorId != e.author.ID {
			t.Fatalf("the author's phone holds comments %v", cs)
		}
		cosmetologist.Sync()
		if n := len(cosmetologist.commentsOf(caseID)); n != 0 {
			t.Fatalf("a cosmetologist holds %d comments", n)
		}

		// A moderator hides a comment: phones keep a placeholder, the
		// moderator still sees the text.
		mod := e.console(e.moderator)
		_, err := mod.moderation.HideComment(ctx, connect.NewRequest(&casesv1.HideCommentRequest{CommentId: second, Reason: "не по теме"}))
		must(t, err)
		_, err = mod.moderation.HideComment(ctx, connect.NewRequest(&casesv1.HideCommentRequest{CommentId: second, Reason: "не по теме"}))
		wantError(t, err, syncengine.EPRECONDITION, "already hidden")
		colleague.Sync()
		if c := colleague.commentsOf(caseID)[second]; !c.GetHidden() || c.GetText() != "" {
			t.Fatalf("the hidden comment on a colleague's phone: %v", c)
		}
		view, err := mod.moderation.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: caseID}))
		must(t, err)
		if len(view.Msg.Comments) != 2 || view.Msg.Comments[1].Text != "Только умывание, без активных средств." || !view.Msg.Comments[1].Hidden {
			t.Fatalf("the moderator sees %v", view.Msg.Comments)
		}

		// Withdrawn: the case and its discussion leave colleagues' phones
		// and its photos are theirs no more; the author keeps a draft.
		author.MustApply("case.withdraw", &casesv1.WithdrawArgs{CaseId: caseID})
		colleague.Sync()
		if c := colleague.caseRecord(caseID); c != nil || len(colleague.commentsOf(caseID)) != 0 {
			t.Fatalf("after withdrawal a colleague holds %v and %d comments", c, len(colleague.commentsOf(caseID)))
		}
		_, err = colleague.download(photos[0])
		wantError(t, err, syncengine.EPERMISSION, "you may not read media")
		author.Sync()
		if c := author.caseRecord(caseID); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_DRAFT {
			t.Fatalf("after withdrawal the author holds %v", c)
		}

		// Submitted again and rejected: the author learns why; published
		// again later, the discussion returns and no points are paid twice.
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		view, err = mod.moderation.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: caseID}))
		must(t, err)
		_, err = mod.moderation.RejectCase(ctx, connect.NewRequest(&casesv1.RejectCaseRequest{Id: caseID, Version: view.Msg.Case.Version, Reason: "Добавьте фото после лечения при дневном свете"}))
		must(t, err)
		author.Sync()
		if c := author.caseRecord(caseID); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_REJECTED || c.GetModeratorNote() != "Добавьте фото после лечения при дневном свете" {
			t.Fatalf("after rejection the author holds %v", c)
		}
		if got := inbox(author, "case.rejected"); len(got) != 1 || got[0].Title != "Клинический случай возвращён" {
			t.Fatalf("inbox %v", got)
		}
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		view, err = mod.moderation.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: caseID}))
		must(t, err)
		_, err = mod.moderation.PublishCase(ctx, connect.NewRequest(&casesv1.PublishCaseRequest{Id: caseID, Version: view.Msg.Case.Version}))
		must(t, err)
		colleague.Sync()
		if cs := colleague.commentsOf(caseID); colleague.caseRecord(caseID) == nil || len(cs) != 2 || !cs[second].Hidden {
			t.Fatalf("published again, a colleague holds comments %v", cs)
		}
		author.Sync()
		if b := balance(author); b != 100 {
			t.Fatalf("balance %d after publishing twice, want 100", b)
		}
		if actions := actionsOf(view.Msg.History); actions != "saved submitted published comment_hidden withdrawn submitted rejected submitted" {
			t.Fatalf("history %s", actions)
		}

		// Discarded: gone from every phone, photos let go, history kept.
		author.MustApply("case.withdraw", &casesv1.WithdrawArgs{CaseId: caseID, Discard: true})
		author.Sync()
		colleague.Sync()
		if author.caseRecord(caseID) != nil || colleague.caseRecord(caseID) != nil || len(colleague.commentsOf(caseID)) != 0 {
			t.Fatal("a discarded case is still on a phone")
		}
		o = author.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content()})
		wantRejected(t, o, syncengine.EPRECONDITION, "was discarded", "")
		view, err = mod.moderation.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: caseID}))
		must(t, err)
		if view.Msg.Case.Content.Diagnosis != "" || len(view.Msg.Comments) != 0 || view.Msg.History[len(view.Msg.History)-1].Action != "discarded" {
			t.Fatalf("a discarded case shows %v", view.Msg)
		}
		var refs int
		must(t, e.store.View(ctx, func(q syncengine.Querier) error {
			return q.QueryRow(ctx, `SELECT count(*) FROM media_refs WHERE ref = $1`, "case:"+caseID).Scan(&refs)
		}))
		if refs != 0 {
			t.Fatalf("%d photos still attached to a discarded case", refs)
		}
	})
}
