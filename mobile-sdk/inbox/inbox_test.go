package inbox_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/inbox"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// replica opens a replica whose server never answers, holding items as if
// they had synced (written by a test mutation).
func replica(t *testing.T, items ...*notifyv1.InboxItem) *sdk.Replica {
	t.Helper()
	s := sdk.NewSchema()
	inbox.Register(s)
	s.AddMutation("test.seed", func(tx *sdk.LocalTx, _ []byte) error {
		for _, it := range items {
			b, err := proto.Marshal(it)
			if err != nil {
				return err
			}
			if err := tx.Put("inbox", it.GetId(), b); err != nil {
				return err
			}
		}
		return nil
	})
	r, err := sdk.Open(context.Background(), sdk.Options{Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: s,
		MinBackoff: time.Hour, MaxBackoff: time.Hour, PollEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if _, err := r.Mutate(context.Background(), "test.seed", nil); err != nil {
		t.Fatal(err)
	}
	return r
}

const (
	a = "0b7e4e8a-7a0e-4a0a-9a51-000000000001"
	b = "0b7e4e8a-7a0e-4a0a-9a51-000000000002"
	c = "0b7e4e8a-7a0e-4a0a-9a51-000000000003"
)

func TestMarkRead(t *testing.T) {
	ctx := context.Background()
	r := replica(t,
		&notifyv1.InboxItem{Id: a, Kind: "case.published", Title: "A", CreatedAtUnixMs: 1000},
		&notifyv1.InboxItem{Id: b, Kind: "gift.shipped", Title: "B", CreatedAtUnixMs: 3000},
		&notifyv1.InboxItem{Id: c, Kind: "edit.approved", Title: "C", CreatedAtUnixMs: 2000, ReadAtUnixMs: 2500},
	)
	unread, err := inbox.Unread(ctx, r)
	if err != nil || len(unread) != 2 || unread[0].GetId() != b || unread[1].GetId() != a {
		t.Fatalf("unread: %v (%v)", unread, err)
	}
	queued := r.Status().Pending
	if _, err := inbox.MarkRead(ctx, r, a, "0b7e4e8a-7a0e-4a0a-9a51-0000000000ff"); !errors.Is(err, inbox.ErrNotInInbox) {
		t.Fatalf("an unknown item: %v", err)
	}
	if _, err := inbox.MarkRead(ctx, r); err == nil {
		t.Fatal("marking nothing read was queued")
	}
	if n, _ := inbox.UnreadCount(ctx, r); n != 2 || r.Status().Pending != queued {
		t.Fatalf("a refused MarkRead changed something: %d unread, %d queued", n, r.Status().Pending-queued)
	}
	if _, err := inbox.MarkRead(ctx, r, a, c); err != nil {
		t.Fatal(err)
	}
	if n, _ := inbox.UnreadCount(ctx, r); n != 1 {
		t.Fatalf("%d unread after MarkRead, want 1", n)
	}
	if it, _, _ := inbox.Items.Get(ctx, r, c); it.GetReadAtUnixMs() != 2500 {
		t.Fatalf("an item read before was read again at %d", it.GetReadAtUnixMs())
	}
	if it, _, _ := inbox.Items.Get(ctx, r, a); it.GetReadAtUnixMs() == 0 {
		t.Fatal("the item is not read")
	}
	all, err := inbox.All(ctx, r, 2)
	if err != nil || len(all) != 2 || all[0].GetId() != b || all[1].GetId() != c {
		t.Fatalf("all: %v (%v)", all, err)
	}
}

// TestHandlePush: a wake makes the running loop try a sync at once, in
// the middle of an hour's backoff.
func TestHandlePush(t *testing.T) {
	r := replica(t)
	var syncs atomic.Int32
	stop := r.ObserveStatus(func(s sdk.Status) {
		if s.Syncing {
			syncs.Add(1)
		}
	})
	defer stop()
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	servertest.Eventually(t, "a sync attempt at start", func() bool { return syncs.Load() >= 1 })
	// It fails, and the loop backs off for an hour.
	servertest.Eventually(t, "the loop to back off", func() bool { return r.Loop().Waiting == sdk.WaitBackoff })
	backoff := r.Loop()
	if inbox.HandlePush(r, nil) || inbox.HandlePush(r, map[string]string{"id": a}) {
		t.Fatal("a push without a kind was taken for a wake")
	}
	if l, n := r.Loop(), syncs.Load(); l != backoff || n != 1 {
		t.Fatalf("pushes that are not Ordinator's woke the loop (%+v, then %+v) and made %d sync attempts", backoff, l, n-1)
	}
	if !inbox.HandlePush(r, map[string]string{"kind": inbox.KindSyncWake, "id": a}) {
		t.Fatal("the wake was not recognised")
	}
	servertest.Eventually(t, "a sync attempt after the wake", func() bool { return syncs.Load() >= 2 })
}
