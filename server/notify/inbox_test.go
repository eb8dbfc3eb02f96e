package notify_test

import (
	"testing"
	"time"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// inboxOf returns the inbox items a device holds, by id.
func inboxOf(d *servertest.Device) map[string]*notifyv1.InboxItem {
	return servertest.Records[notifyv1.InboxItem](d, notify.InboxCollection, syncengine.UserBucket(d.P.UserID))
}

func TestMarkReadSyncsAcrossDevices(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		registry := syncengine.NewRegistry()
		e.svc.Register(registry)
		engine := syncengine.New(syncengine.Config{Store: e.store, Registry: registry, Resolver: e.accounts})
		doc := e.user(auth.RoleDoctor, "msk")
		pA, _ := e.device(doc, "ru", "Europe/Moscow")
		pB, tokenB := e.device(doc, "ru", "Europe/Moscow")
		phone := func(p syncengine.Principal) *servertest.Device {
			return servertest.NewDevice(t, servertest.DeviceConfig{Engine: engine, Principal: p, Schema: 1, Clock: time.Now})
		}
		a, b := phone(pA), phone(pB)
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "gift.wave_opened", Params: map[string]string{"title": "Весна", "ends_at": "31.03"}, DedupeKey: "w1"})
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "gift.wave_closed", Params: map[string]string{"title": "Зима", "grace_until": "01.03"}, DedupeKey: "w0"})
		a.Sync()
		b.Sync()
		var wave, closed string
		for id, it := range inboxOf(a) {
			switch it.Kind {
			case "gift.wave_opened":
				wave = id
			case "gift.wave_closed":
				closed = id
			}
		}
		if wave == "" || closed == "" {
			t.Fatalf("inbox %v", inboxOf(a))
		}
		// Someone else cannot mark the doctor's items, nor can ids be made up.
		stranger := phone(auth.Principal(e.user(auth.RoleDoctor, "msk"), "x"))
		if out := stranger.Do(notify.MutationMarkRead, &notifyv1.MarkReadArgs{Ids: []string{wave}}); out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.ENOTFOUND {
			t.Fatalf("a stranger marks the item: %+v", out)
		}
		if out := a.Do(notify.MutationMarkRead, &notifyv1.MarkReadArgs{Ids: []string{"not-a-uuid"}}); out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.EINVALID {
			t.Fatalf("a malformed id: %+v", out)
		}
		e.clock.Advance(time.Minute)
		if out := a.Do(notify.MutationMarkRead, &notifyv1.MarkReadArgs{Ids: []string{wave}}); out.Status != syncengine.StatusApplied {
			t.Fatalf("mark read: %+v", out.Error)
		}
		b.Sync()
		items := inboxOf(b)
		if items[wave].ReadAtUnixMs != e.clock.Now().UnixMilli() || items[closed].ReadAtUnixMs != 0 {
			t.Fatalf("the other device sees %v", items)
		}
		// Read before it was pushed: not pushed any more.
		e.drain(e.worker(e.store, notify.WorkerConfig{}))
		got := e.fcm.DeliveredTo(tokenB)
		if len(got) != 1 || got[0].Data["id"] != closed {
			t.Fatalf("pushed %+v, want only the unread item", got)
		}
		if st, _, _ := e.state("w1"); st != "skipped" {
			t.Fatalf("the item read first is %s", st)
		}
	})
}
