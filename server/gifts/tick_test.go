package gifts_test

import (
	"sync"
	"testing"
	"time"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestWaveNotices: two server processes ticking at once announce a wave's
// opening, closing soon and close exactly once to every verified doctor of
// its region, at the right times; moving the close announces it again.
func TestWaveNotices(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		cfg := gifts.Config{ClosingSoon: time.Hour, NoticePageSize: 2}
		e := newEnv(t, d, cfg)
		var doctors []auth.User
		for range 3 {
			doctors = append(doctors, e.doctor("msk", 0, true))
		}
		unverified, elsewhere := e.doctor("msk", 0, false), e.doctor("spb", 0, true)
		t0 := e.clock.Now()
		w, err := e.gifts.CreateWave(e.ctx, auth.System, gifts.Wave{RegionID: "msk", Title: "Осень", StartsAt: t0.Add(time.Hour), EndsAt: t0.Add(6 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		// A second process over the same database.
		other := gifts.New(e.store, cfg)
		tick := func() {
			t.Helper()
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				svc := e.gifts
				if i%2 == 1 {
					svc = other
				}
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = svc.Tick(e.ctx, e.clock.Now()) }()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		sent := func(kind string) int64 {
			t.Helper()
			for _, u := range []auth.User{unverified, elsewhere} {
				if n := e.count(`SELECT count(*) FROM notifications WHERE user_id = $1`, u.ID); n != 0 {
					t.Fatalf("%d notices to a doctor outside the wave", n)
				}
			}
			for _, u := range doctors {
				if n := e.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2`, u.ID, kind); n > 2 {
					t.Fatalf("%d %s notices to one doctor", n, kind)
				}
			}
			return e.count(`SELECT count(*) FROM notifications WHERE kind = $1`, kind)
		}

		tick()
		if n := sent(gifts.NoticeWaveOpened); n != 0 {
			t.Fatalf("%d opening notices before the opening", n)
		}
		e.clock.Advance(time.Hour)
		tick()
		tick()
		if n := sent(gifts.NoticeWaveOpened); n != 3 {
			t.Fatalf("%d opening notices for 3 doctors", n)
		}
		var title, body string
		e.view(func(q syncengine.Querier) error {
			return q.QueryRow(e.ctx, `SELECT title, body FROM notifications WHERE user_id = $1 AND kind = $2`, doctors[0].ID, gifts.NoticeWaveOpened).Scan(&title, &body)
		})
		if title != "Открыта волна подарков" || body != "«Осень»: обменивайте баллы на подарки до 01.03.2026 18:00 MSK." {
			t.Fatalf("notice %q: %q", title, body)
		}

		e.clock.Advance(4 * time.Hour) // an hour before the close
		tick()
		if n := sent(gifts.NoticeWaveClosingSoon); n != 3 {
			t.Fatalf("%d closing-soon notices", n)
		}
		// The close moves two hours later: it is announced again then.
		if _, err := e.gifts.UpdateWave(e.ctx, auth.System, gifts.Wave{ID: w.ID, Title: w.Title, StartsAt: w.StartsAt, EndsAt: t0.Add(8 * time.Hour), Grace: w.Grace}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		tick()
		if n := sent(gifts.NoticeWaveClosed); n != 0 {
			t.Fatalf("%d closed notices at the old close", n)
		}
		e.clock.Advance(time.Hour)
		tick()
		if n := sent(gifts.NoticeWaveClosingSoon); n != 6 {
			t.Fatalf("%d closing-soon notices after the close moved, want 3 more", n)
		}
		e.clock.Advance(time.Hour)
		tick()
		tick()
		if n := sent(gifts.NoticeWaveClosed); n != 3 {
			t.Fatalf("%d closed notices", n)
		}
		if n := sent(gifts.NoticeWaveOpened); n != 3 {
			t.Fatalf("%d opening notices in the end", n)
		}
	})
}

// TestStockLevels: devices see a wave item's remaining stock roughly
// current: orders leave small changes to the next Tick, and a noticeable
// change, the sell-out and a return to stock reach them at once.
func TestStockLevels(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, gifts.Config{})
		cream := e.item("CREAM", "Cream", 1000)
		w := e.wave("msk", 2*time.Hour, time.Hour)
		e.offer(w, cream, 1, 0, 128)
		doc := e.device(e.doctor("msk", 1000, true))
		remaining := func() int64 {
			t.Helper()
			doc.Sync()
			ci := servertest.Record[giftsv1.CatalogItem](doc, gifts.CatalogCollection, w.ID+"/"+cream.ID, auth.RegionBucket("msk"))
			if ci == nil {
				t.Fatal("the catalog item is not on the phone")
			}
			return ci.Remaining
		}
		if got := remaining(); got != 128 {
			t.Fatalf("the phone shows %d of 128", got)
		}
		placed(t, place(doc, w.ID, line(cream, 1)))
		if got := remaining(); got != 128 {
			t.Fatalf("one unit sold: the phone shows %d, the level should wait for a tick", got)
		}
		if err := e.gifts.Tick(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := remaining(); got != 127 {
			t.Fatalf("after a tick the phone shows %d", got)
		}
		placed(t, place(doc, w.ID, line(cream, 100)))
		if got := remaining(); got != 27 {
			t.Fatalf("100 units sold: the phone shows %d", got)
		}
		one := placed(t, place(doc, w.ID, line(cream, 1)))
		placed(t, place(doc, w.ID, line(cream, 26)))
		if got := remaining(); got != 0 {
			t.Fatalf("sold out: the phone shows %d", got)
		}
		if out := doc.Push(doc.Mutation(gifts.MutationCancelOrder, &giftsv1.CancelOrderArgs{OrderId: one.OrderId}))[0]; out.Status != syncengine.StatusApplied {
			t.Fatal(out.Error)
		}
		if got := remaining(); got != 1 {
			t.Fatalf("back in stock: the phone shows %d", got)
		}
		e.drift()
	})
}
