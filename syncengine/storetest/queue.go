package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// queueNote is the mutator note.queue: it checks the caller may write to
// the note's buckets (a read), queues a row into test_queued that breaks
// its check when the text is "bad", and records the note. With Read set
// in the text ("bad+read"), it reads test_queued after queueing, so the
// failure reaches the mutation's own statement.
func queueNote(ctx context.Context, tx syncengine.Tx, c syncengine.Call) ([]byte, error) {
	a, err := decodeNote(c)
	if err != nil {
		return nil, err
	}
	for _, b := range a.Buckets {
		ok, err := queueMayRead(ctx, tx, c.Principal, syncengine.Bucket(b))()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, syncengine.Errorf(syncengine.EPERMISSION, "you may not write to %s", b)
		}
	}
	n := int64(1)
	if strings.HasPrefix(a.Text, "bad") {
		n = -1
	}
	tx.Queue(ctx, `INSERT INTO test_queued (id, n) VALUES ($1, $2)`, a.ID, n)
	if strings.HasSuffix(a.Text, "+read") {
		var count int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM test_queued`).Scan(&count); err != nil {
			return nil, err
		}
	}
	buckets := make([]syncengine.Bucket, len(a.Buckets))
	for i, b := range a.Buckets {
		buckets[i] = syncengine.Bucket(b)
	}
	tx.Put("note", a.ID, NotePayload(a.ID, a.Text, 1), buckets...)
	return nil, nil
}

// testQueue: a queued write that fails is the failure of the mutation that
// queued it, wherever its error surfaces (with the next mutation's first
// statement, with the mutation's own next statement, at commit): that
// mutation is rejected and nothing of it is applied, and the others are
// applied as they would be without it. An Update whose queued write fails
// returns the error and commits nothing.
func testQueue(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	h.Grant("u1", roomA)
	d := h.NewDevice("u1")
	ctx := context.Background()
	q := func(id, text string) syncengine.Mutation {
		return d.Mutation("note.queue", NoteArgs{ID: id, Text: text, Buckets: []string{string(roomA)}})
	}
	// Bad first, in the middle, before its own read, and last, where only
	// the commit sends it.
	out := d.Push(q("q1", "bad"), q("q2", "ok"), q("q3", "bad"), q("q4", "ok"), q("q5", "bad+read"), q("q6", "ok"), q("q7", "bad"))
	rejected := map[string]bool{"q1": true, "q3": true, "q5": true, "q7": true}
	for i, o := range out {
		id := "q" + string(rune('1'+i))
		if rejected[id] {
			if o.Status != syncengine.StatusRejected || o.Error.Code != syncengine.EINTERNAL {
				t.Fatalf("%s: %s %+v, want rejected as internal", id, o.Status, o.Error)
			}
		} else if o.Status != syncengine.StatusApplied {
			t.Fatalf("%s: %s %+v, want applied", id, o.Status, o.Error)
		}
	}
	var ids []string
	must(t, h.Store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT id FROM test_queued ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	}))
	if got := strings.Join(ids, ","); got != "q2,q4,q6" {
		t.Fatalf("queued rows %s, want q2,q4,q6", got)
	}
	d.Sync()
	notes := d.Notes(roomA)
	if len(notes) != 3 || notes["q2"] == "" || notes["q4"] == "" || notes["q6"] == "" {
		t.Fatalf("synced notes %v, want q2, q4 and q6", notes)
	}
	// The batch is applied exactly once: pushed again, every outcome is
	// the stored one.
	again := d.Push(q("q8", "ok"))
	if again[0].Status != syncengine.StatusApplied {
		t.Fatalf("next push: %+v", again[0])
	}

	// An Update: the queued write's error is the commit's, nothing stays.
	err := h.Store.Update(ctx, func(tx syncengine.Tx) error {
		tx.Queue(ctx, `INSERT INTO test_queued (id, n) VALUES ($1, $2)`, "u1", 1)
		tx.Queue(ctx, `INSERT INTO test_queued (id, n) VALUES ($1, $2)`, "u2", -1)
		tx.Put("note", "u1", NotePayload("u1", "u1", 1), roomA)
		return nil
	})
	if err == nil || errors.As(err, new(*syncengine.Error)) {
		t.Fatalf("update with a failing queued write: %v, want the database's error", err)
	}
	// Before the next statement, which returns the error without running.
	var ran bool
	err = h.Store.Update(ctx, func(tx syncengine.Tx) error {
		tx.Queue(ctx, `INSERT INTO test_queued (id, n) VALUES ($1, $2)`, "u3", -1)
		_, err := tx.Exec(ctx, `INSERT INTO test_queued (id, n) VALUES ($1, $2)`, "u4", 1)
		ran = err == nil
		return err
	})
	if err == nil || ran {
		t.Fatalf("update: statement after a failing queued write returned %v", err)
	}
	var n int64
	must(t, h.Store.View(ctx, func(q syncengine.Querier) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM test_queued WHERE id LIKE 'u%'`).Scan(&n)
	}))
	if n != 0 {
		t.Fatalf("%d rows of failed updates committed", n)
	}
	d.Sync()
	if notes := d.Notes(roomA); notes["u1"] != "" {
		t.Fatalf("a failed update's record synced: %v", notes)
	}
}

