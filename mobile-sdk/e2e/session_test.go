package e2e_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	mediav1 "github.com/ordinatorhq/ordinator/api/ordinator/media/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// authServer is a sync server with the real accounts module: AuthService
// signs in and refreshes, and its authenticator checks every call, on a
// store of either dialect with the test collections.
type authServer struct {
	url      string
	h        *storetest.Harness
	accounts *auth.Service
	clock    *storetest.Clock
}

const sessionPassword = "correct horse battery"

func newAuthServer(t *testing.T, d syncengine.Dialect) *authServer {
	t.Helper()
	clock := storetest.NewClock()
	store := servertest.Store(t, d, clock.Now, auth.Schema())
	accounts, err := auth.New(context.Background(), store, auth.Config{Argon2: auth.TestArgon2, Now: clock.Now, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	h := storetest.NewHarness(t, store, clock, syncengine.Config{EncodeOutcome: syncrpc.EncodeOutcome, Logger: quietLogger()})
	srv := servertest.Serve(t, rpc.Config{Auth: accounts, Public: auth.PublicProcedures, Logger: quietLogger()}, func(s *rpc.Server) {
		s.Handle(authv1connect.NewAuthServiceHandler(auth.NewHandler(accounts), s.Options()...))
		s.Handle(syncv1connect.NewSyncServiceHandler(syncrpc.New(h.Engine, s.Stopping()), s.Options()...))
		// Photos are never uploaded here; MediaService answers only for the
		// authenticator (a revoked device hears so from any call).
		s.Handle(mediav1connect.NewMediaServiceHandler(mediav1connect.UnimplementedMediaServiceHandler{}, s.Options()...))
	})
	return &authServer{url: srv.URL, h: h, accounts: accounts, clock: clock}
}

// user creates a moderator account (any role will do: the test
// collections grant access by user) that may read room:a.
func (s *authServer) user(t *testing.T, email string) auth.User {
	t.Helper()
	u, err := s.accounts.CreateUser(context.Background(), auth.System, auth.NewUser{Role: auth.RoleModerator, Email: email, Password: sessionPassword, Name: email})
	if err != nil {
		t.Fatal(err)
	}
	s.h.Grant(u.ID, "room:a")
	return u
}

func (s *authServer) sessionOptions(dir string, hc *http.Client) sdk.SessionOptions {
	return sdk.SessionOptions{Dir: dir, ServerURL: s.url, HTTPClient: hc, Now: s.clock.Now}
}

func (s *authServer) login(t *testing.T, email, dir string, hc *http.Client) *sdk.Session {
	t.Helper()
	sess, err := sdk.Login(context.Background(), s.sessionOptions(dir, hc), sdk.Credentials{Login: email, Password: sessionPassword, DeviceName: "phone", Platform: "android"})
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// replica opens the replica in dir on a session, through hc. Its backoff
// starts at 10 ms; the longest, kept for a device signed out, is an hour.
func (s *authServer) replica(t *testing.T, dir string, tokens sdk.TokenSource, hc *http.Client) *sdk.Replica {
	t.Helper()
	r, err := sdk.Open(context.Background(), sdk.Options{
		Dir: dir, ServerURL: s.url, Tokens: tokens, HTTPClient: hc, Schema: sdktest.Schema(), Logger: quietLogger(),
		MinBackoff: 10 * time.Millisecond, MaxBackoff: time.Hour, StreamIdle: 20 * time.Second, PollEvery: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// converged reports whether a replica holds exactly the server's notes,
// none pending.
func (s *authServer) converged(t *testing.T, r *sdk.Replica) bool {
	t.Helper()
	got, pending := notes(t, r)
	want := s.h.ServerNotes()
	if pending != 0 || r.Status().Pending != 0 || len(got) != len(want) {
		return false
	}
	for id, p := range want {
		if got[id] != p {
			return false
		}
	}
	return true
}

// dropper is an HTTP transport that loses answers: a call it is told to
// drop reaches the server, which carries it out and answers in full, and
// the client gets a broken connection instead of the answer.
type dropper struct {
	next http.RoundTripper

	mu      sync.Mutex
	drop    map[string]int // procedure -> answers still to lose
	dropped map[string]int // procedure -> answers lost, all of them 200 OK
}

func newDropper() *dropper {
	return &dropper{next: http.DefaultTransport.(*http.Transport).Clone(), drop: map[string]int{}, dropped: map[string]int{}}
}

func (d *dropper) dropNext(procedure string, n int) {
	d.mu.Lock()
	d.drop[procedure] += n
	d.mu.Unlock()
}

func (d *dropper) lost(procedure string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped[procedure]
}

func (d *dropper) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := d.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	drop := d.drop[req.URL.Path] > 0 && res.StatusCode == http.StatusOK
	if drop {
		d.drop[req.URL.Path]--
	}
	d.mu.Unlock()
	if !drop {
		return res, nil
	}
	// Read the whole answer first: the server has finished the call.
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.dropped[req.URL.Path]++
	d.mu.Unlock()
	return nil, errors.New("connection reset by peer (the answer was lost)")
}

func (d *dropper) client() *http.Client { return &http.Client{Transport: d} }

// TestRefreshAnswerLost: the server rotates the refresh token and the
// answer never arrives, once while syncing, again after the app was killed
// and restarted, and twice in a row under the sync loop. The device is never
// revoked, keeps syncing and loses nothing.
func TestRefreshAnswerLost(t *testing.T) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := newAuthServer(t, d)
			u := s.user(t, "doctor@ordinator.test")
			link := newDropper()
			dir := t.TempDir()
			sess := s.login(t, "doctor@ordinator.test", dir, link.client())
			r := s.replica(t, dir, sess, link.client())
			_, err := r.Mutate(ctx, "note.put", sdktest.Args("n1", "before", "room:a"))
			must(t, err)
			must(t, r.Sync(ctx))

			// The access token expires; the refresh it needs commits on the
			// server and its answer is lost.
			s.clock.Advance(16 * time.Minute)
			link.dropNext(authv1connect.AuthServiceRefreshProcedure, 1)
			_, err = r.Mutate(ctx, "note.put", sdktest.Args("n2", "while the answer was lost", "room:a"))
			must(t, err)
			if err := r.Sync(ctx); err == nil || errors.Is(err, sdk.ErrWiped) {
				t.Fatalf("sync without the refresh's answer: %v", err)
			}
			if link.lost(authv1connect.AuthServiceRefreshProcedure) != 1 {
				t.Fatal("no refresh answer was lost")
			}
			if st := r.Status(); st.Wiped || st.Pending != 1 {
				t.Fatalf("after the lost answer: %+v", st)
			}

			// The app is killed before it tries again; the next process
			// starts from what is on disk.
			must(t, r.Close())
			sess, err = sdk.OpenSession(sdk.SessionOptions{Dir: dir, HTTPClient: link.client(), Now: s.clock.Now})
			must(t, err)
			r = s.replica(t, dir, sess, link.client())
			must(t, r.Start())
			servertest.Eventually(t, "n2 to reach the server", func() bool { return s.converged(t, r) && len(s.h.ServerNotes()) == 2 })

			// Live changes keep arriving.
			other := s.h.NewDevice(u.ID)
			other.Put("n3", "from another device", "room:a")
			servertest.Eventually(t, "n3 to arrive", func() bool { got, _ := notes(t, r); return got["n3"] != "" })

			// Two answers lost in a row, under the loop: each is retried
			// as a network failure, soon, not after the hour a device
			// signed out waits.
			s.clock.Advance(16 * time.Minute)
			link.dropNext(authv1connect.AuthServiceRefreshProcedure, 2)
			_, err = r.Mutate(ctx, "note.put", sdktest.Args("n4", "after two lost answers", "room:a"))
			must(t, err)
			servertest.Eventually(t, "n4 to reach the server", func() bool { return s.converged(t, r) && len(s.h.ServerNotes()) == 4 })
			if link.lost(authv1connect.AuthServiceRefreshProcedure) != 3 {
				t.Fatalf("%d refresh answers lost, want 3", link.lost(authv1connect.AuthServiceRefreshProcedure))
			}
			if st := r.Status(); st.Wiped {
				t.Fatalf("wiped: %+v", st)
			}
			devices, err := s.accounts.ListDevices(ctx, u.ID)
			must(t, err)
			if len(devices) != 1 || devices[0].Revoked {
				t.Fatalf("devices %+v, want the one, not revoked", devices)
			}
		})
	}
}

// TestRevocationReportsDiscarded: a device the user signs out elsewhere
// wipes itself, and tells the app (callback and status) how many mutations
// and photos it discarded unsent; its session goes too.
func TestRevocationReportsDiscarded(t *testing.T) {
	ctx := context.Background()
	s := newAuthServer(t, syncengine.SQLite)
	u := s.user(t, "doctor@ordinator.test")
	dir := t.TempDir()
	sess := s.login(t, "doctor@ordinator.test", dir, http.DefaultClient)
	r := s.replica(t, dir, sess, http.DefaultClient)
	var mu sync.Mutex
	var wipes []sdk.Wipe
	r.ObserveWipe(func(w sdk.Wipe) { mu.Lock(); wipes = append(wipes, w); mu.Unlock() })
	_, err := r.Mutate(ctx, "note.put", sdktest.Args("n1", "sent", "room:a"))
	must(t, err)
	must(t, r.Sync(ctx))
	for _, id := range []string{"n2", "n3", "n4"} {
		_, err := r.Mutate(ctx, "note.put", sdktest.Args(id, "never sent", "room:a"))
		must(t, err)
	}
	photo := filepath.Join(t.TempDir(), "photo.jpg")
	must(t, os.WriteFile(photo, sdktest.JPEG(sdktest.Image(64, 48)), 0o600))
	_, err = r.AddPhoto(ctx, photo, mediav1.MediaPurpose_MEDIA_PURPOSE_CASE_PHOTO)
	must(t, err)

	must(t, s.accounts.RevokeDevice(ctx, u.ID, sess.Info().DeviceID))
	if err := r.Sync(ctx); !errors.Is(err, sdk.ErrWiped) {
		t.Fatalf("sync of a revoked device: %v", err)
	}
	st := r.Status()
	if !st.Wiped || st.WipedMutations != 3 || st.WipedPhotos != 1 || !strings.Contains(st.LastError, "3 unsent mutations") {
		t.Fatalf("status after the wipe: %+v", st)
	}
	servertest.Eventually(t, "the wipe callback", func() bool { mu.Lock(); defer mu.Unlock(); return len(wipes) == 1 })
	if w := wipes[0]; w.Mutations != 3 || w.Photos != 1 || w.DeviceID != sess.Info().DeviceID {
		t.Fatalf("wipe reported %+v", w)
	}
	// Observing afterwards still hears of it.
	late := make(chan sdk.Wipe, 1)
	r.ObserveWipe(func(w sdk.Wipe) { late <- w })
	select {
	case w := <-late:
		if w.Mutations != 3 {
			t.Fatalf("late observer heard %+v", w)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a late observer never heard of the wipe")
	}
	if _, err := sdk.OpenSession(sdk.SessionOptions{Dir: dir}); !errors.Is(err, sdk.ErrNoSession) {
		t.Fatalf("the session survived the wipe: %v", err)
	}
	if left := dirEntries(t, dir); len(left) != 0 {
		t.Fatalf("the wipe left %v", left)
	}
}

// TestSessionUnsavedRotation: a rotation the session cannot write to disk
// is not used; the token it kept gets the same rotation once the disk works
// again, and the device goes on.
func TestSessionUnsavedRotation(t *testing.T) {
	ctx := context.Background()
	s := newAuthServer(t, syncengine.SQLite)
	u := s.user(t, "doctor@ordinator.test")
	dir := t.TempDir()
	sess := s.login(t, "doctor@ordinator.test", dir, http.DefaultClient)
	r := s.replica(t, dir, sess, http.DefaultClient)
	must(t, r.Sync(ctx))

	// A directory where the session writes its next version: the write fails.
	blocker := filepath.Join(dir, "session.json.tmp")
	must(t, os.Mkdir(blocker, 0o700))
	s.clock.Advance(16 * time.Minute)
	_, err := r.Mutate(ctx, "note.put", sdktest.Args("n1", "written while the disk failed", "room:a"))
	must(t, err)
	if err := r.Sync(ctx); err == nil || !strings.Contains(err.Error(), "keeping the session") {
		t.Fatalf("sync with a session that cannot be kept: %v", err)
	}
	must(t, os.Remove(blocker))
	must(t, r.Sync(ctx))
	if !s.converged(t, r) || len(s.h.ServerNotes()) != 1 {
		t.Fatal("n1 did not reach the server")
	}
	// What is on disk is the session in use.
	reopened, err := sdk.OpenSession(sdk.SessionOptions{Dir: dir, Now: s.clock.Now})
	must(t, err)
	token, err := reopened.Token(ctx, true)
	must(t, err)
	if token == "" {
		t.Fatal("no access token from the kept session")
	}
	devices, err := s.accounts.ListDevices(ctx, u.ID)
	must(t, err)
	if len(devices) != 1 || devices[0].Revoked {
		t.Fatalf("devices %+v, want the one, not revoked", devices)
	}
}
