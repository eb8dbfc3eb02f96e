package cases_test

import (
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// listedIDs lists the ids of the cases ListCases returns for each status
// a moderator may ask for.
func listedIDs(t *testing.T, e *env, who auth.User) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, status := range []casesv1.CaseStatus{casesv1.CaseStatus_CASE_STATUS_UNSPECIFIED, casesv1.CaseStatus_CASE_STATUS_SUBMITTED,
		casesv1.CaseStatus_CASE_STATUS_PUBLISHED, casesv1.CaseStatus_CASE_STATUS_REJECTED} {
		cs, err := e.cases.ListCases(ctx, e.principal(who), cases.Filter{Status: status})
		must(t, err)
		for _, c := range cs {
			out[c.Id] = true
		}
	}
	return out
}

// TestDraftsAreTheAuthors: moderators and admins never see a draft: it is
// not found (as an unknown id is) by GetCase, PublishCase and RejectCase,
// ListCases refuses to list drafts and lists none under another status,
// and its photos are not theirs to read; a case withdrawn into the drafts
// is private again, and so is one discarded before it was submitted.
func TestDraftsAreTheAuthors(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author := e.phone(e.author)
		seed := uint64(10)
		photos := func() []*casesv1.CasePhoto {
			var out []*casesv1.CasePhoto
			for _, stage := range []casesv1.PhotoStage{casesv1.PhotoStage_PHOTO_STAGE_BEFORE, casesv1.PhotoStage_PHOTO_STAGE_AFTER} {
				seed++
				id, img := uuid.NewString(), photo(320, 240, seed)
				author.media.Upload(id, img)
				out = append(out, &casesv1.CasePhoto{MediaId: id, Stage: stage})
			}
			return out
		}
		draft := uuid.NewString()
		draftPhotos := photos()
		photoID := draftPhotos[0].MediaId
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: draft, Content: content(draftPhotos...)})
		withdrawn := uuid.NewString()
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: withdrawn, Content: content(photos()...)})
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: withdrawn})
		discarded := uuid.NewString()
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: discarded, Content: content()})
		author.MustApply("case.withdraw", &casesv1.WithdrawArgs{CaseId: discarded, Discard: true})

		mod := e.console(e.moderator)
		if got := listedIDs(t, e, e.moderator); !got[withdrawn] || len(got) != 1 {
			t.Fatalf("listed %v, want the submitted case alone", got)
		}
		author.MustApply("case.withdraw", &casesv1.WithdrawArgs{CaseId: withdrawn})

		unknown := uuid.NewString()
		_, err := e.cases.GetCase(ctx, e.principal(e.moderator), unknown)
		if syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
			t.Fatalf("an unknown case: %v", err)
		}
		unknownAnswer := err.Error()
		for _, who := range []auth.User{e.moderator, e.admin} {
			if got := listedIDs(t, e, who); len(got) != 0 {
				t.Fatalf("%s lists %v", who.Role, got)
			}
			_, err := e.cases.ListCases(ctx, e.principal(who), cases.Filter{Status: casesv1.CaseStatus_CASE_STATUS_DRAFT})
			var de *syncengine.Error
			if !errors.As(err, &de) || de.Code != syncengine.EINVALID || len(de.Violations) != 1 || de.Violations[0].Field != "status" {
				t.Fatalf("%s listing drafts: %v", who.Role, err)
			}
			for _, id := range []string{draft, withdrawn, discarded} {
				_, err := e.cases.GetCase(ctx, e.principal(who), id)
				if syncengine.ErrorCode(err) != syncengine.ENOTFOUND || err.Error() != strings.ReplaceAll(unknownAnswer, unknown, id) {
					t.Fatalf("%s reading a private case: %v", who.Role, err)
				}
				if _, err := e.cases.Publish(ctx, e.principal(who), id, 1, ""); syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
					t.Fatalf("%s publishing a draft: %v", who.Role, err)
				}
				if _, err := e.cases.Reject(ctx, e.principal(who), id, 1, "no"); syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
					t.Fatalf("%s rejecting a draft: %v", who.Role, err)
				}
			}
		}
		// The same through the RPCs.
		_, err = mod.moderation.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: draft}))
		if connect.CodeOf(err) != connect.CodeNotFound {
			t.Fatalf("GetCase of a draft: %v", err)
		}
		_, err = mod.moderation.ListCases(ctx, connect.NewRequest(&casesv1.ListCasesRequest{Status: casesv1.CaseStatus_CASE_STATUS_DRAFT}))
		wantError(t, err, syncengine.EINVALID, "drafts cannot be listed")
		res, err := mod.moderation.ListCases(ctx, connect.NewRequest(&casesv1.ListCasesRequest{}))
		must(t, err)
		if len(res.Msg.Cases) != 0 {
			t.Fatalf("the queue holds %v", res.Msg.Cases)
		}
		staff := e.phone(e.moderator)
		if _, err := staff.download(photoID); err == nil {
			t.Fatal("a moderator downloaded a draft's photo")
		}

		// Submitted, the case is the moderators' to see again.
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: draft})
		view, err := e.cases.GetCase(ctx, e.principal(e.moderator), draft)
		must(t, err)
		if view.Case.Status != casesv1.CaseStatus_CASE_STATUS_SUBMITTED || view.Case.Content.Diagnosis == "" {
			t.Fatalf("the submitted case shows %v", view.Case)
		}
		if _, err := staff.download(photoID); err != nil {
			t.Fatalf("a moderator cannot read the submitted case's photo: %v", err)
		}
	})
}
