package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/cases/v1/casesv1connect"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/cases"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestCaseFlow: through the mobile SDK, on PostgreSQL with MinIO and on
// the embedded platform, a doctor writes a case with two camera photos on
// a phone with no network, edits it and submits it; back online the media
// queue uploads the photos to the MediaService and the outbox pushes; a
// moderator publishes the case; a dermatologist colleague's phone gets it
// and downloads a photo free of EXIF and GPS; a cosmetologist's phone gets
// nothing. Free text naming a patient is refused on the phone, and by the
// server for an app that does not check.
func TestCaseFlow(t *testing.T) {
	for _, b := range []struct {
		name string
		o    platformOptions
	}{{"postgres+minio", platformOptions{Postgres: true, MinIO: true}}, {"embedded", platformOptions{}}} {
		t.Run(b.name, func(t *testing.T) { caseFlow(t, startPlatform(t, b.o)) })
	}
}

// caseSchema is a doctor's app schema with the cases module.
func caseSchema() *sdk.Schema {
	s := sdk.NewSchema()
	cases.Register(s)
	return s
}

func caseAge(n int32) *int32 { return &n }

// caseContent is a complete case with the given photos.
func caseContent(photos ...*casesv1.CasePhoto) *casesv1.CaseContent {
	return &casesv1.CaseContent{
		Sex: casesv1.Sex_SEX_FEMALE, AgeYears: caseAge(34), Phototype: casesv1.Phototype_PHOTOTYPE_III,
		Diagnosis:       "Акне вульгарные, папуло-пустулезная форма, средней степени тяжести (L70.0)",
		Product:         "Эффаклар Дуо(+)",
		Regimen:         "2 раза в день на очищенную кожу лица, 8 недель; умывание Эффаклар гель",
		DurationDays:    56,
		Recommendations: "Продолжить уход, SPF 50+ ежедневно, контроль через 12 недель.",
		Outcome:         casesv1.Outcome_OUTCOME_MARKED_IMPROVEMENT,
		OutcomeNotes:    "Воспалительных элементов меньше на 70%. Пациентка К., 34 лет, довольна результатом.",
		Photos:          photos,
	}
}

