package content_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
)

var (
	derm = []string{"dermatology"}
	onco = []string{"oncology"}
	msk  = []string{"msk"}
)

func TestRetargetMovesItemBetweenPhones(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		dermMsk := e.doctor("derm-msk", "dermatology", "msk", true)
		oncoMsk := e.doctor("onco-msk", "oncology", "msk", true)
		dermSpb := e.doctor("derm-spb", "dermatology", "spb", true)
		phones := []*phone{dermMsk, oncoMsk, dermSpb}
		syncAll := func() {
			for _, ph := range phones {
				ph.Sync()
			}
		}
		holds := func(want ...[]string) {
			t.Helper()
			for i, ph := range phones {
				if got := ph.ids(); !slices.Equal(got, want[i]) {
					t.Fatalf("%s holds %v, want %v", ph.user.Name, got, want[i])
				}
			}
		}
		e.create(article("atopic", "Атопический дерматит", "Эмоленты — **основа** ухода.", derm, msk))
		syncAll()
		holds(nil, nil, nil) // a draft reaches nobody
		e.publish("atopic")
		syncAll()
		// Exactly the specialty AND the region: not oncologists of Moscow,
		// not dermatologists of Saint Petersburg.
		holds([]string{"atopic"}, nil, nil)
		if it := dermMsk.items()["atopic"]; it.Version != 1 || it.GetArticle().GetBody().GetHtml() != "<p>Эмоленты — <strong>основа</strong> ухода.</p>\n" ||
			it.GetArticle().GetBody().GetSource() != "" || it.GetArticle().GetBody().GetText() != "Эмоленты — основа ухода." {
			t.Fatalf("the phone got %v", it)
		}

		// Retargeted to oncology: it leaves the dermatologist's phone and
		// reaches the oncologist's at their next sync.
		moved := article("atopic", "Атопический дерматит и онкология", "Эмоленты при лучевом дерматите.", onco, msk)
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, moved, 1); err != nil {
			t.Fatal(err)
		}
		syncAll()
		holds(nil, []string{"atopic"}, nil)
		if it := oncoMsk.items()["atopic"]; it.Version != 2 || it.Title != "Атопический дерматит и онкология" {
			t.Fatalf("the oncologist got %v", it)
		}
		// To both specialties in both regions: every phone has it, once.
		both := article("atopic", "Атопический дерматит", "Для всех.", []string{"dermatology", "oncology"}, []string{"msk", "spb"})
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, both, 2); err != nil {
			t.Fatal(err)
		}
		syncAll()
		holds([]string{"atopic"}, []string{"atopic"}, []string{"atopic"})
		// Unpublished: gone from every phone.
		if _, err := e.svc.UnpublishItem(e.ctx, e.editor, "atopic"); err != nil {
			t.Fatal(err)
		}
		syncAll()
		holds(nil, nil, nil)
		if got, _ := e.svc.GetItem(e.ctx, e.editor, "atopic"); got.Status.State != contentv1.ItemState_ITEM_STATE_UNPUBLISHED {
			t.Fatalf("state %v", got.Status.State)
		}
		// A stale editor's update is refused rather than overwriting.
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, moved, 2); code(err) != "conflict" || !violation(err, "expected_version") {
			t.Fatalf("stale update: %v", err)
		}
	})
}

