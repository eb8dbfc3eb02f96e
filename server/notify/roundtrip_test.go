package notify_test

import (
	"fmt"
	"testing"
	"time"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestMarkReadRoundTrips counts inbox.mark_read's round trips to
// PostgreSQL with a pgx tracer: one per item, the read of the item; the
// update that marks it is queued and travels with the next read or the
// commit.
func TestMarkReadRoundTrips(t *testing.T) {
	var trips testenv.RoundTrips
	e := newEnvOn(t, func(now func() time.Time) []syncengine.Store {
		return []syncengine.Store{servertest.TracedStore(t, now, &trips, notify.Schema())}
	})
	registry := syncengine.NewRegistry()
	e.svc.Register(registry)
	engine := syncengine.New(syncengine.Config{Store: e.store, Registry: registry, Resolver: e.accounts})
	doc := e.user(auth.RoleDoctor, "msk")
	p, _ := e.device(doc, "ru", "Europe/Moscow")
	d := servertest.NewDevice(t, servertest.DeviceConfig{Engine: engine, Principal: p, Schema: 1, Clock: time.Now})
	for i := range 30 {
		e.enqueue(notify.Notification{UserID: doc.ID, Kind: "gift.wave_opened", Params: map[string]string{"title": "Весна", "ends_at": "31.03"}, DedupeKey: fmt.Sprint(i)})
	}
	d.Sync()
	var ids []string
	for id := range inboxOf(d) {
		ids = append(ids, id)
	}
	d.CheckRoundTrips(&trips, 1, func() syncengine.Mutation {
		m := d.Mutation(notify.MutationMarkRead, &notifyv1.MarkReadArgs{Ids: ids[:1]})
		ids = ids[1:]
		return m
	})
}
