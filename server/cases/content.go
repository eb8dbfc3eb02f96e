package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/rules/anonymity"
	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// normalize trims the free text of content.
func normalize(c *casesv1.CaseContent) {
	for _, f := range []*string{&c.Diagnosis, &c.Product, &c.Regimen, &c.Recommendations, &c.OutcomeNotes} {
		*f = strings.TrimSpace(*f)
	}
}

// freeText lists the content's free-text fields with their names.
func freeText(c *casesv1.CaseContent) []struct{ field, text string } {
	return []struct{ field, text string }{
		{"content.diagnosis", c.Diagnosis},
		{"content.product", c.Product},
		{"content.regimen", c.Regimen},
		{"content.recommendations", c.Recommendations},
		{"content.outcome_notes", c.OutcomeNotes},
	}
}

// anonymityViolation describes what in a field's text may identify
// someone, without repeating it; ok is false when nothing does.
func anonymityViolation(field, text string) (syncengine.Violation, bool) {
	d := anonymity.Explain(text)
	return syncengine.Violation{Field: field, Description: d}, d != ""
}

// checkAnonymous rejects content whose free text may identify someone,
// naming every field at fault.
func checkAnonymous(c *casesv1.CaseContent) error {
	vs := Flags(c)
	if len(vs) == 0 {
		return nil
	}
	var fields []string
	for _, v := range vs {
		fields = append(fields, strings.TrimPrefix(v.Field, "content."))
	}
	return syncengine.Invalid("the case may identify a patient ("+strings.Join(fields, ", ")+"): "+anonymity.Advice, vs...)
}

// checkPhotos rejects a photo given twice.
func checkPhotos(c *casesv1.CaseContent) error {
	seen := map[string]int{}
	for i, p := range c.Photos {
		if j, ok := seen[p.MediaId]; ok {
			return syncengine.Invalid("a photo is given twice", syncengine.Violation{
				Field: fmt.Sprintf("content.photos[%d].media_id", i), Description: fmt.Sprintf("is the same photo as content.photos[%d]", j)})
		}
		seen[p.MediaId] = i
	}
	return nil
}

// checkComplete rejects a case that lacks what publishing needs, naming
// every missing field.
func checkComplete(c *casesv1.CaseContent) error {
	var vs []syncengine.Violation
	missing := func(field, what string) { vs = append(vs, syncengine.Violation{Field: field, Description: what}) }
	if c.Sex == casesv1.Sex_SEX_UNSPECIFIED {
		missing("content.sex", "is required")
	}
	if c.AgeYears == nil {
		missing("content.age_years", "is required")
	}
	if c.Diagnosis == "" {
		missing("content.diagnosis", "is required")
	}
	if c.Phototype == casesv1.Phototype_PHOTOTYPE_UNSPECIFIED {
		missing("content.phototype", "is required: Fitzpatrick I to VI")
	}
	if c.Product == "" {
		missing("content.product", "is required")
	}
	if c.Regimen == "" {
		missing("content.regimen", "is required")
	}
	if c.DurationDays <= 0 {
		missing("content.duration_days", "is required: how many days the treatment lasted")
	}
	if c.Outcome == casesv1.Outcome_OUTCOME_UNSPECIFIED {
		missing("content.outcome", "is required")
	}
	var before, after bool
	for _, p := range c.Photos {
		before = before || p.Stage == casesv1.PhotoStage_PHOTO_STAGE_BEFORE
		after = after || p.Stage == casesv1.PhotoStage_PHOTO_STAGE_AFTER
	}
	if !before || !after {
		missing("content.photos", "needs at least one photo before and one after the treatment")
	}
	if len(vs) == 0 {
		return nil
	}
	return syncengine.Invalid("the case is not complete", vs...)
}

// photoField names a photo in violations.
func photoField(i int) string { return fmt.Sprintf("content.photos[%d].media_id", i) }

// attachPhotos keeps the content's photos for the case (they may still be
// uploading), fills in the sizes of those that are ready, and lets go of
// the photos the case no longer has.
func attachPhotos(ctx context.Context, tx syncengine.Tx, caseID, authorID string, c, old *casesv1.CaseContent) error {
	keep := map[string]bool{}
	for i, p := range c.Photos {
		m, err := media.Attach(ctx, tx, p.MediaId, authorID, ref(caseID))
		if err != nil {
			return photoError(i, err)
		}
		if m.Purpose != mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO {
			return syncengine.Invalid("not a case photo", syncengine.Violation{Field: photoField(i), Description: "was uploaded for another purpose"})
		}
		p.Width, p.Height = 0, 0
		if m.Ready() {
			p.Width, p.Height = int32(m.Width), int32(m.Height)
		}
		keep[p.MediaId] = true
	}
	if old == nil {
		return nil
	}
	for _, p := range old.Photos {
		if !keep[p.MediaId] {
			if err := media.Detach(ctx, tx, p.MediaId, ref(caseID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// photoError names the photo a media error is about.
func photoError(i int, err error) error {
	var de *syncengine.Error
	if !errors.As(err, &de) {
		return err
	}
	msg, code := de.Message, de.Code
	// Another user's photo is answered as one that does not exist.
	if code == syncengine.ENOTFOUND || code == syncengine.EPERMISSION {
		msg, code = "the photo has not been registered for upload yet (MediaService.CreateUpload)", syncengine.ENOTFOUND
	}
	return &syncengine.Error{Code: code, Message: fmt.Sprintf("photo %d: %s", i+1, msg),
		Violations: []syncengine.Violation{{Field: photoField(i), Description: msg}}}
}

// checkPhotosReady rejects a submission while a photo is still uploading or
// was refused, naming each; it fills in the sizes of the ready ones.
func checkPhotosReady(ctx context.Context, q syncengine.Querier, c *casesv1.CaseContent) error {
	var uploading, refused []syncengine.Violation
	for i, p := range c.Photos {
		m, err := media.Lookup(ctx, q, p.MediaId)
		if err != nil {
			return photoError(i, err)
		}
		switch {
		case m.Status == mediav1.MediaStatus_MEDIA_STATUS_REJECTED:
			refused = append(refused, syncengine.Violation{Field: photoField(i), Description: "was refused: " + m.RejectionReason + "; replace it"})
		case !m.Ready():
			uploading = append(uploading, syncengine.Violation{Field: photoField(i), Description: "is still uploading"})
		default:
			p.Width, p.Height = int32(m.Width), int32(m.Height)
		}
	}
	switch {
	case len(refused) > 0:
		return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: fmt.Sprintf("%d of the photos were refused; replace them and submit again", len(refused)), Violations: append(refused, uploading...)}
	case len(uploading) > 0:
		return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: fmt.Sprintf("%d of %d photos are still uploading; submit again once they have finished", len(uploading), len(c.Photos)), Violations: uploading}
	}
	return nil
}
