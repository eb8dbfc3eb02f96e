package storetest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// appendLine numbers a line after the room's last in two statements and
// with no lock: where writers overlap, two of them read the same last
// number and the second to insert collides on the key.
func appendLine(ctx context.Context, tx syncengine.Tx, room syncengine.Bucket, id, text string) (int64, error) {
	var n int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM test_journal WHERE room = $1`, string(room)).Scan(&n); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO test_journal (room, n, id, text) VALUES ($1, $2, $3, $4)`, string(room), n, id, text); err != nil {
		return 0, err
	}
	tx.Put("line", id, linePayload(n, text), room)
	return n, nil
}

func linePayload(n int64, text string) []byte { return []byte(strconv.FormatInt(n, 10) + "|" + text) }

// testRaces: writers collide, numbering the same journal line or claiming
// the same id, through pushes and plain updates started at the same moment. Where writers
// overlap (PostgreSQL) each collision reruns the whole transaction; where
// they take turns (SQLite) none happens. Either way no one sees an internal
// error: every push is applied, every update commits, of the claims one
// wins and the others get the domain's answer; the journal is numbered
// without gaps, and nothing a failed run buffered (a record for the change
// log, an after-commit hook) outlives it.
func testRaces(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	const writers, rounds = 4, 10
	h := newH(t, syncengine.Config{})
	ctx := context.Background()
	for w := range writers {
		h.Grant(fmt.Sprintf("w%d", w), roomA)
	}
	taken := syncengine.Errorf(syncengine.ECONFLICT, "the line is taken")
	devices := make([]*Device, writers)
	for w := range devices {
		devices[w] = h.NewDevice(fmt.Sprintf("w%d", w))
	}
	var runs, commits, hooks atomic.Int64
	errs := make(chan error, 2*writers*rounds)
	claims := make(chan error, writers)
	// Each round, every writer starts at once: a device pushing a line (or
	// two in one batch), a server command writing one, and in the first
	// round each of them also claiming one id, a domain conflict rather
	// than a race.
	for r := range rounds {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w, d := range devices {
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				var ms []syncengine.Mutation
				for k := range 1 + (w+r)%2 {
					ms = append(ms, d.Mutation("note.append", NoteArgs{ID: fmt.Sprintf("p%d-%02d-%d", w, r, k), Text: "pushed", Buckets: []string{string(roomA)}}))
				}
				outs, err := d.TryPush(ms...)
				if err != nil {
					errs <- fmt.Errorf("device %d, round %d: push: %w", w, r, err)
					return
				}
				for _, o := range outs {
					if o.Status != syncengine.StatusApplied {
						errs <- fmt.Errorf("device %d, round %d: mutation %d: %v", w, r, o.Seq, o.Error)
					}
				}
			}()
			go func() {
				defer wg.Done()
				<-start
				id := fmt.Sprintf("u%d-%02d", w, r)
				err := h.Store.Update(ctx, func(tx syncengine.Tx) error {
					runs.Add(1)
					if _, err := appendLine(ctx, tx, roomA, id, "updated"); err != nil {
						return err
					}
					tx.AfterCommit(func() { hooks.Add(1) })
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d, round %d: update: %w", w, r, err)
					return
				}
				commits.Add(1)
			}()
			if r == 0 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					claims <- h.Store.Update(ctx, func(tx syncengine.Tx) error {
						var n int64
						if err := tx.QueryRow(ctx, `SELECT count(*) FROM test_journal WHERE id = 'claimed'`).Scan(&n); err != nil {
							return err
						}
						if n > 0 {
							return taken
						}
						_, err := appendLine(ctx, tx, roomB, "claimed", fmt.Sprintf("writer %d", w))
						return err
					})
				}()
			}
		}
		close(start)
		wg.Wait()
	}
	close(errs)
	close(claims)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	won := 0
	for err := range claims {
		switch {
		case err == nil:
			won++
		case err != taken:
			t.Fatalf("a claim of a taken id: %v (%s), want the domain's answer", err, syncengine.ErrorCode(err))
		}
	}
	if won != 1 {
		t.Fatalf("%d claims of one id won", won)
	}
	t.Logf("%d updates committed in %d runs", commits.Load(), runs.Load())
	if hooks.Load() != commits.Load() {
		t.Fatalf("%d after-commit hooks ran for %d commits", hooks.Load(), commits.Load())
	}

	// The journal, numbered 1..N, holds every line once; a reader gets each
	// with the number it was stored under.
	lines := map[string]string{}
	must(t, h.Store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT n, id, text FROM test_journal WHERE room = $1 ORDER BY n`, string(roomA))
		if err != nil {
			return err
		}
		defer rows.Close()
		for want := int64(1); rows.Next(); want++ {
			var n int64
			var id, text string
			if err := rows.Scan(&n, &id, &text); err != nil {
				return err
			}
			if n != want {
				return fmt.Errorf("the journal skips from %d to %d", want-1, n)
			}
			lines[id] = string(linePayload(n, text))
		}
		return rows.Err()
	}))
	// Per round, every writer's command and its device's one or two lines.
	if want := writers*rounds*2 + writers*rounds/2; len(lines) != want {
		t.Fatalf("the journal holds %d lines, want %d", len(lines), want)
	}
	h.Grant("reader", roomA)
	reader := h.NewDevice("reader")
	if res := reader.Sync(); len(res.Mismatched) > 0 {
		t.Fatalf("checksums disagree for %v", res.Mismatched)
	}
	got := 0
	for k, v := range reader.Replica.Records(roomA) {
		if k.Collection != "line" {
			continue
		}
		got++
		if lines[k.ID] != string(v) {
			t.Fatalf("line %s synced as %q, stored as %q", k.ID, v, lines[k.ID])
		}
	}
	if got != len(lines) {
		t.Fatalf("a reader got %d lines of %d", got, len(lines))
	}
}
