package cases_test

import (
	"bytes"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/media/mediatest"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// photo is a camera JPEG carrying EXIF with GPS, XMP and IPTC.
func photo(w, h int, seed uint64) []byte {
	return mediatest.JPEG(mediatest.Photo(w, h, seed), 85, mediatest.All(6))
}

func age(n int32) *int32 { return &n }

// content is a complete case with the given photos (before, after...).
func content(photos ...*casesv1.CasePhoto) *casesv1.CaseContent {
	return &casesv1.CaseContent{
		Sex: casesv1.Sex_SEX_FEMALE, AgeYears: age(34), Phototype: casesv1.Phototype_PHOTOTYPE_III,
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

func before(id string) *casesv1.CasePhoto {
	return &casesv1.CasePhoto{MediaId: id, Stage: casesv1.PhotoStage_PHOTO_STAGE_BEFORE}
}

func after(id string) *casesv1.CasePhoto {
	return &casesv1.CasePhoto{MediaId: id, Stage: casesv1.PhotoStage_PHOTO_STAGE_AFTER}
}

// TestOfflineFlow: a doctor writes a case with two photos on a phone with
// no network; once online the photos register and upload, the case is
// submitted, a moderator publishes it, and it reaches a colleague's phone
// of the same specialty, photos included, and no phone of another
// specialty or of a doctor not yet verified.
func TestOfflineFlow(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		author, colleague, cosmetologist, newcomer := e.phone(e.author), e.phone(e.colleague), e.phone(e.cosmetologist), e.phone(e.unverified)
		mod := e.console(e.moderator)

		// Offline: two photos taken, the case written and edited. Nothing
		// reaches the server yet.
		beforeJPEG, afterJPEG := photo(640, 480, 1), photo(640, 480, 2)
		beforeID, afterID, caseID := uuid.NewString(), uuid.NewString(), uuid.NewString()
		draft := content(before(beforeID), after(afterID))
		draft.Regimen = "2 раза в день"
		outbox := []syncengine.Mutation{author.Mutation("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: draft})}
		draft = content(before(beforeID), after(afterID))
		outbox = append(outbox, author.Mutation("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: draft}))

		// Online: the media queue registers the photos by digest first, so
		// the outbox can refer to them while their bytes are on the way.
		beforeUp, afterUp := author.media.MustCreate(beforeID, beforeJPEG), author.media.MustCreate(afterID, afterJPEG)
		for _, o := range author.Push(outbox...) {
			if o.Status != syncengine.StatusApplied {
				t.Fatalf("%s rejected: %v", o.Name, o.Error)
			}
		}
		author.Sync()
		colleague.Sync()
		if c := author.caseRecord(caseID); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_DRAFT || c.GetVersion() != 2 ||
			c.GetContent().GetRegimen() != draft.Regimen || c.GetContent().GetPhotos()[0].GetWidth() != 0 {
			t.Fatalf("the author's phone holds %v", c)
		}
		if c := colleague.caseRecord(caseID); c != nil {
			t.Fatalf("a draft reached a colleague: %v", c)
		}

		// The photos upload; the server strips their metadata.
		author.media.Send(beforeID, beforeJPEG, beforeUp)
		author.media.Send(afterID, afterJPEG, afterUp)
		author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
		author.Sync()
		submitted := author.caseRecord(caseID)
		if submitted.GetStatus() != casesv1.CaseStatus_CASE_STATUS_SUBMITTED || submitted.GetSubmittedAtUnixMs() == 0 {
			t.Fatalf("after submitting the author's phone holds %v", submitted)
		}

		// The moderator finds it in the queue, sees the photos, publishes.
		queue, err := mod.moderation.ListCases(ctx, connect.NewRequest(&casesv1.ListCasesRequest{}))
		must(t, err)
		if len(queue.Msg.Cases) != 1 || queue.Msg.Cases[0].Id != caseID || queue.Msg.Cases[0].AuthorName != e.author.Name {
			t.Fatalf("queue %v", queue.Msg.Cases)
		}
		view, err := mod.moderation.GetCase(ctx, connect.NewRequest(&casesv1.GetCaseRequest{Id: caseID}))
		must(t, err)
		if actions := actionsOf(view.Msg.History); actions != "saved saved submitted" {
			t.Fatalf("history %s", actions)
		}
		if _, err := e.phoneOf(e.moderator).download(beforeID); err != nil {
			t.Fatalf("the moderator cannot see the photo: %v", err)
		}
		pub, err := mod.moderation.PublishCase(ctx, connect.NewRequest(&casesv1.PublishCaseRequest{Id: caseID, Version: view.Msg.Case.Version, Note: "Спасибо!"}))
		must(t, err)
		if pub.Msg.Case.Status != casesv1.CaseStatus_CASE_STATUS_PUBLISHED || pub.Msg.Case.Specialty != "dermatology" {
			t.Fatalf("published %v", pub.Msg.Case)
		}

		// A dermatologist colleague's phone gets it, with the photos' sizes,
		// and may download them: clean, without the camera's metadata.
		colleague.Sync()
		got := colleague.caseRecord(caseID)
		if got.GetStatus() != casesv1.CaseStatus_CASE_STATUS_PUBLISHED || got.GetAuthorName() != e.author.Name || !proto.Equal(stripSizes(got.GetContent()), draft) {
			t.Fatalf("the colleague's phone holds %v", got)
		}
		if p := got.GetContent().GetPhotos(); p[0].GetWidth() != 480 || p[0].GetHeight() != 640 {
			t.Fatalf("photo sizes %v (the EXIF orientation turns 640×480 upright)", p)
		}
		thumb, err := colleague.download(afterID)
		must(t, err)
		for _, secret := range mediatest.Secrets {
			if bytes.Contains(thumb, []byte(secret)) {
				t.Fatalf("the thumbnail carries %q", secret)
			}
		}

		// A cosmetologist and a doctor not yet verified get nothing and may
		// not read the photos.
		for _, d := range []*phone{cosmetologist, newcomer} {
			d.Sync()
			if c := d.caseRecord(caseID); c != nil {
				t.Fatalf("%s's phone holds %v", d.user.Email, c)
			}
			_, err := d.download(afterID)
			wantError(t, err, syncengine.EPERMISSION, "you may not read media")
		}

		// The author is told and paid.
		author.Sync()
		if c := author.caseRecord(caseID); c.GetStatus() != casesv1.CaseStatus_CASE_STATUS_PUBLISHED || c.GetModeratorNote() != "Спасибо!" {
			t.Fatalf("the author's phone holds %v", c)
		}
		if got := inbox(author, "case.published"); len(got) != 1 || got[0].Body != "Модератор опубликовал ваш случай «Акне вульгарные, папуло-пустулезная форма, средней степени т…». Начислено баллов: 100. Спасибо!" {
			t.Fatalf("inbox %v", got)
		}
		if b := balance(author); b != 100 {
			t.Fatalf("balance %d, want 100", b)
		}
	})
}

// phoneOf signs a user in on a phone (staff read photos the same way).
func (e *env) phoneOf(u auth.User) *phone { return e.phone(u) }

func stripSizes(c *casesv1.CaseContent) *casesv1.CaseContent {
	c = proto.Clone(c).(*casesv1.CaseContent)
	for _, p := range c.Photos {
		p.Width, p.Height = 0, 0
	}
	return c
}

func actionsOf(es []*casesv1.CaseEvent) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return strings.Join(out, " ")
}

// inbox returns the inbox items of a kind on a device.
func inbox(d *phone, kind string) []*notifyv1.InboxItem {
	var out []*notifyv1.InboxItem
	for _, it := range servertest.Records[notifyv1.InboxItem](d.Device, notify.InboxCollection) {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

// balance is the points balance on a device.
func balance(d *phone) int64 {
	return servertest.Record[pointsv1.PointsBalance](d.Device, points.BalanceCollection, d.user.ID).GetBalance()
}