func mustCase(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// caseOn returns a case on a phone, or nil.
func caseOn(t *testing.T, r *sdk.Replica, id string) *casesv1.Case {
	t.Helper()
	c, ok, err := cases.Cases.Get(context.Background(), r, id)
	mustCase(t, err)
	if !ok {
		return nil
	}
	return c
}

func caseFlow(t *testing.T, p *platform) {
	ctx := context.Background()
	p.User(auth.RoleDoctor, "author@cases.test")
	p.User(auth.RoleDoctor, "colleague@cases.test")
	p.User(auth.RoleDoctor, "cosmo@cases.test", "cosmetology")
	p.User(auth.RoleModerator, "mod@cases.test")
	author, colleague, cosmetologist := p.Device("author@cases.test", caseSchema()), p.Device("colleague@cases.test", caseSchema()), p.Device("cosmo@cases.test", caseSchema())
	for _, d := range []*sdk.Replica{author, colleague, cosmetologist} {
		mustCase(t, d.Sync(ctx))
	}
	modToken := p.Login("mod@cases.test").Tokens.AccessToken
	mod := casesv1connect.NewCaseModerationServiceClient(http.DefaultClient, p.URL, servertest.WithToken(&modToken))
	queue := func() []string {
		t.Helper()
		res, err := mod.ListCases(ctx, connect.NewRequest(&casesv1.ListCasesRequest{}))
		mustCase(t, err)
		var ids []string
		for _, c := range res.Msg.Cases {
			ids = append(ids, c.Id)
		}
		return ids
	}

	// Offline: two camera photos (EXIF with GPS, XMP, IPTC), one from a
	// file and one from memory; the draft saved, edited and submitted.
	author.SetConnectivity(sdk.Offline)
	beforeJPEG, afterJPEG := mediatest.JPEG(mediatest.Photo(640, 480, 1), 85, mediatest.All(6)), mediatest.JPEG(mediatest.Photo(640, 480, 2), 85, mediatest.All(1))
	path := filepath.Join(t.TempDir(), "before.jpg")
	mustCase(t, os.WriteFile(path, beforeJPEG, 0o600))
	before, err := cases.AddPhotoFile(ctx, author, path, casesv1.PhotoStage_PHOTO_STAGE_BEFORE)
	mustCase(t, err)
	after, err := cases.AddPhoto(ctx, author, bytes.NewReader(afterJPEG), casesv1.PhotoStage_PHOTO_STAGE_AFTER)
	mustCase(t, err)
	caseID := uuid.NewString()
	draft := caseContent(before, after)
	draft.Regimen = "2 раза в день"
	_, err = cases.SaveDraft(ctx, author, caseID, draft)
	mustCase(t, err)
	if c := caseOn(t, author, caseID); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_DRAFT || c.GetContent().GetRegimen() != "2 раза в день" {
		t.Fatalf("the draft on the phone: %v", c)
	}
	draft = caseContent(before, after)
	_, err = cases.SaveDraft(ctx, author, caseID, draft)
	mustCase(t, err)

	// Free text naming a patient is refused on the phone: nothing queued.
	pii := caseContent(before, after)
	pii.OutcomeNotes = "Пациентка Иванова Мария Петровна, тел. +7 916 123-45-67, довольна."
	_, err = cases.SaveDraft(ctx, author, uuid.NewString(), pii)
	var refused *syncengine.Error
	if !errors.As(err, &refused) || refused.Code != syncengine.EINVALID || len(refused.Violations) != 1 || refused.Violations[0].Field != "content.outcome_notes" {
		t.Fatalf("a patient's name and phone were not refused on the phone: %v", err)
	}

	_, err = cases.Submit(ctx, author, caseID)
	mustCase(t, err)
	rec, ok, err := author.Get(ctx, cases.CaseCollection, caseID)
	mustCase(t, err)
	if c, _ := cases.Cases.Decode(rec); !ok || !rec.Pending || c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_SUBMITTED {
		t.Fatalf("offline the phone shows %v (pending %v)", c, rec.Pending)
	}
	if st := author.Status(); st.Pending != 3 || st.MediaQueued != 2 {
		t.Fatalf("offline status %+v, want 3 mutations and 2 photos queued", st)
	}
	if q := queue(); len(q) != 0 {
		t.Fatalf("the server has cases before the phone reconnected: %v", q)
	}

	// Online, a sync before any byte is sent: the photos are registered
	// by their digests, so the drafts apply; the submission waits in the
	// outbox for the uploads instead of being refused as "still uploading".
	author.SetConnectivity(sdk.Online)
	mustCase(t, author.Sync(ctx))
	if st := author.Status(); st.Pending != 1 || st.MediaQueued != 2 {
		t.Fatalf("status after a sync with the photos still queued %+v, want the submission held and 2 photos queued", st)
	}
	if rejs, err := author.Rejections(ctx); err != nil || len(rejs) != 0 {
		t.Fatalf("rejections %v, %v", rejs, err)
	}
	if q := queue(); len(q) != 0 {
		t.Fatalf("a case reached moderation before its photos: %v", q)
	}

	// The media queue uploads the photos to the MediaService (and storage
	// behind it); the held submission then goes.
	progress := make(chan sdk.MediaProgress, 1024)
	stop := author.ObserveMedia(func(m sdk.MediaProgress) {
		if m.Done {
			progress <- m
		}
	})
	mustCase(t, author.UploadMedia(ctx))
	// Observers are called asynchronously: wait for both reports.
	uploaded := map[string]bool{}
	for deadline := time.After(10 * time.Second); !uploaded[before.MediaId] || !uploaded[after.MediaId]; {
		select {
		case m := <-progress:
			if m.Done && m.Err == "" && m.Status == mediav1.MediaStatus_MEDIA_STATUS_READY {
				uploaded[m.MediaID] = true
			}
		case <-deadline:
			t.Fatalf("uploads reported ready: %v", uploaded)
		}
	}
	stop()
	mustCase(t, author.Sync(ctx))
	if rejs, err := author.Rejections(ctx); err != nil || len(rejs) != 0 {
		t.Fatalf("rejections %v, %v", rejs, err)
	}
	rec, _, err = author.Get(ctx, cases.CaseCollection, caseID)
	mustCase(t, err)
	submitted, err := cases.Cases.Decode(rec)
	mustCase(t, err)
	if rec.Pending || submitted.GetStatus() != casesv1.CaseStatus_CASE_STATUS_SUBMITTED || submitted.GetVersion() != 3 ||
		submitted.GetContent().GetPhotos()[0].GetWidth() == 0 {
		t.Fatalf("after syncing the phone holds %v (pending %v)", submitted, rec.Pending)
	}
	if st := author.Status(); st.Pending != 0 || st.MediaQueued != 0 {
		t.Fatalf("status after syncing %+v", st)
	}

	// The moderator finds it and publishes it.
	if q := queue(); !slices.Equal(q, []string{caseID}) {
		t.Fatalf("moderation queue %v, want %s", q, caseID)
	}
	view, err := mod.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: caseID}))
	mustCase(t, err)
	_, err = mod.PublishCase(ctx, connect.NewRequest(&casesv1.PublishCaseRequest{Id: caseID, Version: view.Msg.Case.Version, Note: "Спасибо!"}))
	mustCase(t, err)

	// A dermatologist colleague's phone gets it and downloads its photo,
	// a decodable image with none of the camera's metadata.
	mustCase(t, colleague.Sync(ctx))
	feed, err := cases.Feed(ctx, colleague, "dermatology")
	mustCase(t, err)
	if len(feed) != 1 || feed[0].GetId() != caseID || feed[0].GetStatus() != casesv1.CaseStatus_CASE_STATUS_PUBLISHED ||
		feed[0].GetAuthorName() != "author@cases.test" || feed[0].GetContent().GetDiagnosis() != draft.Diagnosis {
		t.Fatalf("the colleague's feed %v", feed)
	}
	for _, variant := range []mediav1.MediaVariant{mediav1.MediaVariant_MEDIA_VARIANT_IMAGE, mediav1.MediaVariant_MEDIA_VARIANT_THUMBNAIL} {
		file, err := colleague.FetchMedia(ctx, after.MediaId, variant)
		mustCase(t, err)
		data, err := os.ReadFile(file)
		mustCase(t, err)
		img, format, err := image.Decode(bytes.NewReader(data))
		if err != nil || format != "jpeg" || img.Bounds().Dx() == 0 {
			t.Fatalf("%s: %s image %v: %v", variant, format, img.Bounds(), err)
		}
		segs, err := mediatest.JPEGMetadata(data)
		mustCase(t, err)
		// Only JFIF (APP0) may stay: EXIF and XMP are APP1, IPTC APP13.
		for _, s := range segs {
			if s != "APP0" {
				t.Fatalf("%s carries a %s segment (%v)", variant, s, segs)
			}
		}
		for _, secret := range mediatest.Secrets {
			if bytes.Contains(data, []byte(secret)) {
				t.Fatalf("%s carries %q", variant, secret)
			}
		}
	}

	// The cosmetologist's phone gets nothing and may not read the photo.
	mustCase(t, cosmetologist.Sync(ctx))
	if c := caseOn(t, cosmetologist, caseID); c != nil {
		t.Fatalf("the cosmetologist's phone holds %v", c)
	}
	if feed, err := cases.Feed(ctx, cosmetologist, "dermatology"); err != nil || len(feed) != 0 {
		t.Fatalf("the cosmetologist's feed %v, %v", feed, err)
	}
	if _, err := cosmetologist.FetchMedia(ctx, after.MediaId, mediav1.MediaVariant_MEDIA_VARIANT_THUMBNAIL); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("the cosmetologist fetching the photo: %v", err)
	}

	// The author's phone shows it published.
	mustCase(t, author.Sync(ctx))
	if c := caseOn(t, author, caseID); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_PUBLISHED || c.GetModeratorNote() != "Спасибо!" {
		t.Fatalf("the author's phone holds %v", c)
	}

	// An app that does not check on the device queues the same text: the
	// server refuses it, the phone reports the rejection naming the field,
	// and nothing reaches moderation or a colleague.
	oldApp := p.Device("author@cases.test", nil)
	rejected := make(chan sdk.Rejection, 4)
	oldApp.ObserveRejections(func(r sdk.Rejection) { rejected <- r })
	badID := uuid.NewString()
	_, err = oldApp.MutateProto(ctx, "case.save_draft", &casesv1.SaveDraftArgs{CaseId: badID, Content: pii})
	mustCase(t, err)
	mustCase(t, oldApp.Sync(ctx))
	var rej sdk.Rejection
	select {
	case rej = <-rejected:
	case <-time.After(10 * time.Second):
		t.Fatal("no rejection reported")
	}
	if rej.Mutation != "case.save_draft" || rej.Code != syncengine.EINVALID || len(rej.Violations) != 1 ||
		rej.Violations[0].Field != "content.outcome_notes" || strings.Contains(rej.String(), "Иванова") || strings.Contains(rej.String(), "916") {
		t.Fatalf("rejection %s", rej)
	}
	if rejs, err := oldApp.Rejections(ctx); err != nil || len(rejs) != 1 || rejs[0].Seq != rej.Seq {
		t.Fatalf("rejections %v, %v", rejs, err)
	}
	if _, ok, err := oldApp.Get(ctx, cases.CaseCollection, badID); err != nil || ok {
		t.Fatalf("the refused case is on the phone (%v)", err)
	}
	mustCase(t, colleague.Sync(ctx))
	if feed, err := cases.Feed(ctx, colleague, "dermatology"); err != nil || len(feed) != 1 || caseOn(t, colleague, badID) != nil {
		t.Fatalf("after the refusal the colleague's feed %v, %v", feed, err)
	}
	if q := queue(); len(q) != 0 {
		t.Fatalf("moderation queue %v after the refusal", q)
	}
	res, err := mod.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: badID}))
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("the refused case exists on the server: %v %v", res, err)
	}
}

