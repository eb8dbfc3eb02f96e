package cases_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/cases"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// nothingPublished checks no case waits for moderation or reached a
// colleague, and the author's phone holds no case but drafts.
func nothingPublished(t *testing.T, e *env, author *phone) {
	t.Helper()
	for _, status := range []casesv1.CaseStatus{casesv1.CaseStatus_CASE_STATUS_SUBMITTED, casesv1.CaseStatus_CASE_STATUS_PUBLISHED} {
		cs, err := e.cases.ListCases(ctx, e.principal(e.moderator), cases.Filter{Status: status})
		must(t, err)
		if len(cs) != 0 {
			t.Fatalf("%d cases %v", len(cs), status)
		}
	}
	colleague := e.phone(e.colleague)
	colleague.Sync()
	if got := colleague.cases(); len(got) != 0 {
		t.Fatalf("a colleague holds %d cases", len(got))
	}
	author.Sync()
	for _, c := range author.cases() {
		if c.Status != casesv1.CaseStatus_CASE_STATUS_DRAFT {
			t.Fatalf("the author holds %v", c)
		}
	}
}

// A photo that is not an image, one too large, and one whose bytes do not
// match its digest are refused by the media flow with a clear reason, and
// no case can be published with them.
func TestBadPhotos(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author := e.phone(e.author)
		good := photo(320, 240, 7)
		goodID := uuid.NewString()
		author.media.Upload(goodID, good)

		// Not an image: the upload is refused at completion; the case
		// cannot take the photo.
		pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 5000)...)
		pdfID := uuid.NewString()
		res := author.media.MustCreate(pdfID, pdf)
		if status := author.media.Put(res, pdf); status != http.StatusOK {
			t.Fatalf("PUT %d", status)
		}
		_, err := author.media.Complete(pdfID)
		wantError(t, err, syncengine.EINVALID, "the file is a PDF document, not a JPEG or PNG image")
		caseID := uuid.NewString()
		o := author.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(before(goodID), after(pdfID))})
		wantRejected(t, o, syncengine.EPRECONDITION, "photo 2: media "+pdfID+" was rejected: the file is a PDF document", "content.photos[1].media_id")

		// Too large: refused before anything is stored; the case cannot
		// refer to it.
		big := mediatest.Pad(photo(64, 64, 8), maxPhotoBytes+1)
		bigID := uuid.NewString()
		_, err = author.media.Create(bigID, big, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
		wantError(t, err, syncengine.EINVALID, fmt.Sprintf("size: the file is %d bytes; at most 1048576 are accepted", len(big)))
		o = author.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(before(goodID), after(bigID))})
		wantRejected(t, o, syncengine.ENOTFOUND, "photo 2: the photo has not been registered for upload yet", "content.photos[1].media_id")

		// Bytes of another digest: storage refuses them, the photo stays
		// uploading, and a case with it is saved but cannot be submitted.
		wrong := photo(320, 240, 9)
		impostor := bytes.Clone(wrong)
		impostor[len(impostor)/2] ^= 0xFF
		wrongID := uuid.NewString()
		res = author.media.MustCreate(wrongID, wrong)
		if status := author.media.Put(res, impostor); status == http.StatusOK {
			t.Fatal("storage accepted bytes of another digest")
		}
		_, err = author.media.Complete(wrongID)
		wantError(t, err, syncengine.EPRECONDITION, "has not been uploaded yet")
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(before(goodID), after(wrongID))})
		o = author.Do("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		wantRejected(t, o, syncengine.EPRECONDITION, "1 of 2 photos are still uploading; submit again once they have finished", "content.photos[1].media_id")
		nothingPublished(t, e, author)

		// Once the right bytes arrive, the same case goes through.
		author.media.Upload(wrongID, wrong)
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
	})
}

