package mobile_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/ordinatorhq/ordinator/mobile-sdk/mobile"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// The app's side of the bindings, as a Kotlin or Swift app would write it.

type noteMutator struct{}

func (noteMutator) Apply(tx *mobile.LocalTx, args []byte) error {
	id, text, ok := strings.Cut(string(args), "=")
	if !ok || id == "" {
		return errBadArgs
	}
	return tx.Put("note", id, []byte(text))
}

type errString string

func (e errString) Error() string { return string(e) }

const errBadArgs = errString("a note needs id=text")

type panickyMutator struct{}

func (panickyMutator) Apply(*mobile.LocalTx, []byte) error { panic("bug in the app") }

type titleExtractor struct{}

func (titleExtractor) Extract(_ string, payload []byte, into *mobile.ColumnValues) error {
	into.SetText(0, strings.ToLower(string(payload)))
	into.SetInt(1, int64(len(payload)))
	return nil
}

type listener struct {
	mu      sync.Mutex
	changed []string
	status  *mobile.Status
}

func (l *listener) OnCollectionChanged(c string) {
	l.mu.Lock()
	l.changed = append(l.changed, c)
	l.mu.Unlock()
}
func (l *listener) OnStatus(s *mobile.Status)             { l.mu.Lock(); l.status = s; l.mu.Unlock() }
func (l *listener) OnRejection(*mobile.Rejection)         {}
func (l *listener) OnMediaProgress(*mobile.MediaProgress) {}
func (l *listener) OnWiped(*mobile.Wipe)                  {}

type token string

func (t token) Token(bool) (string, error) { return string(t), nil }

func TestFacade(t *testing.T) {
	schema := mobile.NewSchema()
	if err := schema.AddCollection("note", "title:text,size:integer", titleExtractor{}); err != nil {
		t.Fatal(err)
	}
	if err := schema.AddMutation("note.put", noteMutator{}); err != nil {
		t.Fatal(err)
	}
	if err := schema.AddMutation("note.panic", panickyMutator{}); err != nil {
		t.Fatal(err)
	}
	if err := schema.AddMutation("note.put", noteMutator{}); err == nil {
		t.Fatal("registering a mutation twice was accepted")
	}
	if err := schema.AddCollection("bad", "title:blob", titleExtractor{}); err == nil {
		t.Fatal("an unknown column type was accepted")
	}
	l := &listener{}
	r, err := mobile.Open(mobile.NewConfig(t.TempDir(), "http://127.0.0.1:1"), schema, token("t"), l)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.SetConnectivity(mobile.Offline); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"a=Acne", "b=Rosacea", "c=acne scars"} {
		if _, err := r.Mutate("note.put", []byte(a)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Mutate("note.put", []byte("no id")); err == nil {
		t.Fatal("a refused mutation was queued")
	}
	if _, err := r.Mutate("note.panic", nil); err == nil || !strings.Contains(err.Error(), "bug in the app") {
		t.Fatalf("a panicking mutator: %v", err)
	}
	q := mobile.NewQuery("note")
	if err := q.WhereText("title", "prefix", "acne"); err != nil {
		t.Fatal(err)
	}
	q.OrderBy = "title"
	recs, err := r.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	if recs.Len() != 2 || recs.Get(0).ID != "a" || recs.Get(1).ID != "c" || !recs.Get(0).Pending || recs.Get(2) != nil {
		t.Fatalf("query: %d records", recs.Len())
	}
	if err := q.WhereText("title", "LIKE", "x"); err == nil {
		t.Fatal("an unknown operator was accepted")
	}
	rec, err := r.Get("note", "zzz")
	if err != nil || rec != nil {
		t.Fatalf("missing record: %v %v", rec, err)
	}
	n, err := r.Count(mobile.NewQuery("note"))
	if err != nil || n != 3 {
		t.Fatalf("count %d %v", n, err)
	}
	st, err := r.Status()
	if err != nil || st.Pending != 3 || st.Connectivity != mobile.Offline {
		t.Fatalf("status %+v %v", st, err)
	}
	rejections, err := r.Rejections()
	if err != nil || rejections.Len() != 0 {
		t.Fatalf("rejections %v", err)
	}
	servertest.Eventually(t, "the listener to hear of the changes", func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.changed) >= 3
	})
}

// A zero Replica, as a Java caller could make with `new Replica()`, fails
// with an error instead of crashing the app.
func TestZeroValues(t *testing.T) {
	var r mobile.Replica
	if _, err := r.Mutate("x", nil); err == nil {
		t.Fatal("no error from a zero replica")
	}
	if err := r.Start(); err == nil {
		t.Fatal("no error from a zero replica")
	}
	if _, err := mobile.Open(nil, nil, nil, nil); err == nil {
		t.Fatal("Open without a config")
	}
	var tx mobile.LocalTx
	if err := tx.Put("note", "a", nil); err == nil {
		t.Fatal("no error from a zero transaction")
	}
}
