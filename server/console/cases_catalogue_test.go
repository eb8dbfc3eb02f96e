package console

import (
	"strings"
	"testing"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/rules/specialty"
)

// TestCaseCatalogue: the keys the cases, diplomas and studies pages build
// from enums, specialties and statuses exist.
func TestCaseCatalogue(t *testing.T) {
	var built []string
	enum := func(prefix string, names map[int32]string) {
		for _, n := range names {
			built = append(built, "cases."+prefix+"."+strings.ToLower(strings.TrimPrefix(n, strings.ToUpper(prefix)+"_")))
		}
	}
	enum("sex", casesv1.Sex_name)
	enum("phototype", casesv1.Phototype_name)
	enum("outcome", casesv1.Outcome_name)
	for _, n := range casesv1.PhotoStage_name {
		built = append(built, "cases.stage."+strings.ToLower(strings.TrimPrefix(n, "PHOTO_STAGE_")))
	}
	for _, s := range caseStatuses {
		built = append(built, "cases.status."+s.key)
	}
	for _, code := range specialty.Codes() {
		built = append(built, "specialty."+code)
	}
	for _, a := range []string{"saved", "submitted", "published", "rejected", "withdrawn", "comment_hidden", "discarded"} {
		built = append(built, "cases.action."+a)
	}
	for _, f := range []string{"diagnosis", "product", "regimen", "recommendations", "outcome_notes"} {
		built = append(built, "cases."+f)
	}
	built = append(built, "cases.status.unknown", "cases.any_specialty", "studies.any_region", "role.admin")
	for _, l := range languages {
		for _, k := range built {
			if _, err := l.text(k); err != nil {
				t.Errorf("%s: %v", l.Code, err)
			}
		}
	}
}
