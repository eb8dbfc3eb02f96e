package points_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func TestLedger(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			store := servertest.Store(t, d, nil, points.Schema())
			accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"}); err != nil {
				t.Fatal(err)
			}
			doc, err := accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDoctor, Email: "d@x.ru", Password: "long enough pw", Name: "D", Specialty: "dermatology", RegionID: "msk"})
			if err != nil {
				t.Fatal(err)
			}
			post := func(e points.Entry) (points.Posted, error) {
				var out points.Posted
				err := store.Update(ctx, func(tx syncengine.Tx) error {
					var err error
					out, err = points.Post(ctx, tx, e)
					return err
				})
				return out, err
			}
			// An accrual is paid once however often its event replays.
			for i := 0; i < 3; i++ {
				got, err := post(points.Entry{UserID: doc.ID, Amount: 100, Source: points.SourceTraining, SourceID: "course-1"})
				if err != nil || got.Balance != 100 || got.New != (i == 0) {
					t.Fatalf("accrual %d: %+v %v", i, got, err)
				}
			}
			// A debit beyond the balance is refused and writes nothing.
			_, err = post(points.Entry{UserID: doc.ID, Amount: -150, Source: points.SourceOrder, SourceID: "o1"})
			if syncengine.ErrorCode(err) != syncengine.EPRECONDITION || err.Error() != "not enough points: you have 100, this needs 150: points: balance 100, needed 150" {
				t.Fatalf("overdraft: %v", err)
			}
			if got, err := post(points.Entry{UserID: doc.ID, Amount: -60, Source: points.SourceOrder, SourceID: "o2"}); err != nil || got.Balance != 40 {
				t.Fatalf("debit: %+v %v", got, err)
			}
			// Concurrent debits never take the balance below zero.
			var wg sync.WaitGroup
			var ok, refused sync.Map
			for i := 0; i < 10; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := post(points.Entry{UserID: doc.ID, Amount: -10, Source: points.SourceOrder, SourceID: fmt.Sprint("c", i)}); err == nil {
						ok.Store(i, true)
					} else {
						refused.Store(i, err)
					}
				}()
			}
			wg.Wait()
			n := 0
			ok.Range(func(any, any) bool { n++; return true })
			if n != 4 {
				t.Fatalf("%d debits of 10 from 40 went through", n)
			}
			// Admin adjustments need an admin and a doctor.
			if _, err := points.Adjust(ctx, store, syncengine.Principal{UserID: doc.ID, Claims: auth.Claims{Role: auth.RoleDoctor}}, doc.ID, 1000, "generous", uuid.NewString()); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
				t.Fatalf("doctor adjusting their own points: %v", err)
			}
			adj, err := points.Adjust(ctx, store, auth.System, doc.ID, 25, "congress bonus", uuid.NewString())
			if err != nil || adj.Balance != 25 {
				t.Fatalf("adjust: %+v %v", adj, err)
			}
			err = store.View(ctx, func(q syncengine.Querier) error {
				drift, err := points.Drift(ctx, q)
				if len(drift) != 0 {
					t.Fatalf("balances drift from the ledger for %v", drift)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
