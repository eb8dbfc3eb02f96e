package e2e_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/ordinatorhq/ordinator/mobile-sdk/mobile"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/server/servertest"
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
}

func (l *appListener) OnCollectionChanged(string)            {}
func (l *appListener) OnStatus(*mobile.Status)               {}
func (l *appListener) OnMediaProgress(*mobile.MediaProgress) {}
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
