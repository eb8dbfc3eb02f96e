package content_test

import (
	"fmt"
	"testing"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/content"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func progress(itemID string, ev contentv1.ProgressEvent) *contentv1.RecordProgressArgs {
	return &contentv1.RecordProgressArgs{ItemId: itemID, Event: ev}
}

const (
	opened   = contentv1.ProgressEvent_PROGRESS_EVENT_OPENED
	finished = contentv1.ProgressEvent_PROGRESS_EVENT_FINISHED
)

func TestReadingProgressAndStats(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		both := []string{"msk", "spb"}
		e.create(article("atopic", "Атопический дерматит", "Текст.", derm, both))
		e.create(training("course", 10, derm, both))
		e.create(article("draft", "Черновик", "Текст.", derm, both))
		e.publish("atopic")
		e.publish("course")
		a := e.doctor("a", "dermatology", "msk", true)
		b := e.doctor("b", "dermatology", "msk", true)
		c := e.doctor("c", "dermatology", "spb", true)
		for _, ph := range []*phone{a, b, c} {
			ph.Sync()
		}
		applied := func(ph *phone, args *contentv1.RecordProgressArgs) {
			t.Helper()
			if o := ph.Push(ph.Mutation(content.MutationRecordProgress, args))[0]; o.Status != syncengine.StatusApplied {
				t.Fatalf("progress %v: %+v", args, o.Error)
			}
		}
		// a opens twice (counted once) and finishes; b opens; c, in
		// another region, opens and finishes; a passes the training.
		applied(a, progress("atopic", opened))
		applied(a, progress("atopic", opened))
		applied(a, progress("atopic", finished))
		applied(b, progress("atopic", opened))
		applied(c, progress("atopic", finished))
		tr := a.items()["course"]
		result(t, a.Push(a.Mutation(content.MutationCompleteTraining, complete(tr, answers(tr, true))))[0])
		// Progress on a draft (it does not exist for doctors) or on an
		// unknown event is refused.
		if o := a.Push(a.Mutation(content.MutationRecordProgress, progress("draft", opened)))[0]; o.Error == nil || o.Error.Code != "not_found" {
			t.Fatalf("progress on a draft: %+v", o.Error)
		}
		if o := a.Push(a.Mutation(content.MutationRecordProgress, &contentv1.RecordProgressArgs{ItemId: "atopic"}))[0]; o.Error == nil || o.Error.Code != "invalid" {
			t.Fatalf("progress without an event: %+v", o.Error)
		}

		director := e.staff(auth.RoleDirector, "director@ordinator.test", "msk")
		if _, err := e.accounts.AssignRegion(e.ctx, auth.System, director.UserID, "msk", true); err != nil {
			t.Fatal(err)
		}
		stats, err := e.svc.ReadingStats(e.ctx, director, nil, contentv1.ItemKind_ITEM_KIND_UNSPECIFIED)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(statRows(stats)); got != "[atopic msk 2 1 0 course msk 1 1 1]" {
			t.Fatalf("director's stats: %s", got)
		}
		// Only trainings.
		stats, err = e.svc.ReadingStats(e.ctx, director, []string{"msk"}, contentv1.ItemKind_ITEM_KIND_TRAINING)
		if got := fmt.Sprint(statRows(stats)); err != nil || got != "[course msk 1 1 1]" {
			t.Fatalf("director's training stats: %s %v", got, err)
		}
		// Another region's figures are not theirs; a moderator sees all.
		if _, err := e.svc.ReadingStats(e.ctx, director, []string{"spb"}, 0); code(err) != "permission_denied" {
			t.Fatalf("director asking for another region: %v", err)
		}
		stats, err = e.svc.ReadingStats(e.ctx, e.editor, nil, 0)
		if got := fmt.Sprint(statRows(stats)); err != nil || got != "[atopic msk 2 1 0 atopic spb 1 1 0 course msk 1 1 1]" {
			t.Fatalf("moderator's stats: %s %v", got, err)
		}
		if _, err := e.svc.ReadingStats(e.ctx, a.P, nil, 0); code(err) != "permission_denied" {
			t.Fatalf("doctor asking for stats: %v", err)
		}
		// The doctor's other devices learn their progress through sync.
		a.Sync()
		pr := servertest.Records[contentv1.Progress](a.Device, content.ProgressCollection, syncengine.UserBucket(a.user.ID))
		if len(pr) != 2 {
			t.Fatalf("progress records on the phone: %v", pr)
		}
	})
}

func statRows(stats []*contentv1.ItemReadingStats) []any {
	var out []any
	for _, s := range stats {
		out = append(out, s.ItemId, s.RegionId, s.Opened, s.Finished, s.Passed)
	}
	return out
}
