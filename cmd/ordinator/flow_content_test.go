package main

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/content"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// contentPhone opens a doctor's phone with the content schema and syncs it.
func contentPhone(t *testing.T, p *platform, email string) *sdk.Replica {
	t.Helper()
	s := sdk.NewSchema()
	content.Register(s)
	s.AddCollection(sdk.Collection{Name: "points_balance"})
	r := p.Device(email, s)
	contentSync(t, r)
	return r
}

func contentSync(t *testing.T, r *sdk.Replica) {
	t.Helper()
	if err := r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// contentFound returns the ids of the items a search finds on a phone.
func contentFound(t *testing.T, r *sdk.Replica, query string) []string {
	t.Helper()
	hits, err := content.Search(context.Background(), r, query, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Item.GetId())
	}
	return ids
}

func contentBalance(t *testing.T, r *sdk.Replica) int64 {
	t.Helper()
	recs, err := r.Query(context.Background(), sdk.Query{Collection: "points_balance"})
	if err != nil || len(recs) > 1 {
		t.Fatalf("points balance on the phone: %d records, %v", len(recs), err)
	}
	if len(recs) == 0 {
		return 0 // no points yet
	}
	var b pointsv1.PointsBalance
	if err := proto.Unmarshal(recs[0].Payload, &b); err != nil {
		t.Fatal(err)
	}
	return b.Balance
}

