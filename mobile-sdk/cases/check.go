package cases

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/rules/anonymity"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The limits of proto/ordinator/cases/v1 (protovalidate), checked here so
// that the device refuses what the server is sure to refuse.
const (
	maxDiagnosis = 500
	maxProduct   = 200
	maxText      = 2000
	maxAge       = 120
	maxDuration  = 3650
	maxPhotos    = 12
	maxComment   = 2000
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// violations collects what is wrong with a mutation's arguments.
type violations []syncengine.Violation

func (vs *violations) add(field, format string, args ...any) {
	*vs = append(*vs, syncengine.Violation{Field: field, Description: fmt.Sprintf(format, args...)})
}

func (vs violations) err(message string) error {
	if len(vs) == 0 {
		return nil
	}
	return syncengine.Invalid(message, vs...)
}

func checkID(field, id string) error {
	if !uuidPattern.MatchString(id) {
		return syncengine.Invalid(field+" must be a UUID", syncengine.Violation{Field: field, Description: fmt.Sprintf("%q is not a UUID", id)})
	}
	return nil
}

func checkStage(s casesv1.PhotoStage) error {
	if s != casesv1.PhotoStage_PHOTO_STAGE_BEFORE && s != casesv1.PhotoStage_PHOTO_STAGE_AFTER {
		return syncengine.Invalid("a case photo is taken before or after the treatment",
			syncengine.Violation{Field: "stage", Description: "must be PHOTO_STAGE_BEFORE or PHOTO_STAGE_AFTER"})
	}
	return nil
}

// freeText lists the content's free-text fields, named as in the
// mutation's arguments, with their limits.
func freeText(c *casesv1.CaseContent) []struct {
	field, text string
	max         int
} {
	return []struct {
		field, text string
		max         int
	}{
		{"content.diagnosis", c.GetDiagnosis(), maxDiagnosis},
		{"content.product", c.GetProduct(), maxProduct},
		{"content.regimen", c.GetRegimen(), maxText},
		{"content.recommendations", c.GetRecommendations(), maxText},
		{"content.outcome_notes", c.GetOutcomeNotes(), maxText},
	}
}

// checkContent refuses content the server refuses on any save: values out
// of range, a photo without a stage, given twice or too many.
func checkContent(c *casesv1.CaseContent) error {
	var vs violations
	if c == nil {
		vs.add("content", "is required")
		return vs.err("a draft needs content")
	}
	if _, ok := casesv1.Sex_name[int32(c.Sex)]; !ok {
		vs.add("content.sex", "%d is not a sex", c.Sex)
	}
	if _, ok := casesv1.Phototype_name[int32(c.Phototype)]; !ok {
		vs.add("content.phototype", "%d is not a phototype", c.Phototype)
	}
	if _, ok := casesv1.Outcome_name[int32(c.Outcome)]; !ok {
		vs.add("content.outcome", "%d is not an outcome", c.Outcome)
	}
	if c.AgeYears != nil && (*c.AgeYears < 0 || *c.AgeYears > maxAge) {
		vs.add("content.age_years", "must be 0 to %d", maxAge)
	}
	if c.DurationDays < 0 || c.DurationDays > maxDuration {
		vs.add("content.duration_days", "must be 0 to %d", maxDuration)
	}
	for _, f := range freeText(c) {
		if n := utf8.RuneCountInString(f.text); n > f.max {
			vs.add(f.field, "is %d characters, at most %d", n, f.max)
		}
	}
	if len(c.Photos) > maxPhotos {
		vs.add("content.photos", "%d photos, at most %d", len(c.Photos), maxPhotos)
	}
	seen := map[string]int{}
	for i, p := range c.Photos {
		field := fmt.Sprintf("content.photos[%d]", i)
		if !uuidPattern.MatchString(p.GetMediaId()) {
			vs.add(field+".media_id", "%q is not a media id (AddPhoto returns one)", p.GetMediaId())
		} else if j, dup := seen[p.GetMediaId()]; dup {
			vs.add(field+".media_id", "is the same photo as content.photos[%d]", j)
		}
		seen[p.GetMediaId()] = i
		if checkStage(p.GetStage()) != nil {
			vs.add(field+".stage", "must be PHOTO_STAGE_BEFORE or PHOTO_STAGE_AFTER")
		}
	}
	return vs.err("the case content is not valid")
}

// checkAnonymous refuses content whose free text may identify someone,
// with the server's own check and words.
func checkAnonymous(c *casesv1.CaseContent) error {
	var vs []syncengine.Violation
	var fields []string
	for _, f := range freeText(c) {
		if d := anonymity.Explain(strings.TrimSpace(f.text)); d != "" {
			vs = append(vs, syncengine.Violation{Field: f.field, Description: d})
			fields = append(fields, strings.TrimPrefix(f.field, "content."))
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return syncengine.Invalid("the case may identify a patient ("+strings.Join(fields, ", ")+"): "+anonymity.Advice, vs...)
}

// checkComplete refuses the submission of a case that lacks what
// publishing needs, naming every missing field as the server does.
func checkComplete(c *casesv1.CaseContent) error {
	var vs violations
	if c.GetSex() == casesv1.Sex_SEX_UNSPECIFIED {
		vs.add("content.sex", "is required")
	}
	if c.AgeYears == nil {
		vs.add("content.age_years", "is required")
	}
	if strings.TrimSpace(c.GetDiagnosis()) == "" {
		vs.add("content.diagnosis", "is required")
	}
	if c.GetPhototype() == casesv1.Phototype_PHOTOTYPE_UNSPECIFIED {
		vs.add("content.phototype", "is required: Fitzpatrick I to VI")
	}
	if strings.TrimSpace(c.GetProduct()) == "" {
		vs.add("content.product", "is required")
	}
	if strings.TrimSpace(c.GetRegimen()) == "" {
		vs.add("content.regimen", "is required")
	}
	if c.GetDurationDays() <= 0 {
		vs.add("content.duration_days", "is required: how many days the treatment lasted")
	}
	if c.GetOutcome() == casesv1.Outcome_OUTCOME_UNSPECIFIED {
		vs.add("content.outcome", "is required")
	}
	var before, after bool
	for _, p := range c.GetPhotos() {
		before = before || p.GetStage() == casesv1.PhotoStage_PHOTO_STAGE_BEFORE
		after = after || p.GetStage() == casesv1.PhotoStage_PHOTO_STAGE_AFTER
	}
	if !before || !after {
		vs.add("content.photos", "needs at least one photo before and one after the treatment")
	}
	return vs.err("the case is not complete")
}

// checkUploads refuses the submission of a case with a photo the server
// refused: it would stay unpublishable until the photo is replaced.
func checkUploads(ctx context.Context, r *sdk.Replica, c *casesv1.CaseContent) error {
	var vs violations
	for i, p := range c.GetPhotos() {
		m, ok, err := r.MediaFile(ctx, p.GetMediaId())
		if err != nil {
			return err
		}
		if ok && m.Rejected {
			vs.add(fmt.Sprintf("content.photos[%d].media_id", i), "was refused: %s; replace it", m.LastError)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: fmt.Sprintf("%d of the photos were refused; replace them and submit again", len(vs)), Violations: vs}
}
