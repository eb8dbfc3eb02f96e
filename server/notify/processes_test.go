package notify_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/notify/fcm/fcmtest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestWaveOnceWithTwoProcesses: a gift wave opens and every doctor of the
// region is told. Two server processes (each its own connection pool on
// one PostgreSQL, two workers each) deliver the outbox at once, through
// 429s and 500s: every device of every doctor of the region gets exactly
// one push, and nobody else any.
func TestWaveOnceWithTwoProcesses(t *testing.T) {
	e := newEnv(t, syncengine.Postgres, 2)
	type doctor struct {
		user   auth.User
		tokens []string
	}
	var region []doctor
	for i := range 36 {
		doc := doctor{user: e.user(auth.RoleDoctor, "msk")}
		for range []int{0, 1, 1, 2}[i%4] { // some have no device, some two
			_, token := e.device(doc.user, "ru", "Europe/Moscow")
			doc.tokens = append(doc.tokens, token)
		}
		region = append(region, doc)
	}
	outsider := e.user(auth.RoleDoctor, "ekb")
	_, outsiderToken := e.device(outsider, "ru", "Asia/Yekaterinburg")
	e.fcm.Script(region[1].tokens[0], fcmtest.Reply{Status: 429, RetryAfter: "1"})
	e.fcm.Script(region[2].tokens[0], fcmtest.Reply{Status: 500}, fcmtest.Reply{Status: 500})
	e.fcm.Script(region[3].tokens[1], fcmtest.Reply{Status: 429})

	ids := map[string]string{} // notification id -> doctor id
	err := e.store.Update(e.ctx, func(tx syncengine.Tx) error {
		for _, doc := range region {
			if _, err := notify.Enqueue(e.ctx, tx, notify.Notification{UserID: doc.user.ID, Kind: "gift.wave_opened",
				Params: map[string]string{"title": "Весна 2026", "ends_at": "31.03"}, DedupeKey: "gift.wave_opened:spring:" + doc.user.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.store.View(e.ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(e.ctx, `SELECT id, user_id FROM notifications`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, user string
			if err := rows.Scan(&id, &user); err != nil {
				return err
			}
			ids[id] = user
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(e.ctx)
	var wg sync.WaitGroup
	sent := make([]atomic.Int64, len(e.stores))
	for p, store := range e.stores {
		for range 2 {
			w := e.worker(store, notify.WorkerConfig{Sender: countingSender{e.sender, &sent[p]}, Batch: 5, Poll: 2 * time.Millisecond, Backoff: time.Second})
			wg.Add(1)
			go func() { defer wg.Done(); w.Run(ctx) }()
		}
	}
	servertest.Eventually(t, "the outbox to drain", func() bool {
		if e.count(`SELECT count(*) FROM notifications WHERE state IN ('pending', 'sending')`) == 0 {
			return true
		}
		e.clock.Advance(500 * time.Millisecond) // retries come due
		return false
	})
	cancel()
	wg.Wait()

	got := map[string]map[string]int{} // token -> notification id -> pushes
	for _, m := range e.fcm.Delivered() {
		if got[m.Token] == nil {
			got[m.Token] = map[string]int{}
		}
		got[m.Token][m.Data["id"]]++
	}
	tokens := 0
	for _, doc := range region {
		for _, token := range doc.tokens {
			tokens++
			if len(got[token]) != 1 {
				t.Errorf("device %s of %s got %v", token[:12], doc.user.ID, got[token])
			}
			for id, n := range got[token] {
				if ids[id] != doc.user.ID || n != 1 {
					t.Errorf("device of %s got notification %s (of %s) %d times", doc.user.ID, id, ids[id], n)
				}
			}
		}
	}
	if len(got[outsiderToken]) != 0 {
		t.Errorf("a doctor of another region was told")
	}
	if e.fcm.Count() != tokens {
		t.Errorf("%d pushes for %d devices", e.fcm.Count(), tokens)
	}
	if n := e.count(`SELECT count(*) FROM notifications WHERE claimed_by <> ''`); n != 0 {
		t.Errorf("%d claims left behind", n)
	}
	if sent[0].Load() == 0 || sent[1].Load() == 0 {
		t.Errorf("one process did all the work: %d and %d messages", sent[0].Load(), sent[1].Load())
	}
	workers := e.count(`SELECT count(*) FROM notifications WHERE state = 'sent'`)
	if want := int64(27); workers != want {
		t.Errorf("%d notifications sent, want %d (the doctors with a device)", workers, want)
	}
}

// countingSender counts the messages one process sends.
type countingSender struct {
	notify.Sender
	n *atomic.Int64
}

func (c countingSender) Send(ctx context.Context, msgs []notify.Message) ([]notify.Result, error) {
	c.n.Add(int64(len(msgs)))
	return c.Sender.Send(ctx, msgs)
}