// testQueueScan: queued reads run in the order issued among queued writes
// and answer when asked (a row, or sql.ErrNoRows); a read queued after a
// failing write answers with an error and the transaction commits nothing.
func testQueueScan(t *testing.T, newH func(*testing.T, syncengine.Config) *Harness) {
	h := newH(t, syncengine.Config{})
	ctx := context.Background()
	var bumped, missing, later int64 = -7, -7, -7
	must(t, h.Store.Update(ctx, func(tx syncengine.Tx) error {
		tx.Queue(ctx, `INSERT INTO test_queued (id, n) VALUES ($1, $2)`, "s1", 1)
		bump := tx.QueueScan(ctx, []any{&bumped}, `UPDATE test_queued SET n = n + 1 WHERE id = $1 RETURNING n`, "s1")
		none := tx.QueueScan(ctx, []any{&missing}, `SELECT n FROM test_queued WHERE id = $1`, "nobody")
		tx.Queue(ctx, `INSERT INTO test_queued (id, n) VALUES ($1, $2)`, "s2", 5)
		after := tx.QueueScan(ctx, []any{&later}, `SELECT n FROM test_queued WHERE id = $1`, "s2")
		if err := bump(); err != nil || bumped != 2 {
			return fmt.Errorf("read after a queued insert: %d, %v; want 2", bumped, err)
		}
		if err := none(); !errors.Is(err, sql.ErrNoRows) || missing != -7 {
			return fmt.Errorf("read of no row: %d, %v; want sql.ErrNoRows and nothing scanned", missing, err)
		}
		if err := after(); err != nil || later != 5 {
			return fmt.Errorf("read after the next queued insert: %d, %v; want 5", later, err)
		}
		// Asked again, the same answer, nothing sent twice.
		if err := bump(); err != nil || bumped != 2 {
			return fmt.Errorf("second wait: %d, %v", bumped, err)
		}
		return nil
	}))
	var failed error
	err := h.Store.Update(ctx, func(tx syncengine.Tx) error {
		tx.Queue(ctx, `INSERT INTO test_queued (id, n) VALUES ($1, $2)`, "s3", -1)
		var n int64
		failed = tx.QueueScan(ctx, []any{&n}, `SELECT n FROM test_queued WHERE id = $1`, "s1")()
		return failed
	})
	if failed == nil || errors.Is(failed, sql.ErrNoRows) || err == nil {
		t.Fatalf("read queued after a failing write answered %v and the update %v; want the write's error in both", failed, err)
	}
	var rows []string
	must(t, h.Store.View(ctx, func(q syncengine.Querier) error {
		r, err := q.Query(ctx, `SELECT id, n FROM test_queued WHERE id LIKE 's%' ORDER BY id`)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var id string
			var n int64
			if err := r.Scan(&id, &n); err != nil {
				return err
			}
			rows = append(rows, fmt.Sprintf("%s=%d", id, n))
		}
		return r.Err()
	}))
	if got := strings.Join(rows, ","); got != "s1=2,s2=5" {
		t.Fatalf("committed %s, want s1=2,s2=5", got)
	}
}
