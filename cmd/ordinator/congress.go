package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// congressPassword is the password of every account a congress seed creates.
const congressPassword = "congress-load-1"

// congressPlan is what a congress seed creates: doctors of one specialty in
// one region, the congress programme and materials as content items for
// them (one of them a training with a quiz), and a gift wave opening at a
// set moment with a few popular items.
type congressPlan struct {
	Run       string // tells apart the accounts and items of two seeds
	Region    string
	Specialty string
	Doctors   int
	Items     int
	Gifts     int
	Stock     int64 // units of each gift
	OpensAt   time.Time
}

// congressSeed is what a session of the load needs to know of the seed.
type congressSeed struct {
	Logins          []string
	TrainingID      string
	TrainingVersion int64
	Answers         []*contentv1.QuizAnswer
	WaveID          string
	GiftIDs         []string
}

// congressServices are the services a congress seed goes through: the same
// paths an administrator's tasks take, never SQL.
type congressServices struct {
	store    syncengine.Store
	accounts *auth.Service
	library  *content.Service
	gifts    *gifts.Service
}

// seedCongress creates the plan's region (if missing), doctors and
// content; seedCongressWave adds the gift wave once its moment is known.
// Doctors are created a few at a time (each costs a password hash) and
// handed to created, if given, as soon as each exists, so that signing
// them in can overlap the rest; seed.Logins keeps the plan's order.
func seedCongress(ctx context.Context, s congressServices, plan congressPlan, created func(login string)) (congressSeed, error) {
	var seed congressSeed
	if plan.Doctors < 1 || plan.Items < 1 || plan.Gifts < 1 {
		return seed, fmt.Errorf("a congress needs at least one doctor, one content item and one gift")
	}
	if _, err := s.accounts.CreateRegion(ctx, auth.System, auth.Region{ID: plan.Region, Name: "Congress " + plan.Region, TimeZone: "Europe/Moscow"}); err != nil && syncengine.ErrorCode(err) != syncengine.ECONFLICT {
		return seed, fmt.Errorf("region %s: %w", plan.Region, err)
	}
	if err := seedCongressContent(ctx, s, plan, &seed); err != nil {
		return seed, err
	}
	seed.Logins = make([]string, plan.Doctors)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range plan.Doctors {
		login := fmt.Sprintf("congress-%s-%05d@load.ordinator", plan.Run, i)
		g.Go(func() error {
			u, err := s.accounts.CreateUser(gctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: login, Password: congressPassword,
				Name: fmt.Sprintf("Congress doctor %d", i), RegionID: plan.Region, Specialty: plan.Specialty})
			if err != nil {
				return fmt.Errorf("doctor %s: %w", login, err)
			}
			if _, err := s.accounts.VerifyDoctor(gctx, auth.System, u.ID); err != nil {
				return err
			}
			if _, err := points.Adjust(gctx, s.store, auth.System, u.ID, 10_000, "congress points", uuid.NewString()); err != nil {
				return err
			}
			seed.Logins[i] = login
			if created != nil {
				created(login)
			}
			return nil
		})
	}
	return seed, g.Wait()
}

// seedCongressContent publishes the programme: Items-1 articles and one
// training whose quiz the sessions answer.
func seedCongressContent(ctx context.Context, s congressServices, plan congressPlan, seed *congressSeed) error {
	spec, region := []string{plan.Specialty}, []string{plan.Region}
	for i := range plan.Items {
		it := &contentv1.Item{Id: fmt.Sprintf("congress-%s-%d", plan.Run, i), Title: fmt.Sprintf("Congress session %d", i+1), Specialties: spec, RegionIds: region,
			Body: &contentv1.Item_Article{Article: &contentv1.Article{Body: &contentv1.RichText{Source: fmt.Sprintf("Programme and materials of session %d.", i+1)}}}}
		if i == 0 {
			it.Title = "Congress quiz"
			it.Body = &contentv1.Item_Training{Training: &contentv1.Training{Points: 10,
				Lessons: []*contentv1.Lesson{{Title: "Keynote", Body: &contentv1.RichText{Source: "What the keynote said."}}},
				Quiz: &contentv1.Quiz{PassMarkPercent: 100, Questions: []*contentv1.QuizQuestion{
					{Text: "What did the keynote recommend?", Options: []*contentv1.QuizOption{{Text: "emollients"}, {Text: "antibiotics"}}, CorrectOptionIds: []string{"a"}}}}}}
		}
		if _, err := s.library.CreateItem(ctx, auth.System, it); err != nil {
			return fmt.Errorf("content item %s: %w", it.Id, err)
		}
		published, err := s.library.PublishItem(ctx, auth.System, it.Id)
		if err != nil {
			return fmt.Errorf("publishing %s: %w", it.Id, err)
		}
		if i == 0 {
			seed.TrainingID, seed.TrainingVersion = it.Id, published.GetItem().GetVersion()
			for _, q := range published.GetItem().GetTraining().GetQuiz().GetQuestions() {
				seed.Answers = append(seed.Answers, &contentv1.QuizAnswer{QuestionId: q.GetId(), OptionIds: q.GetCorrectOptionIds()})
			}
		}
	}
	return nil
}

// seedCongressWave receives the gifts into the warehouse and opens a wave
// offering them at plan.OpensAt.
func seedCongressWave(ctx context.Context, s congressServices, plan congressPlan, seed *congressSeed) error {
	w, err := s.gifts.CreateWave(ctx, auth.System, gifts.Wave{RegionID: plan.Region, Title: "Congress gifts " + plan.Run,
		StartsAt: plan.OpensAt, EndsAt: plan.OpensAt.Add(24 * time.Hour)})
	if err != nil {
		return fmt.Errorf("gift wave: %w", err)
	}
	seed.WaveID = w.ID
	for i := range plan.Gifts {
		it, err := s.gifts.CreateItem(ctx, auth.System, gifts.Item{SKU: fmt.Sprintf("CONGRESS-%s-%d", plan.Run, i), Name: fmt.Sprintf("Congress gift %d", i+1), Kind: giftsv1.GiftKind_GIFT_KIND_PRODUCT})
		if err != nil {
			return fmt.Errorf("gift %d: %w", i, err)
		}
		if _, err := s.gifts.RecordMovement(ctx, auth.System, gifts.NewMovement{Item: it.ID, Kind: gifts.MoveReceipt, Quantity: plan.Stock, Note: "congress stock", RequestID: uuid.NewString()}); err != nil {
			return err
		}
		if _, err := s.gifts.SetWaveItem(ctx, auth.System, w.ID, it.ID, 10, 0, plan.Stock); err != nil {
			return err
		}
		seed.GiftIDs = append(seed.GiftIDs, it.ID)
	}
	return nil
}
