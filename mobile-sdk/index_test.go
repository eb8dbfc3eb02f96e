package sdk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	"github.com/ordinatorhq/ordinator/server/syncrpc"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// mirror is an index that copies a collection's records into a table of
// its own: after any write it must hold exactly what the app sees.
type mirror struct{ resets, applies int }

func (m *mirror) index(version int) Index {
	return Index{
		Name:    "mirror",
		Version: version,
		Create: func(ctx context.Context, tx Execer) error {
			_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS ix_mirror (id TEXT PRIMARY KEY, payload BLOB NOT NULL)`)
			return err
		},
		Reset: func(ctx context.Context, tx Execer) error {
			m.resets++
			_, err := tx.ExecContext(ctx, `DELETE FROM ix_mirror`)
			return err
		},
		Apply: func(ctx context.Context, tx Execer, id string, payload []byte) error {
			m.applies++
			if string(payload) == "boom" {
				return errors.New("the index refuses boom")
			}
			if payload == nil {
				_, err := tx.ExecContext(ctx, `DELETE FROM ix_mirror WHERE id = ?`, id)
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO ix_mirror (id, payload) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload`, id, payload)
			return err
		},
	}
}

// mirrorSchema is the note collection with a mirror index and two local
// mutations that write notes optimistically ("id|text"; "id|" deletes).
func mirrorSchema(m *mirror, version int) *Schema {
	s := NewSchema().AddCollection(Collection{
		Name:    "note",
		Columns: []Column{{Name: "text", Type: Text}},
		Extract: func(p []byte) ([]any, error) { _, t, _ := strings.Cut(string(p), "|"); return []any{t}, nil },
	})
	s.AddMutation("local.put", func(tx *LocalTx, args []byte) error {
		id, text, _ := strings.Cut(string(args), "|")
		if text == "" {
			return tx.Delete("note", id)
		}
		return tx.Put("note", id, []byte(text))
	})
	if m != nil {
		s.AddIndex("note", m.index(version))
	}
	return s
}

func mirrorOf(t testing.TB, r *Replica) map[string]string {
	t.Helper()
	rows, err := r.db.r.QueryContext(context.Background(), `SELECT id, payload FROM ix_mirror`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, p string
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		out[id] = p
	}
	return out
}

// TestIndexFollowsEveryWrite drives a replica with an index through random
// server writes, access changes (bucket drops and new buckets copied
// whole), compaction (bucket resets), optimistic local writes replayed at
// every checkpoint and rejected ones rolled back: after every checkpoint
// the index holds exactly what the app sees.
func TestIndexFollowsEveryWrite(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "server.db"), sqlite.Options{Now: clock.Now})
	noErr(t, err)
	defer store.Close()
	h := storetest.NewHarness(t, store, clock, syncengine.Config{EncodeOutcome: syncrpc.EncodeOutcome})
	rooms := []syncengine.Bucket{"room:a", "room:b", "room:c"}
	for _, b := range rooms {
		h.Grant("writer", b)
	}
	h.Grant("u1", rooms[0])
	w := h.NewDevice("writer")
	m := &mirror{}
	r, err := Open(ctx, Options{Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: mirrorSchema(m, 1)})
	noErr(t, err)
	defer r.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	granted := map[syncengine.Bucket]bool{rooms[0]: true}
	var st pullStats
	rejected := 0
	for step := range 60 {
		for range rng.IntN(15) {
			id := fmt.Sprintf("n%d", rng.IntN(25))
			if rng.IntN(5) == 0 {
				w.TryPush(w.Mutation("note.delete", storetest.NoteArgs{ID: id}))
				continue
			}
			var bs []string
			for _, b := range rooms {
				if rng.IntN(2) == 0 {
					bs = append(bs, string(b))
				}
			}
			w.Push(w.Mutation("note.put", storetest.NoteArgs{ID: id, Text: fmt.Sprint(step), Buckets: bs}))
		}
		for range rng.IntN(3) {
			text := fmt.Sprint("local ", step)
			if rng.IntN(3) == 0 {
				text = ""
			}
			_, err := r.Mutate(ctx, "local.put", []byte(fmt.Sprintf("n%d|%s", rng.IntN(25), text)))
			noErr(t, err)
		}
		if rng.IntN(4) == 0 {
			// The server refused the oldest pending write: it is rolled
			// back at the next checkpoint.
			detail := rejectionDetail(&commonv1.ErrorDetail{Code: "EINVALID", Message: "refused"})
			err := r.db.update(ctx, func(tx *wtx) error {
				n, err := tx.exec(`UPDATE sdk_outbox SET state = 2, rejection = ? WHERE id = (SELECT min(id) FROM sdk_outbox WHERE state = 0)`, detail)
				rejected += int(n)
				return err
			})
			noErr(t, err)
		}
		if got, want := mirrorOf(t, r), viewOf(t, r, "note"); !maps.Equal(got, want) {
			t.Fatalf("step %d, after local writes: index %v, view %v", step, got, want)
		}
		if rng.IntN(6) == 0 {
			b := rooms[rng.IntN(len(rooms))]
			if granted[b] {
				h.Revoke("u1", b)
			} else {
				h.Grant("u1", b)
			}
			granted[b] = !granted[b]
		}
		if rng.IntN(10) == 0 {
			clock.Advance(10 * 24 * time.Hour)
			_, err := h.Engine.Compact(ctx, syncengine.CompactOptions{TombstoneRetention: 7 * 24 * time.Hour})
			noErr(t, err)
		}
		pullAll(t, h, r, rng.IntN(7)+1, &st)
		if got, want := mirrorOf(t, r), viewOf(t, r, "note"); !maps.Equal(got, want) {
			t.Fatalf("step %d, after a checkpoint: index %v, view %v", step, got, want)
		}
	}
	if st.dropped == 0 || st.reset == 0 || rejected == 0 || len(viewOf(t, r, "note")) == 0 {
		t.Fatalf("the run did not exercise drops, resets, rollbacks and rows: %+v, %d rejected", st, rejected)
	}
}

