package auth

import (
	"context"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestRefreshAfterUpgrade: sessions holding the random refresh tokens of
// before 00002_refresh_retry keep working after it. A current token rotates
// (into a derived one, whose lost answer can then be retried); the previous
// token of a session rotated before the upgrade keeps revoking, since its
// successor cannot be given again.
func TestRefreshAfterUpgrade(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			store := servertest.Store(t, d, nil, module.Schema{Name: "auth", Migrations: firstMigration})
			s, err := New(ctx, store, Config{Argon2: Argon2{Memory: 64, Time: 1, Threads: 1}})
			if err != nil {
				t.Fatal(err)
			}
			// The account as the old code created it (no audit table yet).
			if err := store.Update(ctx, func(tx syncengine.Tx) error {
				_, err := s.createUser(ctx, tx, NewUser{Role: RoleModerator, Email: "mod@ordinator.test", Password: "correct horse battery", Name: "Moderator"})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// Sessions as the old code left them: one never rotated, two
			// rotated once.
			legacy := func(current, prev string) string {
				t.Helper()
				sess, err := s.Login(ctx, LoginInput{Login: "mod@ordinator.test", Password: "correct horse battery", Device: "old phone"})
				if err != nil {
					t.Fatal(err)
				}
				prevHash := ""
				if prev != "" {
					prevHash = hashToken(prev)
				}
				err = store.Update(ctx, func(tx syncengine.Tx) error {
					_, err := tx.Exec(ctx, `UPDATE devices SET refresh_hash = $1, prev_refresh_hash = $2 WHERE id = $3`, hashToken(current), prevHash, sess.DeviceID)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return sess.DeviceID
			}
			legacy("fresh-0", "")
			legacy("rotated-1", "rotated-0")
			stolen := legacy("stolen-1", "stolen-0")
			if err := store.Migrate(ctx, "auth", Migrations(d)); err != nil {
				t.Fatal(err)
			}

			for _, current := range []string{"fresh-0", "rotated-1"} {
				next, err := s.Refresh(ctx, current)
				if err != nil {
					t.Fatalf("refreshing %s after the upgrade: %v", current, err)
				}
				again, err := s.Refresh(ctx, current)
				if err != nil || again.Refresh != next.Refresh {
					t.Fatalf("retrying the refresh of %s: %v", current, err)
				}
				if _, err := s.Refresh(ctx, next.Refresh); err != nil {
					t.Fatalf("refreshing the derived successor of %s: %v", current, err)
				}
			}
			var rev *RevokedError
			if _, err := s.Refresh(ctx, "stolen-0"); !errors.As(err, &rev) || rev.DeviceID != stolen {
				t.Fatalf("the previous token of a session rotated before the upgrade: %v, want a revocation", err)
			}
		})
	}
}

// firstMigration is the module's migrations up to 00001, the schema before
// refresh tokens were derived.
func firstMigration(d syncengine.Dialect) fs.FS {
	name := string(d) + "/00001_accounts.sql"
	b, err := fs.ReadFile(migrations, "migrations/"+name)
	if err != nil {
		panic(err)
	}
	return fstest.MapFS{"00001_accounts.sql": {Data: b}}
}
