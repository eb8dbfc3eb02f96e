package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// testCommitChaos is the commit-order test with writers that fail in
// flight: a third of the push attempts have their context cancelled after
// a random moment, and where the store has connections (Options.Sever)
// busy ones are broken while pullers pull. A writer sends the same
// mutations again after a failure, as a device's outbox does, but with a
// text naming the attempt, and every committed text is logged in the
// same transaction: no puller may ever receive a text that is not in the
// log (an aborted write), and every checkpoint must verify (no committed
// change skipped).
func testCommitChaos(t *testing.T, h *Harness, o Options) {
	const writers, perWriter, batch = 8, 120, 10
	buckets := []syncengine.Bucket{roomA, roomB}
	for w := 0; w < writers; w++ {
		for _, b := range buckets {
			h.Grant(fmt.Sprintf("w%d", w), b)
		}
	}
	h.Grant("p", roomA)
	h.Grant("p", roomB)
	var seen sync.Map // texts pullers received
	var failed atomic.Int64
	errs := make(chan error, writers+4)
	var writing sync.WaitGroup
	for w := 0; w < writers; w++ {
		writing.Add(1)
		go func() {
			defer writing.Done()
			d := h.NewDevice(fmt.Sprintf("w%d", w))
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			for sent := 0; sent < perWriter; sent += batch {
				ms := make([]syncengine.Mutation, batch)
				ids := make([]string, batch)
				for i := range ms {
					ms[i] = d.Mutation("note.put", NoteArgs{})
					ids[i] = fmt.Sprintf("n%02d", rng.IntN(40))
				}
				for attempt := 0; ; attempt++ {
					for i := range ms {
						a := NoteArgs{ID: ids[i], Text: fmt.Sprintf("w%d-m%d-a%d", w, ms[i].Seq, attempt), Buckets: []string{string(buckets[(w+i)%2])}, Log: true}
						ms[i].Args, _ = json.Marshal(a)
					}
					ctx, cancel := context.WithCancel(context.Background())
					if attempt < 20 && rng.IntN(3) == 0 {
						time.AfterFunc(time.Duration(rng.IntN(3000))*time.Microsecond, cancel)
					}
					_, err := d.TryPushContext(ctx, ms...)
					cancel()
					if err == nil {
						break
					}
					if attempt >= 30 {
						errs <- fmt.Errorf("writer %d: %d attempts failed, the last with %w", w, attempt+1, err)
						return
					}
					failed.Add(1)
				}
			}
		}()
	}
	var done atomic.Bool
	var others sync.WaitGroup
	if o.Sever != nil {
		others.Add(1)
		go func() {
			defer others.Done()
			for !done.Load() {
				if err := o.Sever(h.Store); err != nil {
					errs <- fmt.Errorf("sever: %w", err)
					return
				}
				time.Sleep(2 * time.Millisecond) // the pace of the chaos, not a synchronisation
			}
		}()
	}
	pullers := []*Device{h.NewDevice("p"), h.NewDevice("p"), h.NewDevice("p")}
	for p, d := range pullers {
		d.PageRows = 5 + 20*p
		others.Add(1)
		go func() {
			defer others.Done()
			for !done.Load() {
				page, err := d.Pull()
				if err != nil {
					continue // a broken connection; the replica is untouched
				}
				for _, c := range page.Changes {
					if c.Collection == "note" && c.Payload != nil {
						seen.Store(strings.Split(string(c.Payload), "|")[1], true)
					}
				}
				bad, err := d.Replica.Apply(page)
				if err != nil {
					errs <- fmt.Errorf("puller %d: %w", p, err)
					return
				}
				if len(bad) > 0 {
					errs <- fmt.Errorf("puller %d: checkpoint checksums disagree for %v: a committed change was skipped", p, bad)
					return
				}
			}
		}()
	}
	writing.Wait()
	done.Store(true)
	others.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	logged := map[string]bool{}
	err := h.Store.View(context.Background(), func(q syncengine.Querier) error {
		rows, err := q.Query(context.Background(), `SELECT text FROM test_note_log`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			logged[s] = true
		}
		return rows.Err()
	})
	must(t, err)
	n := 0
	seen.Range(func(k, _ any) bool {
		n++
		if !logged[k.(string)] {
			t.Errorf("a puller received %q, which was never committed", k)
		}
		return true
	})
	server := h.ServerNotes()
	for p, d := range pullers {
		if r := d.Sync(); len(r.Mismatched) > 0 {
			t.Fatalf("puller %d: final checkpoint mismatched %v", p, r.Mismatched)
		}
		got := map[string]string{}
		maps.Copy(got, d.Notes(roomA))
		maps.Copy(got, d.Notes(roomB))
		if !maps.Equal(got, server) {
			t.Fatalf("puller %d holds %d notes, the server %d", p, len(got), len(server))
		}
	}
	if failed.Load() == 0 {
		t.Fatal("no push attempt failed: the test did not test anything")
	}
	t.Logf("%d failed push attempts, %d committed texts, %d received by pullers", failed.Load(), len(logged), n)
}
