package cases

import (
	"strings"

	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/rules/anonymity"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The optimistic effects below mirror server/cases (draft.go, comment.go)
// on the state the device holds. They run again on fresh server state at
// every checkpoint until the server has decided, so they take their time
// from the mutation (LocalTx.Time), never from the clock.

// saveDraft shows the draft at once: a new case, or the draft's new content.
func saveDraft(tx *sdk.LocalTx, a *casesv1.SaveDraftArgs) error {
	if err := checkID("case_id", a.GetCaseId()); err != nil {
		return err
	}
	if err := checkContent(a.GetContent()); err != nil {
		return err
	}
	content := proto.Clone(a.GetContent()).(*casesv1.CaseContent)
	normalize(content)
	if err := checkAnonymous(content); err != nil {
		return err
	}
	now, err := tx.Time()
	if err != nil {
		return err
	}
	c, ok, err := Cases.GetTx(tx, a.GetCaseId())
	if err != nil {
		return err
	}
	if !ok {
		c = &casesv1.Case{Id: a.GetCaseId(), CreatedAtUnixMs: now.UnixMilli()}
	}
	switch c.GetStatus() {
	case casesv1.CaseStatus_CASE_STATUS_SUBMITTED:
		return syncengine.Errorf(syncengine.EPRECONDITION, "case %s is waiting for moderation; withdraw it to edit it", c.GetId())
	case casesv1.CaseStatus_CASE_STATUS_PUBLISHED:
		return syncengine.Errorf(syncengine.EPRECONDITION, "case %s is published; withdraw it to edit it", c.GetId())
	}
	// A photo the case already had keeps the size the server gave it; a
	// new one has none until it has uploaded.
	sizes := map[string]*casesv1.CasePhoto{}
	for _, p := range c.GetContent().GetPhotos() {
		sizes[p.GetMediaId()] = p
	}
	for _, p := range content.Photos {
		p.Width, p.Height = sizes[p.GetMediaId()].GetWidth(), sizes[p.GetMediaId()].GetHeight()
	}
	// The server takes a draft once it knows its photos (their digests),
	// while their bytes may still be on the way.
	for _, p := range content.Photos {
		if err := tx.RefersToMedia(p.GetMediaId(), false); err != nil {
			return err
		}
	}
	c.Content, c.Status, c.UpdatedAtUnixMs = content, casesv1.CaseStatus_CASE_STATUS_DRAFT, now.UnixMilli()
	c.Version++
	return Cases.Put(tx, c.GetId(), c)
}

// normalize trims the free text, as the server stores it.
func normalize(c *casesv1.CaseContent) {
	for _, f := range []*string{&c.Diagnosis, &c.Product, &c.Regimen, &c.Recommendations, &c.OutcomeNotes} {
		*f = strings.TrimSpace(*f)
	}
}

// submit shows the case as submitted, waiting for moderation.
func submit(tx *sdk.LocalTx, a *casesv1.SubmitArgs) error {
	c, err := own(tx, a.GetCaseId())
	if err != nil {
		return err
	}
	if s := c.GetStatus(); s != casesv1.CaseStatus_CASE_STATUS_DRAFT && s != casesv1.CaseStatus_CASE_STATUS_REJECTED {
		return syncengine.Errorf(syncengine.EPRECONDITION, "case %s is already %s", c.GetId(), statusWord(s))
	}
	if err := checkComplete(c.GetContent()); err != nil {
		return err
	}
	if err := checkAnonymous(c.GetContent()); err != nil {
		return err
	}
	now, err := tx.Time()
	if err != nil {
		return err
	}
	// A submission needs every photo uploaded: it waits in the outbox
	// until they are, instead of being refused as "still uploading".
	for _, p := range c.GetContent().GetPhotos() {
		if err := tx.RefersToMedia(p.GetMediaId(), true); err != nil {
			return err
		}
	}
	c.Status, c.SubmittedAtUnixMs, c.UpdatedAtUnixMs = casesv1.CaseStatus_CASE_STATUS_SUBMITTED, now.UnixMilli(), now.UnixMilli()
	c.Version++
	return Cases.Put(tx, c.GetId(), c)
}

// withdraw shows the case as a draft again, or gone when discarded.
func withdraw(tx *sdk.LocalTx, a *casesv1.WithdrawArgs) error {
	c, err := own(tx, a.GetCaseId())
	if err != nil {
		return err
	}
	if a.GetDiscard() {
		return tx.Delete(CaseCollection, c.GetId())
	}
	if c.GetStatus() == casesv1.CaseStatus_CASE_STATUS_DRAFT {
		return syncengine.Errorf(syncengine.EPRECONDITION, "case %s is already a draft", c.GetId())
	}
	now, err := tx.Time()
	if err != nil {
		return err
	}
	c.Status, c.UpdatedAtUnixMs = casesv1.CaseStatus_CASE_STATUS_DRAFT, now.UnixMilli()
	c.Version++
	return Cases.Put(tx, c.GetId(), c)
}

// own returns a case on the device by id. The device holds every case of
// its user (their bucket), so one it lacks is not theirs or not synced yet.
func own(tx *sdk.LocalTx, id string) (*casesv1.Case, error) {
	if err := checkID("case_id", id); err != nil {
		return nil, err
	}
	c, ok, err := Cases.GetTx(tx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, syncengine.Errorf(syncengine.ENOTFOUND, "there is no case %s on this device; save it as a draft first", id)
	}
	return c, nil
}

func statusWord(s casesv1.CaseStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "CASE_STATUS_"))
}

// comment shows the user's comment in the discussion at once.
func comment(tx *sdk.LocalTx, a *casesv1.CommentArgs) error {
	if err := checkID("comment_id", a.GetCommentId()); err != nil {
		return err
	}
	if err := checkID("case_id", a.GetCaseId()); err != nil {
		return err
	}
	text := strings.TrimSpace(a.GetText())
	switch {
	case text == "":
		return syncengine.Invalid("an empty comment", syncengine.Violation{Field: "text", Description: "is empty"})
	case len([]rune(a.GetText())) > maxComment:
		return syncengine.Invalid("the comment is too long", syncengine.Violation{Field: "text", Description: "is longer than 2000 characters"})
	}
	if d := anonymity.Explain(text); d != "" {
		return syncengine.Invalid("the comment may identify a patient: "+anonymity.Advice,
			syncengine.Violation{Field: "text", Description: d})
	}
	c, ok, err := Cases.GetTx(tx, a.GetCaseId())
	if err != nil {
		return err
	}
	if !ok || c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_PUBLISHED {
		return syncengine.Errorf(syncengine.ENOTFOUND, "there is no published case %s on this device", a.GetCaseId())
	}
	now, err := tx.Time()
	if err != nil {
		return err
	}
	return Comments.Put(tx, a.GetCommentId(), &casesv1.CaseComment{Id: a.GetCommentId(), CaseId: c.GetId(), Text: text, CreatedAtUnixMs: now.UnixMilli()})
}
