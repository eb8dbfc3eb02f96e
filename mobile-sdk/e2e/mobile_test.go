package e2e_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/ordinatorhq/ordinator/mobile-sdk/mobile"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The app's side of the facade, as Kotlin or Swift would implement it.
type appTokens struct{ token string }

func (a appTokens) Token(bool) (string, error) { return a.token, nil }

type appNotePut struct{}

func (appNotePut) Apply(tx *mobile.LocalTx, args []byte) error {
	var a sdktest.NoteArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return err
	}
	return tx.Put("note", a.ID, sdktest.Payload(a.ID, a.Text, 1))
}

type appListener struct {
	mu         sync.Mutex
	rejections []*mobile.Rejection
	wipes      []*mobile.Wipe
}

func (l *appListener) OnCollectionChanged(string)            {}
func (l *appListener) OnStatus(*mobile.Status)               {}
func (l *appListener) OnMediaProgress(*mobile.MediaProgress) {}
func (l *appListener) OnWiped(w *mobile.Wipe) {
	l.mu.Lock()
	l.wipes = append(l.wipes, w)
	l.mu.Unlock()
}
func (l *appListener) OnRejection(r *mobile.Rejection) {
	l.mu.Lock()
	l.rejections = append(l.rejections, r)
	l.mu.Unlock()
}

// TestMobileFacade drives the gobind facade against the server the way an
// app does: open, start, write, and read back what the server decided.
func TestMobileFacade(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	s.auth.add("app-token", "u1", "phone")
	schema := mobile.NewSchema()
	must(t, schema.AddMutation("note.put", appNotePut{}))
	must(t, schema.AddMutation("note.reject", appNotePut{}))
	l := &appListener{}
	r, err := mobile.Open(mobile.NewConfig(t.TempDir(), s.url()), schema, appTokens{"app-token"}, l)
	must(t, err)
	defer r.Close()
	must(t, r.Start())
	_, err = r.Mutate("note.put", sdktest.Args("n1", "from the app", "room:a"))
	must(t, err)
	bad, err := r.Mutate("note.reject", sdktest.Args("n2", "refused", "room:a"))
	must(t, err)
	servertest.Eventually(t, "the app's writes to settle", func() bool {
		st, err := r.Status()
		return err == nil && st.Pending == 0 && st.LastCheckpointUnixMs > 0
	})
	rec, err := r.Get("note", "n1")
	must(t, err)
	if rec == nil || string(rec.Payload) != "n1|from the app|1" || rec.Pending {
		t.Fatalf("n1 = %+v", rec)
	}
	if rec, _ := r.Get("note", "n2"); rec != nil {
		t.Fatal("the rejected note is still there")
	}
	servertest.Eventually(t, "the rejection callback", func() bool { l.mu.Lock(); defer l.mu.Unlock(); return len(l.rejections) == 1 })
	rj := l.rejections[0]
	if rj.MutationID != bad || rj.Code != "invalid" || rj.ViolationCount() != 1 || rj.ViolationField(0) != "text" {
		t.Fatalf("rejection %+v", rj)
	}
}

// TestMobileSession: an app signs in with the facade's Session, which keeps
// the tokens; when the user signs the device out elsewhere, the app hears
// how many of its writes the wipe discarded, and the session is gone.
func TestMobileSession(t *testing.T) {
	s := newAuthServer(t, syncengine.SQLite)
	u := s.user(t, "doctor@ordinator.test")
	dir := t.TempDir()
	if sess, err := mobile.OpenSession(dir, s.url); err != nil || sess != nil {
		t.Fatalf("a session before signing in: %v %v", sess, err)
	}
	if _, err := mobile.Login(dir, s.url, "doctor@ordinator.test", "wrong password", "phone", "android"); err == nil {
		t.Fatal("signed in with a wrong password")
	}
	sess, err := mobile.Login(dir, s.url, "doctor@ordinator.test", sessionPassword, "phone", "android")
	must(t, err)
	if sess.UserID() != u.ID || sess.DeviceID() == "" {
		t.Fatalf("session of %q on %q", sess.UserID(), sess.DeviceID())
	}
	schema := mobile.NewSchema()
	must(t, schema.AddMutation("note.put", appNotePut{}))
	l := &appListener{}
	r, err := mobile.Open(mobile.NewConfig(dir, s.url), schema, sess, l)
	must(t, err)
	defer r.Close()
	_, err = r.Mutate("note.put", sdktest.Args("n1", "synced", "room:a"))
	must(t, err)
	must(t, r.Sync(10))
	if s.h.ServerNotes()["n1"] == "" {
		t.Fatal("n1 did not reach the server")
	}
	again, err := mobile.OpenSession(dir, "")
	must(t, err)
	if again == nil || again.DeviceID() != sess.DeviceID() {
		t.Fatal("the session was not kept")
	}

	for _, id := range []string{"n2", "n3"} {
		_, err := r.Mutate("note.put", sdktest.Args(id, "never sent", "room:a"))
		must(t, err)
	}
	must(t, s.accounts.RevokeDevice(context.Background(), u.ID, sess.DeviceID()))
	if err := r.Sync(10); err == nil {
		t.Fatal("a revoked device synced")
	}
	st, err := r.Status()
	must(t, err)
	if !st.Wiped || st.WipedMutations != 2 || st.WipedPhotos != 0 {
		t.Fatalf("status after the wipe: %+v", st)
	}
	servertest.Eventually(t, "OnWiped", func() bool { l.mu.Lock(); defer l.mu.Unlock(); return len(l.wipes) == 1 })
	if w := l.wipes[0]; w.Mutations != 2 || w.DeviceID != sess.DeviceID() {
		t.Fatalf("OnWiped(%+v)", w)
	}
	if sess, err := mobile.OpenSession(dir, ""); err != nil || sess != nil {
		t.Fatalf("the session survived the wipe: %v %v", sess, err)
	}
}