// Free text that names the patient, or gives a phone, an e-mail address or
// a document number, is refused with the fields named; nothing is stored.
func TestPersonalDataRefused(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author := e.phone(e.author)
		tests := []struct {
			name   string
			edit   func(c *casesv1.CaseContent)
			fields []string
		}{
			{"a patient's name", func(c *casesv1.CaseContent) {
				c.OutcomeNotes = "Пациентка Иванова довольна результатом."
			}, []string{"content.outcome_notes"}},
			{"a phone number", func(c *casesv1.CaseContent) { c.Recommendations = "Связаться по тел. +7 (916) 123-45-67" }, []string{"content.recommendations"}},
			{"initials and a surname", func(c *casesv1.CaseContent) { c.Diagnosis = "Акне у И.И. Петровой" }, []string{"content.diagnosis"}},
			{"an e-mail address and a SNILS", func(c *casesv1.CaseContent) {
				c.Regimen = "Фото присылать на olga.k@mail.ru"
				c.OutcomeNotes = "СНИЛС 123-456-789 01"
			}, []string{"content.regimen", "content.outcome_notes"}},
			{"English", func(c *casesv1.CaseContent) { c.OutcomeNotes = "Mrs Smith, DOB 01/02/1980, is happy." }, []string{"content.outcome_notes"}},
		}
		for _, tc := range tests {
			c := content()
			tc.edit(c)
			caseID := uuid.NewString()
			o := author.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: c})
			wantRejected(t, o, syncengine.EINVALID, "the case may identify a patient", tc.fields[0])
			if len(o.Error.Violations) != len(tc.fields) {
				t.Fatalf("%s: violations %v, want %v", tc.name, o.Error.Violations, tc.fields)
			}
			for _, v := range o.Error.Violations {
				if !bytes.Contains([]byte(v.Description), []byte("looks like")) || bytes.Contains([]byte(v.Description), []byte("Иванова")) {
					t.Fatalf("%s: violation %q", tc.name, v.Description)
				}
			}
			if _, err := e.cases.GetCase(ctx, e.principal(e.moderator), caseID); syncengine.ErrorCode(err) != syncengine.ENOTFOUND {
				t.Fatalf("%s: the case was stored (%v)", tc.name, err)
			}
		}
		author.Sync()
		if n := len(author.cases()); n != 0 {
			t.Fatalf("the author holds %d cases", n)
		}
		nothingPublished(t, e, author)
	})
}

// A submission while photos are still uploading is refused, saying which
// and that it can be sent again; nothing reaches moderation.
func TestSubmitWhileUploading(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author := e.phone(e.author)
		b, a := photo(320, 240, 11), photo(320, 240, 12)
		bID, aID, caseID := uuid.NewString(), uuid.NewString(), uuid.NewString()
		bUp, aUp := author.media.MustCreate(bID, b), author.media.MustCreate(aID, a)
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(before(bID), after(aID))})
		o := author.Do("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		wantRejected(t, o, syncengine.EPRECONDITION, "2 of 2 photos are still uploading", "content.photos[0].media_id")
		author.media.Send(bID, b, bUp)
		o = author.Do("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		wantRejected(t, o, syncengine.EPRECONDITION, "1 of 2 photos are still uploading", "content.photos[1].media_id")
		if len(o.Error.Violations) != 1 {
			t.Fatalf("violations %v", o.Error.Violations)
		}
		nothingPublished(t, e, author)
		author.media.Send(aID, a, aUp)
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		author.Sync()
		if c := author.caseRecord(caseID); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_SUBMITTED || c.GetContent().GetPhotos()[1].GetWidth() != 240 {
			t.Fatalf("after the uploads the author holds %v", c)
		}
	})
}

