package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The demo's moderation work besides the edits: a case a dermatologist
// submitted with photos before and after, a new doctor's diploma waiting,
// and a study with a doctor enrolled. Their accounts are their own, so the
// demo's doctor and colleague sync what they always did.
const (
	demoAuthor    = "author@demo.ordinator"
	demoNewDoctor = "new.doctor@demo.ordinator"
)

func seedDemoModeration(ctx context.Context, a *app) error {
	var exists bool
	err := a.store.View(ctx, func(q syncengine.Querier) error {
		_, err := auth.FindUserByLogin(ctx, q, demoAuthor)
		if syncengine.ErrorCode(err) == syncengine.ENOTFOUND {
			return nil
		}
		exists = err == nil
		return err
	})
	if err != nil || exists {
		return err
	}
	newUser := func(email, name string) (auth.User, error) {
		return a.accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: email, Password: demoPassword, Name: name, RegionID: "demo-msk", Specialty: "dermatology"})
	}
	author, err := newUser(demoAuthor, "Др. Ольга Кузнецова")
	if err != nil {
		return err
	}
	if author, err = a.accounts.VerifyDoctor(ctx, auth.System, author.ID); err != nil {
		return err
	}
	p := auth.Principal(author, "demo-phone")
	var photos []*casesv1.CasePhoto
	for i, stage := range []casesv1.PhotoStage{casesv1.PhotoStage_PHOTO_STAGE_BEFORE, casesv1.PhotoStage_PHOTO_STAGE_AFTER} {
		id := uuid.NewString()
		if _, err := a.media.Ingest(ctx, p, id, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO, "image/jpeg", demoSkin(40-32*i)); err != nil {
			return err
		}
		photos = append(photos, &casesv1.CasePhoto{MediaId: id, Stage: stage})
	}
	age := int32(34)
	caseID := uuid.NewString()
	content := &casesv1.CaseContent{Sex: casesv1.Sex_SEX_FEMALE, AgeYears: &age, Diagnosis: "Розацеа, папуло-пустулёзный подтип", Phototype: casesv1.Phototype_PHOTOTYPE_II,
		Product: "Розалиак AR", Regimen: "Крем утром и вечером на очищенную кожу", DurationDays: 42, Recommendations: "Избегать солнца, SPF 50",
		Outcome: casesv1.Outcome_OUTCOME_MARKED_IMPROVEMENT, OutcomeNotes: "Папулы почти полностью регрессировали к шестой неделе", Photos: photos}
	var ms []syncengine.Mutation
	for i, m := range []struct {
		name string
		args proto.Message
	}{{"case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content}}, {"case.submit", &casesv1.SubmitArgs{CaseId: caseID}}} {
		b, err := proto.Marshal(m.args)
		if err != nil {
			return err
		}
		ms = append(ms, syncengine.Mutation{Seq: int64(i + 1), Name: m.name, Args: b})
	}
	out, err := a.engine.Push(ctx, p, syncengine.PushRequest{ClientID: "demo-phone-author", SchemaVersion: currentClientSchema, Mutations: ms})
	if err != nil {
		return err
	}
	for _, o := range out {
		if o.Status != syncengine.StatusApplied {
			return fmt.Errorf("the demo case: %s", o.Error.Message)
		}
	}

	newcomer, err := newUser(demoNewDoctor, "Др. Тимур Ахмедов")
	if err != nil {
		return err
	}
	diploma := uuid.NewString()
	np := auth.Principal(newcomer, "demo-phone")
	if _, err := a.media.Ingest(ctx, np, diploma, mediav1.MediaPurpose_MEDIA_PURPOSE_DIPLOMA, "image/jpeg", demoDiploma()); err != nil {
		return err
	}
	if _, err := a.accounts.AttachDiploma(ctx, np, diploma); err != nil {
		return err
	}

	admin, err := demoUser(ctx, a, "admin@demo.ordinator")
	if err != nil {
		return err
	}
	st, err := a.studies.CreateStudy(ctx, auth.Principal(admin, "demo"), studies.Study{Title: "Розацеа: 12 недель наблюдения",
		Description: "Оценка IGA и зуда на визитах 0, 4, 8 и 12 недель", VisitWeeks: []int32{0, 4, 8, 12}, Fields: []string{"iga_score", "itch"}, PointsPerResult: 50, RegionID: "demo-msk"})
	if err != nil {
		return err
	}
	_, _, err = a.studies.EnrolDoctor(ctx, auth.Principal(admin, "demo"), st.ID, author.ID, "")
	return err
}

func demoUser(ctx context.Context, a *app, login string) (auth.User, error) {
	var u auth.User
	err := a.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		u, err = auth.FindUserByLogin(ctx, q, login)
		return err
	})
	return u, err
}

// demoSkin draws skin with papules, for the demo case's photos.
func demoSkin(spots int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 360))
	for y := range 360 {
		for x := range 480 {
			img.Set(x, y, color.RGBA{uint8(236 - y/24), uint8(196 - y/20), uint8(176 - y/20), 255})
		}
	}
	r := rand.New(rand.NewPCG(7, uint64(spots)))
	for range spots {
		cx, cy, rad := r.IntN(440)+20, r.IntN(320)+20, r.IntN(7)+5
		for y := cy - rad; y <= cy+rad; y++ {
			for x := cx - rad; x <= cx+rad; x++ {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad {
					img.Set(x, y, color.RGBA{200, 84, 84, 255})
				}
			}
		}
	}
	return demoJPEG(img)
}

// demoDiploma draws a document: a frame, lines of text, a seal.
func demoDiploma() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 340))
	for y := range 340 {
		for x := range 480 {
			c := color.RGBA{250, 245, 228, 255}
			switch {
			case x < 14 || x > 465 || y < 14 || y > 325:
				c = color.RGBA{150, 120, 60, 255}
			case y%28 > 22 && y > 60 && y < 250 && x > 60 && x < 420-(y%3)*40:
				c = color.RGBA{70, 70, 80, 255}
			case (x-380)*(x-380)+(y-280)*(y-280) < 900:
				c = color.RGBA{40, 80, 170, 255}
			}
			img.Set(x, y, c)
		}
	}
	return demoJPEG(img)
}

func demoJPEG(img image.Image) []byte {
	var b bytes.Buffer
	// Encoding an in-memory image to a buffer cannot fail.
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes()
}