func TestUnverifiedDoctorsSeeOnlyPublicItems(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		newcomer := e.doctor("newcomer", "dermatology", "msk", false)
		verified := e.doctor("verified", "dermatology", "msk", true)
		oncologist := e.doctor("oncologist", "oncology", "msk", true)
		open := article("open", "Открытая статья", "Для всех дерматологов.", derm, msk)
		open.Public = true
		e.create(open)
		e.create(article("closed", "Для специалистов", "Только после проверки диплома.", derm, msk))
		e.publish("open")
		e.publish("closed")
		for _, ph := range []*phone{newcomer, verified, oncologist} {
			ph.Sync()
		}
		if got := newcomer.ids(); !slices.Equal(got, []string{"open"}) {
			t.Fatalf("unverified doctor holds %v", got)
		}
		if got := verified.ids(); !slices.Equal(got, []string{"closed", "open"}) {
			t.Fatalf("verified doctor holds %v", got)
		}
		// A public item is still for its specialty only.
		if got := oncologist.ids(); got != nil {
			t.Fatalf("oncologist holds %v", got)
		}
		// No longer public: the newcomer loses it, the verified doctor keeps it.
		open.Public = false
		if _, err := e.svc.UpdateItem(e.ctx, e.editor, open, 0); err != nil {
			t.Fatal(err)
		}
		newcomer.Sync()
		verified.Sync()
		if got := newcomer.ids(); got != nil {
			t.Fatalf("unverified doctor holds %v", got)
		}
		if got := verified.ids(); !slices.Equal(got, []string{"closed", "open"}) {
			t.Fatalf("verified doctor holds %v", got)
		}
	})
}

func TestPublishWindow(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		doc := e.doctor("doc", "dermatology", "msk", true)
		now := e.clock.Now()
		it := article("webinar", "Вебинар", "Запись вебинара.", derm, msk)
		it.StartsAtUnixMs, it.EndsAtUnixMs = now.Add(time.Hour).UnixMilli(), now.Add(2*time.Hour).UnixMilli()
		e.create(it)
		if got := e.publish("webinar"); got.Status.State != contentv1.ItemState_ITEM_STATE_SCHEDULED {
			t.Fatalf("state %v", got.Status.State)
		}
		doc.Sync()
		if got := doc.ids(); got != nil {
			t.Fatalf("before its window: %v", got)
		}
		reevaluate := func(want int) {
			t.Helper()
			n, err := e.svc.Reevaluate(e.ctx)
			if err != nil || n != want {
				t.Fatalf("reevaluate: %d %v, want %d", n, err, want)
			}
		}
		reevaluate(0)
		e.clock.Advance(time.Hour)
		reevaluate(1)
		reevaluate(0) // idempotent
		doc.Sync()
		if got := doc.ids(); !slices.Equal(got, []string{"webinar"}) {
			t.Fatalf("in its window: %v", got)
		}
		e.clock.Advance(time.Hour)
		reevaluate(1)
		doc.Sync()
		if got := doc.ids(); got != nil {
			t.Fatalf("after its window: %v", got)
		}
		if got, _ := e.svc.GetItem(e.ctx, e.editor, "webinar"); got.Status.State != contentv1.ItemState_ITEM_STATE_ENDED {
			t.Fatalf("state %v", got.Status.State)
		}
		// An ended window cannot be published again until it is moved.
		if _, err := e.svc.UnpublishItem(e.ctx, e.editor, "webinar"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PublishItem(e.ctx, e.editor, "webinar"); code(err) != "failed_precondition" {
			t.Fatalf("publishing an ended item: %v", err)
		}
	})
}

// Several server processes run the window job at once: every item moves
// exactly once, and the phones end up with all of them.
func TestReevaluateFromSeveralProcesses(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		doc := e.doctor("doc", "dermatology", "msk", true)
		const items = 30
		start := e.clock.Now().Add(time.Minute).UnixMilli()
		for i := range items {
			it := article(fmt.Sprint("item-", i), fmt.Sprint("Статья ", i), "Текст.", derm, msk)
			it.StartsAtUnixMs = start + int64(i)
			e.create(it)
			e.publish(it.Id)
		}
		e.clock.Advance(time.Hour)
		var wg sync.WaitGroup
		moved := make([]int, 4)
		for w := range moved {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := e.svc.Reevaluate(e.ctx)
				if err != nil {
					t.Error(err)
				}
				moved[w] = n
			}()
		}
		wg.Wait()
		if total := moved[0] + moved[1] + moved[2] + moved[3]; total != items {
			t.Fatalf("%v items moved (%d), want %d", moved, total, items)
		}
		doc.Sync()
		if got := len(doc.ids()); got != items {
			t.Fatalf("the phone holds %d items, want %d", got, items)
		}
	})
}