// TestIndexBuiltAtOpen: an index added to a replica that already holds
// records is built from them at Open, and again when its version changes,
// not otherwise; an index that fails refuses the write.
func TestIndexBuiltAtOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(m *mirror, version int) *Replica {
		t.Helper()
		r, err := Open(ctx, Options{Dir: dir, ServerURL: "http://127.0.0.1:1", Schema: mirrorSchema(m, version)})
		noErr(t, err)
		return r
	}
	r := open(nil, 0)
	for _, a := range []string{"a|Ivanov", "b|Petrov", "c|Sidorov", "c|"} {
		_, err := r.Mutate(ctx, "local.put", []byte(a))
		noErr(t, err)
	}
	noErr(t, r.Close())

	want := map[string]string{"a": "Ivanov", "b": "Petrov"}
	m := &mirror{}
	r = open(m, 1)
	if got := mirrorOf(t, r); !maps.Equal(got, want) || m.resets != 1 {
		t.Fatalf("built at Open: %v (%d resets)", got, m.resets)
	}
	_, err := r.Mutate(ctx, "local.put", []byte("boom|boom"))
	if err == nil || !strings.Contains(err.Error(), "the index refuses boom") {
		t.Fatalf("a failing index: %v", err)
	}
	if _, ok, _ := r.Get(ctx, "note", "boom"); ok {
		t.Fatal("a write the index refused is stored")
	}
	noErr(t, r.Close())

	m = &mirror{}
	r = open(m, 1)
	if m.resets != 0 || m.applies != 0 {
		t.Fatalf("an index at its version was rebuilt: %+v", m)
	}
	noErr(t, r.Close())
	m = &mirror{}
	r = open(m, 2)
	defer r.Close()
	if got := mirrorOf(t, r); !maps.Equal(got, want) || m.resets != 1 || m.applies != 2 {
		t.Fatalf("rebuilt for version 2: %v %+v", got, m)
	}
	if n, _ := r.Count(ctx, Query{Collection: "note"}); n != 2 {
		t.Fatalf("%d notes", n)
	}
}

func TestAddIndexRefusesBadWiring(t *testing.T) {
	ok := (&mirror{}).index(1)
	for name, add := range map[string]func(s *Schema){
		"internal collection": func(s *Schema) { s.AddIndex("_outcome", ok) },
		"no name":             func(s *Schema) { ix := ok; ix.Name = ""; s.AddIndex("note", ix) },
		"no apply":            func(s *Schema) { ix := ok; ix.Apply = nil; s.AddIndex("note", ix) },
		"no reset":            func(s *Schema) { ix := ok; ix.Reset = nil; s.AddIndex("note", ix) },
		"twice":               func(s *Schema) { s.AddIndex("note", ok); s.AddIndex("note", ok) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			add(NewSchema())
		}()
	}
}

func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