// TestFlowContentSearchAndTraining: an editor publishes content for
// dermatologists; a dermatologist's phone finds an article offline by a
// Russian word in another case, loses it from its search when the editor
// retargets it to cosmetology, while a cosmetologist's phone gains it; a
// training passed offline earns its points once, even when the push is
// sent again.
func TestFlowContentSearchAndTraining(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, platformOptions{Postgres: true})
	ed := auth.Principal(p.User(auth.RoleModerator, "editor@content.test"), "console")
	p.User(auth.RoleDoctor, "derm@content.test")
	p.User(auth.RoleDoctor, "cosm@content.test", "cosmetology")
	lib := p.App.content

	derm, msk := []string{"dermatology"}, []string{"msk"}
	atopic := &contentv1.Item{Id: "atopic", Title: "Атопический дерматит у детей", Specialties: derm, RegionIds: msk,
		Body: &contentv1.Item_Article{Article: &contentv1.Article{Body: &contentv1.RichText{Source: "Эмоленты — основа **ухода** за кожей."}}}}
	opts := func() []*contentv1.QuizOption {
		return []*contentv1.QuizOption{{Text: "эмоленты"}, {Text: "антибиотики"}}
	}
	course := &contentv1.Item{Id: "course", Title: "Курс по уходу", Specialties: derm, RegionIds: msk,
		Body: &contentv1.Item_Training{Training: &contentv1.Training{Points: 40,
			Lessons: []*contentv1.Lesson{{Title: "Урок", Body: &contentv1.RichText{Source: "Эмоленты наносят дважды в день."}}},
			Quiz: &contentv1.Quiz{PassMarkPercent: 100, Questions: []*contentv1.QuizQuestion{
				{Text: "Основа ухода?", Options: opts(), CorrectOptionIds: []string{"a"}}}}}}}
	for _, it := range []*contentv1.Item{atopic, course} {
		if _, err := lib.CreateItem(ctx, ed, it); err != nil {
			t.Fatalf("create %s: %v", it.Id, err)
		}
		if _, err := lib.PublishItem(ctx, ed, it.Id); err != nil {
			t.Fatalf("publish %s: %v", it.Id, err)
		}
	}

	phone := contentPhone(t, p, "derm@content.test")
	cosm := contentPhone(t, p, "cosm@content.test")
	if got := contentFound(t, phone, "дерматитом"); len(got) != 1 || got[0] != "atopic" {
		t.Fatalf("дерматитом on the dermatologist's phone: %v", got)
	}
	if got := contentFound(t, cosm, "дерматитом"); len(got) != 0 {
		t.Fatalf("the cosmetologist's phone finds %v", got)
	}

	// Retargeted to cosmetology: it leaves the dermatologist's phone, row
	// and search entry alike, and reaches the cosmetologist's.
	current, err := lib.GetItem(ctx, ed, "atopic")
	if err != nil {
		t.Fatal(err)
	}
	moved := proto.Clone(current.Item).(*contentv1.Item)
	moved.Specialties = []string{"cosmetology"}
	if _, err := lib.UpdateItem(ctx, ed, moved, current.Item.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.PublishItem(ctx, ed, "atopic"); err != nil {
		t.Fatal(err)
	}
	contentSync(t, phone)
	contentSync(t, cosm)
	if got := contentFound(t, phone, "дерматитом"); len(got) != 0 {
		t.Fatalf("after retargeting, the dermatologist's phone finds %v", got)
	}
	if _, ok, err := phone.Get(ctx, content.ItemCollection, "atopic"); err != nil || ok {
		t.Fatalf("the retargeted item is still on the dermatologist's phone (%v)", err)
	}
	if got := contentFound(t, cosm, "атопического"); len(got) != 1 || got[0] != "atopic" {
		t.Fatalf("атопического on the cosmetologist's phone: %v", got)
	}
	if got := contentFound(t, phone, "эмолент"); len(got) != 1 || got[0] != "course" {
		t.Fatalf("эмолент on the dermatologist's phone: %v", got)
	}

	// The training, passed offline: a provisional grade and status at
	// once, the points once the server has them.
	before := contentBalance(t, phone)
	phone.SetConnectivity(sdk.Offline)
	it, _, err := content.Items.Get(ctx, phone, "course")
	if err != nil {
		t.Fatal(err)
	}
	q := it.GetTraining().GetQuiz().GetQuestions()[0]
	answers := []*contentv1.QuizAnswer{{QuestionId: q.GetId(), OptionIds: q.GetCorrectOptionIds()}}
	grade, _, err := content.CompleteTraining(ctx, phone, "course", answers)
	if err != nil || !grade.GetPassed() {
		t.Fatalf("provisional grade %v, %v", grade, err)
	}
	if st, ok, err := content.TrainingStatusOf(ctx, phone, "course"); err != nil || !ok || !st.Passed || st.PointsAwarded != 40 {
		t.Fatalf("status offline: %v %v %v", st, ok, err)
	}
	if _, _, err := content.CompleteTraining(ctx, phone, "course", []*contentv1.QuizAnswer{{QuestionId: "nope", OptionIds: []string{"a"}}}); err == nil {
		t.Fatal("answers for another quiz were accepted")
	}
	phone.SetConnectivity(sdk.Online)
	contentSync(t, phone)
	if got := contentBalance(t, phone); got != before+40 {
		t.Fatalf("balance %d after passing, want %d", got, before+40)
	}
	st, ok, err := content.TrainingStatusOf(ctx, phone, "course")
	if err != nil || !ok || st.Attempts != 1 || !st.Passed {
		t.Fatalf("status after sync: %v %v %v", st, ok, err)
	}

	// The same push again, as a device that never got the answer would
	// send it: the stored outcome, no second credit.
	token := p.Login("derm@content.test").Tokens.AccessToken
	args, err := proto.MarshalOptions{Deterministic: true}.Marshal(&contentv1.CompleteTrainingArgs{TrainingId: "course", TrainingVersion: it.GetVersion(), Answers: answers})
	if err != nil {
		t.Fatal(err)
	}
	res, err := syncv1connect.NewSyncServiceClient(http.DefaultClient, p.URL, servertest.WithToken(&token)).Push(ctx, connect.NewRequest(&syncv1.PushRequest{
		ClientId: phone.ClientID(), ClientSchemaVersion: currentClientSchema,
		Mutations: []*syncv1.Mutation{{Seq: 1, Name: content.MutationCompleteTraining, Args: args}}}))
	if err != nil {
		t.Fatal(err)
	}
	if o := res.Msg.GetOutcomes(); len(o) != 1 || o[0].GetStatus() != syncv1.OutcomeStatus_OUTCOME_STATUS_APPLIED {
		t.Fatalf("the retried push: %v", o)
	}
	contentSync(t, phone)
	if got := contentBalance(t, phone); got != before+40 {
		t.Fatalf("balance %d after the retried push, want %d", got, before+40)
	}
	if st, _, _ := content.TrainingStatusOf(ctx, phone, "course"); st.Attempts != 1 {
		t.Fatalf("the retried push counted again: %v", st)
	}
}
