package content_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// contentTables hold the content library itself and the sync engine's
// copies of it; every other table of the stack may hold personal data.
var contentTables = []string{"content_items", "content_targets", "content_versions", "content_bundle_exports",
	"content_bundle_imports", "content_bundle_items", "content_bundle_pulls", "regions"}

// TestBundleHoldsNoPersonalRow seeds the personal tables of the modules
// under the content library (accounts, diplomas, doctors' reading and
// training records, points, media) with marker values, exports, and finds
// none of them, nor any value of any personal table, in the bundle; and the
// bundle's schema reaches content types only.
func TestBundleHoldsNoPersonalRow(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s := newStacks(t, d)
			s.author()
			e := s.ru
			ph := e.doctor("MarkerDoctorZhanna", "dermatology", "msk", true)
			diploma := s.ruImg.register(ph.P, 99, mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA)
			s.ruImg.send(ph.P, diploma)
			ph.Sync()
			ph.MustApply(content.MutationRecordProgress, &contentv1.RecordProgressArgs{ItemId: "eczema", Event: contentv1.ProgressEvent_PROGRESS_EVENT_FINISHED})
			tr := ph.items()["course"]
			var answers []*contentv1.QuizAnswer
			for _, q := range tr.GetTraining().Quiz.Questions {
				answers = append(answers, &contentv1.QuizAnswer{QuestionId: q.Id, OptionIds: q.CorrectOptionIds})
			}
			ph.MustApply(content.MutationCompleteTraining, &contentv1.CompleteTrainingArgs{TrainingId: "course", TrainingVersion: tr.Version, Answers: answers})

			b := s.export()
			markers := []string{ph.user.ID, ph.user.Email, ph.user.Name, diploma.id, string(diploma.file[len(diploma.file)/2:][:64])}
			markers = append(markers, personalValues(t, e)...)
			for _, m := range markers {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("the bundle holds %q, a value of a personal table", m)
				}
			}
			if len(markers) < 20 {
				t.Fatalf("only %d personal values were checked", len(markers))
			}
			if got := reachable((&contentv1.Bundle{}).ProtoReflect().Descriptor(), (&contentv1.BundleManifest{}).ProtoReflect().Descriptor()); !slices.Equal(got, bundleSchema) {
				t.Errorf("a bundle can hold %v, want content types only: %v", got, bundleSchema)
			}
		})
	}
}

// bundleSchema is every message a bundle can hold.
var bundleSchema = []string{"Article", "Bundle", "BundleBlob", "BundleImage", "BundleItem", "BundleManifest", "Item", "Lesson",
	"Paper", "Quiz", "QuizOption", "QuizQuestion", "RichText", "Training", "Video"}

// reachable lists the messages reachable from mds (a bundle, and the
// manifest it holds as bytes).
func reachable(mds ...protoreflect.MessageDescriptor) []string {
	seen := map[string]bool{}
	var walk func(protoreflect.MessageDescriptor)
	walk = func(m protoreflect.MessageDescriptor) {
		name := string(m.FullName())
		if seen[name] {
			return
		}
		seen[name] = true
		for i := range m.Fields().Len() {
			if f := m.Fields().Get(i).Message(); f != nil {
				walk(f)
			}
		}
	}
	for _, md := range mds {
		walk(md)
	}
	var out []string
	for n := range seen {
		out = append(out, strings.TrimPrefix(n, "ordinator.content.v1."))
	}
	slices.Sort(out)
	return out
}

// personalValues returns the values of at least 8 characters held in the
// stack's tables other than the content library's, leaving out the
// vocabulary content shares with them (specialty codes, image types).
func personalValues(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	for _, v := range servertest.TableValues(t, e.store, 8, func(table string) bool { return slices.Contains(contentTables, table) }) {
		if v != "dermatology" && !strings.HasPrefix(v, "image/") {
			out = append(out, v)
		}
	}
	return out
}
