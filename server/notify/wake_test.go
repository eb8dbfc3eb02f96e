package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestSilentWake: a change to a user's bucket wakes, by a silent push,
// each of their devices that holds no live stream, at most once a minute.
func TestSilentWake(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		pLive, live := e.device(doc, "ru", "Europe/Moscow")
		_, asleep := e.device(doc, "en", "Europe/Moscow")
		other := e.user(auth.RoleDoctor, "msk")
		_, bystander := e.device(other, "ru", "Europe/Moscow")

		presence := notify.NewPresence(e.store, time.Minute, e.clock.Now, e.log)
		engine := syncengine.New(syncengine.Config{Store: e.store, Resolver: e.accounts, OnLive: presence.Live})
		ctx, cancel := context.WithCancel(e.ctx)
		defer cancel()
		go engine.Run(ctx)
		// The live device subscribes; once it hears its first heartbeat it
		// is live.
		subCtx, endStream := context.WithCancel(ctx)
		heard := make(chan struct{}, 1)
		streamDone := make(chan struct{})
		go func() {
			defer close(streamDone)
			engine.Subscribe(subCtx, pLive, 1, nil, func(syncengine.Event) error {
				select {
				case heard <- struct{}{}:
				default:
				}
				return nil
			})
		}()
		<-heard
		servertest.Eventually(t, "the stream recorded as live", func() bool {
			return e.count(`SELECT count(*) FROM live_streams WHERE device_id = $1`, pLive.DeviceID) == 1
		})

		kicked := make(chan struct{}, 10)
		waker := notify.NewWaker(notify.WakerConfig{Store: e.store, Readers: e.accounts.Readers, Every: 10 * time.Millisecond,
			Now: e.clock.Now, Logger: e.log, Queued: func() { kicked <- struct{}{} }})
		go waker.Run(ctx)
		<-waker.Listening()
		// Any committed change to the doctor's bucket: here an inbox item.
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "diploma.verified", DedupeKey: "v1", Urgent: true})
		select {
		case <-kicked:
		case <-time.After(10 * time.Second):
			t.Fatal("no wake-up queued")
		}
		w := e.worker(e.store, notify.WorkerConfig{})
		e.drain(w)
		silent := func(token string) int {
			n := 0
			for _, m := range e.fcm.DeliveredTo(token) {
				if m.Data["kind"] == notify.KindSyncWake {
					if m.Title != "" || !m.ContentAvailable {
						t.Errorf("a silent push with text or without content-available: %+v", m)
					}
					n++
				}
			}
			return n
		}
		if silent(asleep) != 1 || silent(live) != 0 || silent(bystander) != 0 {
			t.Fatalf("silent pushes: asleep %d, live %d, bystander %d", silent(asleep), silent(live), silent(bystander))
		}
		if len(e.fcm.DeliveredTo(live)) != 1 {
			t.Fatal("the live device did not get the visible push")
		}
		// Within the minute: no second wake-up.
		e.clock.Advance(59 * time.Second)
		if n, err := waker.Wake(e.ctx, []syncengine.Bucket{syncengine.UserBucket(doc.ID)}); err != nil || n != 0 {
			t.Fatalf("woke %d again within a minute (%v)", n, err)
		}
		// The stream ends; a minute after the first wake both devices are
		// woken.
		endStream()
		<-streamDone
		if n := e.count(`SELECT count(*) FROM live_streams`); n != 0 {
			t.Fatal("an ended stream still recorded")
		}
		e.clock.Advance(time.Second)
		if n, err := waker.Wake(e.ctx, []syncengine.Bucket{syncengine.UserBucket(doc.ID)}); err != nil || n != 2 {
			t.Fatalf("woke %d devices, want 2 (%v)", n, err)
		}
		e.drain(w)
		if silent(asleep) != 2 || silent(live) != 1 {
			t.Fatalf("silent pushes: asleep %d, formerly live %d", silent(asleep), silent(live))
		}
		// Silent pushes never show in the inbox.
		if n := e.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND NOT silent`, doc.ID); n != 1 {
			t.Fatalf("%d inbox notifications", n)
		}
	})
}

func TestPruneSilentPushes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		doc := e.user(auth.RoleDoctor, "msk")
		e.device(doc, "ru", "Europe/Moscow")
		waker := notify.NewWaker(notify.WakerConfig{Store: e.store, Readers: e.accounts.Readers, Now: e.clock.Now})
		if n, err := waker.Wake(e.ctx, []syncengine.Bucket{syncengine.UserBucket(doc.ID)}); err != nil || n != 1 {
			t.Fatalf("woke %d (%v)", n, err)
		}
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "diploma.verified", DedupeKey: "v1"})
		e.drain(e.worker(e.store, notify.WorkerConfig{}))
		prune := notify.PruneJob(e.store, time.Hour, 30*24*time.Hour)
		if err := prune.Run(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT count(*) FROM notifications`); n != 2 {
			t.Fatalf("pruned fresh notifications: %d left", n)
		}
		e.clock.Advance(25 * time.Hour)
		if err := prune.Run(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT count(*) FROM notifications WHERE silent`); n != 0 {
			t.Fatal("a day-old silent push is kept")
		}
		if n := e.count(`SELECT count(*) FROM notifications WHERE NOT silent`); n != 1 {
			t.Fatal("an inbox notification was pruned")
		}
		if n := e.count(`SELECT count(*) FROM push_sends`); n != 1 {
			t.Fatalf("%d delivery records, want the inbox notification's", n)
		}
		e.clock.Advance(30 * 24 * time.Hour)
		if err := prune.Run(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT count(*) FROM push_sends`); n != 0 {
			t.Fatal("old delivery records are kept")
		}
	})
}
