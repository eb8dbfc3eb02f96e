package cases_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/cases"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

var ctx = context.Background()

// phone opens a replica with the cases schema, pointed at a server that is
// never contacted.
func phone(t *testing.T) *sdk.Replica {
	t.Helper()
	s := sdk.NewSchema()
	cases.Register(s)
	r, err := sdk.Open(ctx, sdk.Options{Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: s})
	must(t, err)
	t.Cleanup(func() { r.Close() })
	r.SetConnectivity(sdk.Offline)
	return r
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func age(n int32) *int32 { return &n }

// content is a complete case with the given photos.
func content(photos ...*casesv1.CasePhoto) *casesv1.CaseContent {
	return &casesv1.CaseContent{
		Sex: casesv1.Sex_SEX_FEMALE, AgeYears: age(34), Phototype: casesv1.Phototype_PHOTOTYPE_III,
		Diagnosis: "Акне вульгарные, папуло-пустулезная форма (L70.0)", Product: "Эффаклар Дуо(+)",
		Regimen: "2 раза в день, 8 недель", DurationDays: 56, Outcome: casesv1.Outcome_OUTCOME_MARKED_IMPROVEMENT,
		OutcomeNotes: "Пациентка К., 34 лет, довольна результатом.", Photos: photos,
	}
}

// photos queues a photo before and one after the treatment.
func photos(t *testing.T, r *sdk.Replica) (before, after *casesv1.CasePhoto) {
	t.Helper()
	before, err := cases.AddPhoto(ctx, r, bytes.NewReader(sdktest.JPEG(sdktest.Image(64, 48))), casesv1.PhotoStage_PHOTO_STAGE_BEFORE)
	must(t, err)
	after, err = cases.AddPhoto(ctx, r, bytes.NewReader(sdktest.JPEG(sdktest.Image(48, 64))), casesv1.PhotoStage_PHOTO_STAGE_AFTER)
	must(t, err)
	return before, after
}

func get(t *testing.T, r *sdk.Replica, id string) (*casesv1.Case, sdk.Record) {
	t.Helper()
	rec, ok, err := r.Get(ctx, cases.CaseCollection, id)
	must(t, err)
	if !ok {
		t.Fatalf("case %s is not on the device", id)
	}
	c, err := cases.Cases.Decode(rec)
	must(t, err)
	return c, rec
}

// TestOfflineDraft: a draft with two photos is on the device the moment
// it is saved, edited, then shown as submitted and pending; everything is
// queued for the server, photos included.
func TestOfflineDraft(t *testing.T) {
	r := phone(t)
	before, after := photos(t, r)
	id := "0b9f3c52-6a59-4c47-9a57-1f1d7c3bbd01"
	draft := content(before, after)
	draft.Regimen = "  2 раза в день  "
	_, err := cases.SaveDraft(ctx, r, id, draft)
	must(t, err)
	c, rec := get(t, r, id)
	if c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_DRAFT || c.GetVersion() != 1 || !rec.Pending ||
		c.GetContent().GetRegimen() != "2 раза в день" || c.GetCreatedAtUnixMs() == 0 || c.GetUpdatedAtUnixMs() == 0 {
		t.Fatalf("after saving: %v (pending %v)", c, rec.Pending)
	}

	_, err = cases.SaveDraft(ctx, r, id, content(before, after))
	must(t, err)
	if c, _ := get(t, r, id); c.GetVersion() != 2 || !proto.Equal(c.GetContent(), content(before, after)) {
		t.Fatalf("after editing: %v", c)
	}
	drafts, err := cases.ByStatus(ctx, r, casesv1.CaseStatus_CASE_STATUS_DRAFT)
	must(t, err)
	if len(drafts) != 1 || drafts[0].GetId() != id {
		t.Fatalf("drafts %v", drafts)
	}

	_, err = cases.Submit(ctx, r, id)
	must(t, err)
	c, rec = get(t, r, id)
	if c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_SUBMITTED || c.GetSubmittedAtUnixMs() == 0 || c.GetVersion() != 3 || !rec.Pending {
		t.Fatalf("after submitting: %v (pending %v)", c, rec.Pending)
	}
	if got, err := cases.ByStatus(ctx, r, casesv1.CaseStatus_CASE_STATUS_DRAFT); err != nil || len(got) != 0 {
		t.Fatalf("drafts after submitting: %v, %v", got, err)
	}
	if st := r.Status(); st.Pending != 3 || st.MediaQueued != 2 {
		t.Fatalf("status %+v, want 3 mutations and 2 photos queued", st)
	}
	for _, p := range []*casesv1.CasePhoto{before, after} {
		if m, ok, err := r.MediaFile(ctx, p.GetMediaId()); err != nil || !ok || !m.Queued {
			t.Fatalf("photo %s: %+v %v %v", p.GetMediaId(), m, ok, err)
		}
	}

	// Taken back, it is a draft again; discarded, it is gone.
	_, err = cases.Withdraw(ctx, r, id, false)
	must(t, err)
	if c, _ := get(t, r, id); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_DRAFT || c.GetVersion() != 4 {
		t.Fatalf("after withdrawing: %v", c)
	}
	_, err = cases.Withdraw(ctx, r, id, true)
	must(t, err)
	if _, ok, err := r.Get(ctx, cases.CaseCollection, id); err != nil || ok {
		t.Fatalf("a discarded case is still on the device (%v)", err)
	}
}

// TestRefusedOnDevice: what the server is sure to refuse is refused before
// it is queued, with an error naming the field, and nothing changes.
func TestRefusedOnDevice(t *testing.T) {
	r := phone(t)
	before, after := photos(t, r)
	draftID, submittedID, otherID := "11111111-2222-4333-8444-555555555555", "11111111-2222-4333-8444-666666666666", "11111111-2222-4333-8444-777777777777"
	must2(t)(cases.SaveDraft(ctx, r, draftID, content(before)))
	must2(t)(cases.SaveDraft(ctx, r, submittedID, content(before, after)))
	must2(t)(cases.Submit(ctx, r, submittedID))
	queued := r.Status().Pending

	with := func(edit func(c *casesv1.CaseContent)) *casesv1.CaseContent {
		c := content(before, after)
		edit(c)
		return c
	}
	for _, tc := range []struct {
		name         string
		write        func() (int64, error)
		code, field  string
		reasonPrefix string
	}{
		{"a case id that is not a UUID", func() (int64, error) { return cases.SaveDraft(ctx, r, "case-1", content(before, after)) },
			syncengine.EINVALID, "case_id", "case_id must be a UUID"},
		{"no content", func() (int64, error) { return cases.SaveDraft(ctx, r, otherID, nil) }, syncengine.EINVALID, "content", "a draft needs content"},
		{"a name in the outcome notes", func() (int64, error) {
			return cases.SaveDraft(ctx, r, otherID, with(func(c *casesv1.CaseContent) {
				c.OutcomeNotes = "Пациентка Иванова Мария Петровна довольна"
			}))
		}, syncengine.EINVALID, "content.outcome_notes", "the case may identify a patient (outcome_notes)"},
		{"a phone number in the regimen", func() (int64, error) {
			return cases.SaveDraft(ctx, r, otherID, with(func(c *casesv1.CaseContent) { c.Regimen = "звонить по тел. +7 916 123-45-67" }))
		}, syncengine.EINVALID, "content.regimen", "the case may identify a patient (regimen)"},
		{"a photo given twice", func() (int64, error) {
			return cases.SaveDraft(ctx, r, otherID, content(before, after, &casesv1.CasePhoto{MediaId: before.MediaId, Stage: casesv1.PhotoStage_PHOTO_STAGE_AFTER}))
		}, syncengine.EINVALID, "content.photos[2].media_id", "the case content is not valid"},
		{"a photo without a stage", func() (int64, error) {
			return cases.SaveDraft(ctx, r, otherID, content(before, &casesv1.CasePhoto{MediaId: after.MediaId}))
		}, syncengine.EINVALID, "content.photos[1].stage", "the case content is not valid"},
		{"a diagnosis too long", func() (int64, error) {
			return cases.SaveDraft(ctx, r, otherID, with(func(c *casesv1.CaseContent) { c.Diagnosis = strings.Repeat("акне ", 101) }))
		}, syncengine.EINVALID, "content.diagnosis", "the case content is not valid"},
		{"an age out of range", func() (int64, error) {
			return cases.SaveDraft(ctx, r, otherID, with(func(c *casesv1.CaseContent) { c.AgeYears = age(130) }))
		}, syncengine.EINVALID, "content.age_years", "the case content is not valid"},
		{"editing a case waiting for moderation", func() (int64, error) { return cases.SaveDraft(ctx, r, submittedID, content(before, after)) },
			syncengine.EPRECONDITION, "", "case " + submittedID + " is waiting for moderation"},
		{"submitting without a photo after", func() (int64, error) { return cases.Submit(ctx, r, draftID) },
			syncengine.EINVALID, "content.photos", "the case is not complete"},
		{"submitting twice", func() (int64, error) { return cases.Submit(ctx, r, submittedID) },
			syncengine.EPRECONDITION, "", "case " + submittedID + " is already submitted"},
		{"submitting a case the device does not have", func() (int64, error) { return cases.Submit(ctx, r, otherID) },
			syncengine.ENOTFOUND, "", "there is no case " + otherID + " on this device"},
		{"withdrawing a draft", func() (int64, error) { return cases.Withdraw(ctx, r, draftID, false) },
			syncengine.EPRECONDITION, "", "case " + draftID + " is already a draft"},
		{"commenting on a draft", func() (int64, error) {
			return cases.Comment(ctx, r, otherID, draftID, "Интересный случай")
		},
			syncengine.ENOTFOUND, "", "there is no published case"},
		{"an e-mail address in a comment", func() (int64, error) { return cases.Comment(ctx, r, otherID, draftID, "пишите ivanova@mail.ru") },
			syncengine.EINVALID, "text", "the comment may identify a patient"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.write()
			var de *syncengine.Error
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a %s error", err, tc.code)
			}
			if de.Code != tc.code || !strings.HasPrefix(de.Message, tc.reasonPrefix) {
				t.Fatalf("got %s %q, want %s %q...", de.Code, de.Message, tc.code, tc.reasonPrefix)
			}
			if tc.field != "" && (len(de.Violations) == 0 || de.Violations[0].Field != tc.field || de.Violations[0].Description == "") {
				t.Fatalf("violations %v, want one for %s", de.Violations, tc.field)
			}
			if st := r.Status(); st.Pending != queued {
				t.Fatalf("%d mutations queued, want %d", st.Pending, queued)
			}
		})
	}
	// The refusals changed nothing on the device.
	if _, ok, _ := r.Get(ctx, cases.CaseCollection, otherID); ok {
		t.Fatal("a refused draft is on the device")
	}
	if c, _ := get(t, r, submittedID); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_SUBMITTED || c.GetVersion() != 2 {
		t.Fatalf("the submitted case became %v", c)
	}
	// A photo needs a stage; a refused one is not queued.
	if _, err := cases.AddPhoto(ctx, r, bytes.NewReader(sdktest.JPEG(sdktest.Image(8, 8))), casesv1.PhotoStage_PHOTO_STAGE_UNSPECIFIED); err == nil {
		t.Fatal("a photo without a stage was queued")
	}
	if st := r.Status(); st.MediaQueued != 2 {
		t.Fatalf("%d photos queued, want 2", st.MediaQueued)
	}
}

func must2(t *testing.T) func(int64, error) {
	return func(_ int64, err error) {
		t.Helper()
		must(t, err)
	}
}
