package auth

import (
	"context"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestLoginWaitsForAPasswordSlot: with every password slot taken a sign-in
// waits rather than hashing; one that gives up waiting is told the server
// is busy (and counts no failure), and once a slot frees sign-ins go on.
func TestLoginWaitsForAPasswordSlot(t *testing.T) {
	ctx := context.Background()
	store := servertest.Store(t, syncengine.SQLite, nil, module.Schema{Name: "auth", Migrations: Migrations})
	s, err := New(ctx, store, Config{Argon2: TestArgon2, PasswordChecks: 1, AccountFailures: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, System, NewUser{Role: RoleModerator, Email: "mod@ordinator.test", Password: "correct horse battery", Name: "Moderator"}); err != nil {
		t.Fatal(err)
	}
	login := func(ctx context.Context, password string) error {
		_, err := s.Login(ctx, LoginInput{Login: "mod@ordinator.test", Password: password, Device: "phone"})
		return err
	}
	if err := s.passwords.Acquire(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for range 3 { // more than the failure allowed: none may count
		short, cancel := context.WithTimeout(ctx, time.Second)
		err := login(short, "wrong password")
		cancel()
		if syncengine.ErrorCode(err) != syncengine.EUNAVAILABLE {
			t.Fatalf("a sign-in while every slot is taken: %v, want %s", err, syncengine.EUNAVAILABLE)
		}
	}
	s.passwords.Release(1)
	if err := login(ctx, "correct horse battery"); err != nil {
		t.Fatalf("sign-in once a slot is free: %v", err)
	}
	if err := login(ctx, "wrong password"); syncengine.ErrorCode(err) != syncengine.EUNAUTHENTICATED {
		t.Fatalf("a wrong password: %v", err)
	}
}