// TestCaseInBackground: a case written offline with its photos reaches
// moderation by the background loop alone once the phone is back online:
// the photos are registered before the draft is pushed and the submission
// waits for their upload, so the server refuses nothing.
func TestCaseInBackground(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, platformOptions{})
	p.User(auth.RoleDoctor, "author@background.test")
	p.User(auth.RoleModerator, "mod@background.test")
	phone := p.Device("author@background.test", caseSchema())
	phone.SetConnectivity(sdk.Offline)
	mustCase(t, phone.Start())

	before, err := cases.AddPhoto(ctx, phone, bytes.NewReader(mediatest.JPEG(mediatest.Photo(800, 600, 3), 85, mediatest.All(1))), casesv1.PhotoStage_PHOTO_STAGE_BEFORE)
	mustCase(t, err)
	after, err := cases.AddPhoto(ctx, phone, bytes.NewReader(mediatest.JPEG(mediatest.Photo(800, 600, 4), 85, mediatest.All(1))), casesv1.PhotoStage_PHOTO_STAGE_AFTER)
	mustCase(t, err)
	caseID := uuid.NewString()
	_, err = cases.SaveDraft(ctx, phone, caseID, caseContent(before, after))
	mustCase(t, err)
	_, err = cases.Submit(ctx, phone, caseID)
	mustCase(t, err)

	modToken := p.Login("mod@background.test").Tokens.AccessToken
	mod := casesv1connect.NewCaseModerationServiceClient(http.DefaultClient, p.URL, servertest.WithToken(&modToken))
	phone.SetConnectivity(sdk.Online)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("phone status %+v", phone.Status())
		}
	})
	servertest.Eventually(t, "the case to reach moderation", func() bool {
		res, err := mod.ListCases(ctx, connect.NewRequest(&casesv1.ListCasesRequest{}))
		mustCase(t, err)
		return len(res.Msg.Cases) == 1 && res.Msg.Cases[0].Id == caseID
	})
	if rejs, err := phone.Rejections(ctx); err != nil || len(rejs) != 0 {
		t.Fatalf("rejections %v, %v", rejs, err)
	}
}
