package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// countryStack is one country's sync server on its own store.
type countryStack struct {
	url  string
	h    *storetest.Harness
	auth *tokens
}

func newCountryStack(t *testing.T, d syncengine.Dialect, country string) *countryStack {
	t.Helper()
	clock := storetest.NewClock()
	h := storetest.NewHarness(t, servertest.Store(t, d, clock.Now), clock, syncengine.Config{EncodeOutcome: syncrpc.EncodeOutcome, Logger: quietLogger()})
	auth := newTokens()
	srv := servertest.Serve(t, rpc.Config{Auth: auth, Logger: quietLogger()}, func(s *rpc.Server) {
		s.Handle(syncv1connect.NewSyncServiceHandler(syncrpc.New(h.Engine, s.Stopping()).ServeCountry(country), s.Options()...))
	})
	return &countryStack{url: srv.URL, h: h, auth: auth}
}

// TestReplicaPinnedToCountry: a replica records the country of the stack it
// first syncs with; opened against another country's stack (the device
// moved, its app now pointing at the new country's URL) it is wiped and
// nothing it held is merged there. A new replica then syncs normally.
func TestReplicaPinnedToCountry(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			kz, ru := newCountryStack(t, d, "kz"), newCountryStack(t, d, "ru")
			for _, s := range []*countryStack{kz, ru} {
				s.h.Grant("u1", "room:a")
				s.auth.add("token", "u1", "phone")
			}
			dir := t.TempDir()
			open := func(url string) *sdk.Replica {
				r, err := sdk.Open(ctx, sdk.Options{Dir: dir, ServerURL: url, Tokens: sdk.StaticToken("token"), Schema: sdktest.Schema(), Logger: quietLogger()})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { r.Close() })
				return r
			}
			r := open(kz.url)
			if r.Country() != "" {
				t.Fatalf("a new replica names country %q before its first pull", r.Country())
			}
			must(t, r.Sync(ctx))
			if r.Country() != "kz" {
				t.Fatalf("after the first sync with kz the replica names %q", r.Country())
			}
			if _, err := r.Mutate(ctx, "note.put", sdktest.Args("n1", "made in kz", "room:a")); err != nil {
				t.Fatal(err)
			}
			must(t, r.Sync(ctx))
			// Offline work waiting in the outbox when the device moves.
			if _, err := r.Mutate(ctx, "note.put", sdktest.Args("n2", "queued in kz", "room:a")); err != nil {
				t.Fatal(err)
			}
			must(t, r.Close())

			r = open(ru.url)
			if r.Country() != "kz" {
				t.Fatalf("reopened replica names %q, want kz", r.Country())
			}
			wiped := make(chan sdk.Wipe, 1)
			r.ObserveWipe(func(w sdk.Wipe) { wiped <- w })
			err := r.Sync(ctx)
			if !errors.Is(err, sdk.ErrOtherCountry) || !errors.Is(err, sdk.ErrWiped) {
				t.Fatalf("sync of a kz replica with ru: %v", err)
			}
			select {
			case w := <-wiped:
				if w.Country != "kz" || w.ServerCountry != "ru" || w.Mutations != 1 {
					t.Fatalf("wipe %+v, want kz → ru with the one queued mutation", w)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no wipe observed")
			}
			if st := r.Status(); !st.Wiped {
				t.Fatalf("status after the refusal: %+v", st)
			}
			if _, err := os.Stat(filepath.Join(dir, "replica.db")); !os.IsNotExist(err) {
				t.Fatalf("the replica database is still there: %v", err)
			}
			if n := ru.h.ServerNotes(); len(n) != 0 {
				t.Fatalf("ru merged the kz replica's notes: %v", n)
			}
			if n := kz.h.ServerNotes(); len(n) != 1 {
				t.Fatalf("kz has %v, want the one note synced there", n)
			}

			// A new replica in the same place belongs to ru.
			r = open(ru.url)
			must(t, r.Sync(ctx))
			if r.Country() != "ru" {
				t.Fatalf("new replica names %q, want ru", r.Country())
			}
		})
	}
}

// TestServerRefusesOtherCountry: the server itself refuses a push, pull or
// subscription naming another country, with the detail that tells the
// device to start over, and applies nothing.
func TestServerRefusesOtherCountry(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			ru := newCountryStack(t, d, "ru")
			ru.h.Grant("u1", "room:a")
			ru.auth.add("token", "u1", "phone")
			token := "token"
			c := syncv1connect.NewSyncServiceClient(http.DefaultClient, ru.url, servertest.WithToken(&token))
			refused := func(what string, err error) {
				t.Helper()
				var ce *connect.Error
				if !errors.As(err, &ce) || ce.Code() != connect.CodeFailedPrecondition {
					t.Fatalf("%s from a kz replica: %v", what, err)
				}
				for _, dt := range ce.Details() {
					if v, _ := dt.Value(); v != nil {
						if rc, ok := v.(*syncv1.ReplicaOfAnotherCountry); ok && rc.GetReplicaCountry() == "kz" && rc.GetServerCountry() == "ru" {
							return
						}
					}
				}
				t.Fatalf("%s: no ReplicaOfAnotherCountry detail in %v", what, err)
			}
			_, err := c.Push(ctx, connect.NewRequest(&syncv1.PushRequest{ClientId: "c1", ClientSchemaVersion: 1, ReplicaCountry: "kz",
				Mutations: []*syncv1.Mutation{{Seq: 1, Name: "note.put", Args: sdktest.Args("n1", "from kz", "room:a")}}}))
			refused("push", err)
			_, err = c.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientId: "c1", ClientSchemaVersion: 1, ReplicaCountry: "kz"}))
			refused("pull", err)
			st, err := c.Subscribe(ctx, connect.NewRequest(&syncv1.SubscribeRequest{ClientId: "c1", ClientSchemaVersion: 1, ReplicaCountry: "kz"}))
			if err == nil {
				st.Receive()
				err = st.Err()
				st.Close()
			}
			refused("subscribe", err)
			if n := ru.h.ServerNotes(); len(n) != 0 {
				t.Fatalf("ru applied a push from a kz replica: %v", n)
			}
			res, err := c.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{ClientId: "c2", ClientSchemaVersion: 1, ReplicaCountry: "ru"}))
			if err != nil || res.Msg.GetServerCountry() != "ru" {
				t.Fatalf("pull of a ru replica: %v %v", res, err)
			}
		})
	}
}