// Other refusals: incomplete cases, photos that are not the author's or
// not case photos, edits of a case under moderation, doctors not verified,
// stale moderator decisions, strangers.
func TestRefusals(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author, colleague, newcomer := e.phone(e.author), e.phone(e.colleague), e.phone(e.unverified)
		b, a := photo(160, 120, 21), photo(160, 120, 22)
		bID, aID := uuid.NewString(), uuid.NewString()
		author.media.Upload(bID, b)
		author.media.Upload(aID, a)

		// Incomplete: every missing field named.
		caseID := uuid.NewString()
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: &casesv1.CaseContent{Diagnosis: "Розацеа", Photos: []*casesv1.CasePhoto{before(bID)}}})
		o := author.Do("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		wantRejected(t, o, syncengine.EINVALID, "the case is not complete", "content.photos")
		if len(o.Error.Violations) != 8 {
			t.Fatalf("violations %v", o.Error.Violations)
		}

		// The same photo twice; a colleague's photo; a photo for another
		// purpose; a malformed argument.
		o = author.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(before(bID), after(bID))})
		wantRejected(t, o, syncengine.EINVALID, "a photo is given twice", "content.photos[1].media_id")
		theirs := photo(160, 120, 23)
		theirsID := uuid.NewString()
		colleague.media.Upload(theirsID, theirs)
		o = author.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(before(bID), after(theirsID))})
		wantRejected(t, o, syncengine.ENOTFOUND, "photo 2: the photo has not been registered for upload yet", "content.photos[1].media_id")
		o = author.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: &casesv1.CaseContent{AgeYears: age(130)}})
		wantRejected(t, o, syncengine.EINVALID, "", "content.age_years")

		// A colleague cannot touch the author's case.
		o = colleague.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content()})
		wantRejected(t, o, syncengine.ECONFLICT, "is already used; start a new case", "case_id")
		o = colleague.Do("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		wantRejected(t, o, syncengine.ENOTFOUND, "you have no case", "")

		// A doctor not yet verified may write drafts but not submit them.
		nb := photo(160, 120, 24)
		nbID, nID := uuid.NewString(), uuid.NewString()
		newcomer.media.Upload(nbID, nb)
		newcomer.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: nID, Content: content(before(nbID))})
		o = newcomer.Do("case.submit", &casesv1.SubmitArgs{CaseId: nID})
		wantRejected(t, o, syncengine.EPERMISSION, "your diploma has not been verified yet", "")

		// Moderators see no drafts' photos.
		_, err := e.phone(e.moderator).download(bID)
		wantError(t, err, syncengine.EPERMISSION, "you may not read media")

		// Under moderation the case cannot be edited or submitted again;
		// a decision on an older version is refused.
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(before(bID), after(aID))})
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		o = author.Do("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(before(bID), after(aID))})
		wantRejected(t, o, syncengine.EPRECONDITION, "is waiting for moderation; withdraw it to edit it", "")
		o = author.Do("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		wantRejected(t, o, syncengine.EPRECONDITION, "is already submitted", "")
		mod := e.console(e.moderator)
		view, err := mod.moderation.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: caseID}))
		must(t, err)
		if _, err := e.phone(e.moderator).download(bID); err != nil {
			t.Fatalf("a moderator cannot see a submitted case's photo: %v", err)
		}
		_, err = mod.moderation.PublishCase(ctx, connect.NewRequest(&casesv1.PublishCaseRequest{Id: caseID, Version: view.Msg.Case.Version - 1}))
		wantError(t, err, syncengine.ECONFLICT, "changed since you opened it")
		_, err = e.cases.Reject(ctx, e.principal(e.moderator), caseID, view.Msg.Case.Version, "  ")
		if syncengine.ErrorCode(err) != syncengine.EINVALID {
			t.Fatalf("a rejection without a reason: %v", err)
		}

		// Only moderators moderate; only admins export.
		doctorConsole := e.console(e.author)
		_, err = doctorConsole.moderation.ListCases(ctx, connect.NewRequest(&casesv1.ListCasesRequest{}))
		wantError(t, err, syncengine.EPERMISSION, "this needs a moderator account")
		_, err = doctorConsole.moderation.PublishCase(ctx, connect.NewRequest(&casesv1.PublishCaseRequest{Id: caseID, Version: view.Msg.Case.Version}))
		wantError(t, err, syncengine.EPERMISSION, "this needs a moderator account")
		_, err = mod.reports.ExportCases(ctx, connect.NewRequest(&casesv1.ExportCasesRequest{}))
		wantError(t, err, syncengine.EPERMISSION, "this needs a admin account")
		_, err = mod.moderation.RejectCase(ctx, connect.NewRequest(&casesv1.RejectCaseRequest{Id: "not-a-uuid", Version: 1, Reason: "x"}))
		if connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Fatalf("a malformed id: %v", err)
		}
	})
}
