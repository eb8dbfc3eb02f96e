package content_test

import (
	"context"
	"testing"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/content"
)

// offlinePhone is a replica with the content schema and a test mutation
// that writes an item locally, as a sync would.
func offlinePhone(t *testing.T, dir string) *sdk.Replica {
	t.Helper()
	s := sdk.NewSchema()
	content.Register(s)
	s.AddMutation("test.item", sdk.ProtoMutation(func(tx *sdk.LocalTx, it *contentv1.Item) error {
		if it.GetTitle() == "" {
			return tx.Delete(content.ItemCollection, it.GetId())
		}
		return content.Items.Put(tx, it.GetId(), it)
	}))
	r, err := sdk.Open(context.Background(), sdk.Options{Dir: dir, ServerURL: "http://127.0.0.1:1", Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func found(t *testing.T, r *sdk.Replica, q string) []string {
	t.Helper()
	hits, err := content.Search(context.Background(), r, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Item.GetId())
	}
	return ids
}

func TestSearchFollowsLocalWritesAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := offlinePhone(t, dir)
	item := &contentv1.Item{Id: "a1", Version: 1, Title: "Розацеа: лечение", Kind: contentv1.ItemKind_ITEM_KIND_ARTICLE,
		Body: &contentv1.Item_Article{Article: &contentv1.Article{Body: &contentv1.RichText{Text: "Treatment of rosacea with ivermectin."}}}}
	if _, err := r.MutateProto(ctx, "test.item", item); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"лечением", "розацеа", "treatments", "iverm"} {
		if got := found(t, r, q); len(got) != 1 || got[0] != "a1" {
			t.Fatalf("%q: %v", q, got)
		}
	}
	if got := found(t, r, "псориаз"); len(got) != 0 {
		t.Fatalf("псориаз: %v", got)
	}
	r.Close()
	r = offlinePhone(t, dir)
	defer r.Close()
	if got := found(t, r, "лечения"); len(got) != 1 {
		t.Fatalf("after reopening: %v", got)
	}
	if _, err := r.MutateProto(ctx, "test.item", &contentv1.Item{Id: "a1"}); err != nil {
		t.Fatal(err)
	}
	if got := found(t, r, "лечение"); len(got) != 0 {
		t.Fatalf("after the item went: %v", got)
	}
}

func TestOfflineProgressAndTraining(t *testing.T) {
	ctx := context.Background()
	r := offlinePhone(t, t.TempDir())
	defer r.Close()
	if _, err := content.RecordProgress(ctx, r, "missing", contentv1.ProgressEvent_PROGRESS_EVENT_OPENED); err == nil {
		t.Fatal("progress on an item the phone does not hold was queued")
	}
	tr := &contentv1.Item{Id: "t1", Version: 3, Title: "Курс", Kind: contentv1.ItemKind_ITEM_KIND_TRAINING,
		Body: &contentv1.Item_Training{Training: &contentv1.Training{Points: 25, Quiz: &contentv1.Quiz{PassMarkPercent: 50,
			Questions: []*contentv1.QuizQuestion{{Id: "q1", Options: []*contentv1.QuizOption{{Id: "a"}, {Id: "b"}}, CorrectOptionIds: []string{"b"}}}}}}}
	if _, err := r.MutateProto(ctx, "test.item", tr); err != nil {
		t.Fatal(err)
	}
	if _, err := content.RecordProgress(ctx, r, "t1", contentv1.ProgressEvent_PROGRESS_EVENT_OPENED); err != nil {
		t.Fatal(err)
	}
	if p, ok, err := content.ProgressOf(ctx, r, "t1"); err != nil || !ok || p.OpenedAtUnixMs == 0 || p.FinishedAtUnixMs != 0 {
		t.Fatalf("progress %v %v %v", p, ok, err)
	}
	g, _, err := content.CompleteTraining(ctx, r, "t1", []*contentv1.QuizAnswer{{QuestionId: "q1", OptionIds: []string{"a"}}})
	if err != nil || g.Passed {
		t.Fatalf("wrong answer: %v %v", g, err)
	}
	g, _, err = content.CompleteTraining(ctx, r, "t1", []*contentv1.QuizAnswer{{QuestionId: "q1", OptionIds: []string{"b"}}})
	if err != nil || !g.Passed {
		t.Fatalf("right answer: %v %v", g, err)
	}
	st, ok, err := content.TrainingStatusOf(ctx, r, "t1")
	if err != nil || !ok || st.Attempts != 2 || st.BestScore != 1 || !st.Passed || st.PointsAwarded != 25 || st.PassedVersion != 3 {
		t.Fatalf("status %v %v %v", st, ok, err)
	}
	if p, _, _ := content.ProgressOf(ctx, r, "t1"); p.FinishedAtUnixMs == 0 {
		t.Fatalf("a taken quiz does not finish the training: %v", p)
	}
	if n, _ := r.Count(ctx, sdk.Query{Collection: content.TrainingStatusCollection}); n != 1 {
		t.Fatalf("%d status records", n)
	}
	if _, _, err := content.CompleteTraining(ctx, r, "t1", []*contentv1.QuizAnswer{{QuestionId: "q9"}}); err == nil {
		t.Fatal("an answer to another quiz was accepted")
	}
}
