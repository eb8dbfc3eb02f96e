package notify_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// phone is a device with a replica, syncing through the engine.
type phone struct {
	p       syncengine.Principal
	client  string
	replica *storetest.Replica
	seq     int64
}

func newPhone(p syncengine.Principal) *phone {
	return &phone{p: p, client: uuid.NewString(), replica: storetest.NewReplica()}
}

func (ph *phone) sync(t *testing.T, engine *syncengine.Engine) {
	t.Helper()
	for {
		page, err := engine.Pull(t.Context(), ph.p, syncengine.PullRequest{ClientID: ph.client, SchemaVersion: 1, Cursors: ph.replica.Cursors()})
		if err != nil {
			t.Fatal(err)
		}
		if bad, err := ph.replica.Apply(page); err != nil || len(bad) > 0 {
			t.Fatalf("apply: %v, mismatched %v", err, bad)
		}
		if page.Checkpoint != nil {
			return
		}
	}
}

func (ph *phone) push(t *testing.T, engine *syncengine.Engine, name string, args proto.Message) syncengine.Outcome {
	t.Helper()
	b, err := proto.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	ph.seq++
	out, err := engine.Push(t.Context(), ph.p, syncengine.PushRequest{ClientID: ph.client, SchemaVersion: 1,
		Mutations: []syncengine.Mutation{{Seq: ph.seq, Name: name, Args: b, CreatedAt: time.Now()}}})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func (ph *phone) inbox(t *testing.T) map[string]*notifyv1.InboxItem {
	t.Helper()
	out := map[string]*notifyv1.InboxItem{}
	for k, v := range ph.replica.Records(syncengine.UserBucket(ph.p.UserID)) {
		if k.Collection != notify.InboxCollection {
			continue
		}
		it := &notifyv1.InboxItem{}
		if err := proto.Unmarshal(v, it); err != nil {
			t.Fatal(err)
		}
		out[k.ID] = it
	}
	return out
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
		a, b := newPhone(pA), newPhone(pB)
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "gift.wave_opened", Params: map[string]string{"title": "Весна", "ends_at": "31.03"}, DedupeKey: "w1"})
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "gift.wave_closed", Params: map[string]string{"title": "Зима", "grace_until": "01.03"}, DedupeKey: "w0"})
		a.sync(t, engine)
		b.sync(t, engine)
		var wave, closed string
		for id, it := range a.inbox(t) {
			switch it.Kind {
			case "gift.wave_opened":
				wave = id
			case "gift.wave_closed":
				closed = id
			}
		}
		if wave == "" || closed == "" {
			t.Fatalf("inbox %v", a.inbox(t))
		}
		// Someone else cannot mark the doctor's items, nor can ids be made up.
		stranger := newPhone(auth.Principal(e.user(auth.RoleDoctor, "msk"), "x"))
		if out := stranger.push(t, engine, notify.MutationMarkRead, &notifyv1.MarkReadArgs{Ids: []string{wave}}); out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.ENOTFOUND {
			t.Fatalf("a stranger marks the item: %+v", out)
		}
		if out := a.push(t, engine, notify.MutationMarkRead, &notifyv1.MarkReadArgs{Ids: []string{"not-a-uuid"}}); out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.EINVALID {
			t.Fatalf("a malformed id: %+v", out)
		}
		e.clock.Advance(time.Minute)
		if out := a.push(t, engine, notify.MutationMarkRead, &notifyv1.MarkReadArgs{Ids: []string{wave}}); out.Status != syncengine.StatusApplied {
			t.Fatalf("mark read: %+v", out.Error)
		}
		b.sync(t, engine)
		items := b.inbox(t)
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
