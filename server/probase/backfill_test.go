package probase_test

import (
	"context"
	"io/fs"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// firstMigration is the directory's schema as it was before summaries.
func firstMigration(d syncengine.Dialect) fs.FS {
	b, err := fs.ReadFile(probase.Migrations(d), "00001_directory.sql")
	if err != nil {
		panic(err)
	}
	return fstest.MapFS{"00001_directory.sql": {Data: b}}
}

// TestSummariesBackfill: the doctors of a directory older than summaries
// get theirs when the upgraded server starts, once; a director then sees
// them without a single contact detail.
func TestSummariesBackfill(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock()
			first := probase.Schema()
			first.Migrations = firstMigration
			store := servertest.Store(t, d, clock.Now, first)
			accounts, err := auth.New(ctx, store, auth.Config{Argon2: auth.TestArgon2, Now: clock.Now})
			must(t, err)
			_, err = accounts.CreateRegion(ctx, auth.System, auth.Region{ID: "msk", Name: "Moscow", TimeZone: "Europe/Moscow"})
			must(t, err)
			_, err = accounts.CreateTerritory(ctx, auth.System, auth.Territory{ID: "north", RegionID: "msk", Name: "north"})
			must(t, err)
			director, err := accounts.CreateUser(ctx, auth.System, auth.NewUser{Role: auth.RoleDirector, Email: "dir@x.test", Password: "long enough pw", Name: "dir", RegionID: "msk"})
			must(t, err)
			_, err = accounts.AssignRegion(ctx, auth.System, director.ID, "msk", true)
			must(t, err)
			// Doctors as the directory stored them before summaries.
			const n = 501 // more than one backfill batch
			must(t, store.Update(ctx, func(tx syncengine.Tx) error {
				for i := range n {
					if _, err := tx.Exec(ctx, `INSERT INTO doctors (id, external_id, user_id, fields, full_name, territory_id, version, created_at, updated_at)
						VALUES ($1, NULL, NULL, $2, $3, 'north', 1, 1, 1)`, uuid.NewString(),
						`{"full_name":["Доктор `+strconv.Itoa(i)+`"],"specialty":["dermatology"],"phones":["+79035550101"],"email":["plant.mail@contact.test"],"territory_id":["north"],"status":["active"]}`,
						"Доктор "+strconv.Itoa(i)); err != nil {
						return err
					}
				}
				return nil
			}))

			// The upgrade: the migration lists them, the start writes them.
			must(t, store.Migrate(ctx, "probase", probase.Migrations(d)))
			_, err = probase.New(ctx, store, nil)
			must(t, err)
			e := &env{t: t, ctx: ctx, store: store, accounts: accounts, clock: clock,
				engine: syncengine.New(syncengine.Config{Store: store, Registry: syncengine.NewRegistry(), Resolver: accounts, EncodeOutcome: syncrpc.EncodeOutcome})}
			dir := e.device(director)
			if got := leaked(pulled(dir)); len(got) != 0 {
				t.Fatalf("the director downloaded %v", got)
			}
			summaries := 0
			for k := range dir.Replica.Records(auth.TerritorySummaryBucket("north")) {
				if k.Collection == probase.DoctorSummaryCollection {
					summaries++
				}
			}
			if summaries != n {
				t.Fatalf("the director holds %d summaries, want %d", summaries, n)
			}
			if s := summaryOf(dir, firstDoctor(t, e)); s.GetRegionId() != "msk" || s.GetStatus() != "active" || s.GetFullName() == "" {
				t.Fatalf("backfilled summary %v", s)
			}
			var left int64
			must(t, store.View(ctx, func(q syncengine.Querier) error {
				return q.QueryRow(ctx, `SELECT count(*) FROM doctor_summary_backfill`).Scan(&left)
			}))
			if left != 0 {
				t.Fatalf("%d doctors still listed for the backfill", left)
			}
			// The next start writes nothing again.
			_, err = probase.New(ctx, store, nil)
			must(t, err)
			if got := dir.Sync().Changes; len(got) != 0 {
				t.Fatalf("a second start wrote %d changes", len(got))
			}
		})
	}
}

func firstDoctor(t *testing.T, e *env) string {
	var id string
	must(t, e.store.View(e.ctx, func(q syncengine.Querier) error {
		return q.QueryRow(e.ctx, `SELECT id FROM doctors ORDER BY id LIMIT 1`).Scan(&id)
	}))
	return id
}
