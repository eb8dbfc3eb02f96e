package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// newJournal returns a store whose database has the test collections,
// test_journal among them.
func newJournal(t *testing.T) *postgres.Store { return newStore(t, time.Now).(*postgres.Store) }

func insertLine(ctx context.Context, tx syncengine.Tx, id string) error {
	_, err := tx.Exec(ctx, `INSERT INTO test_journal (room, n, id, text) VALUES ('room:a', (SELECT COALESCE(MAX(n), 0) + 1 FROM test_journal), $1, '')`, id)
	return err
}

func lines(t *testing.T, s *postgres.Store, id string) (n int64) {
	t.Helper()
	err := s.View(context.Background(), func(q syncengine.Querier) error {
		return q.QueryRow(context.Background(), `SELECT count(*) FROM test_journal WHERE id = $1`, id).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRaceRerun: a transaction looks for a row, another inserts it and
// commits, the first then inserts it too and collides. The collision is
// not the user's problem: the transaction runs again from scratch (the
// record it buffered and the hook it registered are gone), finds the row,
// and answers as the domain does.
func TestRaceRerun(t *testing.T) {
	s := newJournal(t)
	ctx := context.Background()
	taken := syncengine.Errorf(syncengine.ECONFLICT, "the line is taken")
	looked, inserted := make(chan struct{}), make(chan error, 1)
	go func() {
		<-looked
		inserted <- s.Update(ctx, func(tx syncengine.Tx) error { return insertLine(ctx, tx, "x") })
	}()
	runs, hooks := 0, 0
	err := s.Update(ctx, func(tx syncengine.Tx) error {
		runs++
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM test_journal WHERE id = 'x'`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return taken
		}
		tx.Put("line", "from-the-failed-run", []byte("lost"), "room:a")
		tx.AfterCommit(func() { hooks++ })
		if runs == 1 {
			close(looked)
			if err := <-inserted; err != nil {
				return err
			}
		}
		return insertLine(ctx, tx, "x")
	})
	if err != taken || runs != 2 || hooks != 0 {
		t.Fatalf("after %d runs (%d hooks): %v, want the domain's answer on the second run", runs, hooks, err)
	}
	var records int64
	if err := s.View(ctx, func(q syncengine.Querier) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM sync_records WHERE record_id = 'from-the-failed-run'`).Scan(&records)
	}); err != nil || records != 0 {
		t.Fatalf("the failed run left %d records (%v)", records, err)
	}
}

// TestRaceNeverEnds: a transaction that collides every time it runs (a
// mutator that never looks before it inserts) is given up after a bounded
// number of runs with "unavailable", not retried forever, not internal.
func TestRaceNeverEnds(t *testing.T) {
	s := newJournal(t)
	ctx := context.Background()
	if err := s.Update(ctx, func(tx syncengine.Tx) error { return insertLine(ctx, tx, "x") }); err != nil {
		t.Fatal(err)
	}
	runs := 0
	err := s.Update(ctx, func(tx syncengine.Tx) error {
		runs++
		return insertLine(ctx, tx, "x")
	})
	if syncengine.ErrorCode(err) != syncengine.EUNAVAILABLE || runs != sqlstore.Attempts {
		t.Fatalf("after %d runs: %v (%s)", runs, err, syncengine.ErrorCode(err))
	}
	if lines(t, s, "x") != 1 {
		t.Fatal("the colliding line was written")
	}
}

// TestConnectionLost: the database ends the server process of a
// transaction before its commit (a failover, an administrator). The server
// says so, so the transaction surely did not commit: it runs again on a new
// connection and commits once.
func TestConnectionLost(t *testing.T) {
	s := newJournal(t)
	ctx := context.Background()
	runs := 0
	err := s.Update(ctx, func(tx syncengine.Tx) error {
		runs++
		if err := insertLine(ctx, tx, "y"); err != nil {
			return err
		}
		if runs > 1 {
			return nil
		}
		var pid int64
		if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			return err
		}
		// Another connection ends this one's server process and waits
		// until it is gone.
		var ended bool
		if err := s.Pool().QueryRow(ctx, `SELECT pg_terminate_backend($1, 10000)`, pid).Scan(&ended); err != nil || !ended {
			return errors.Join(err, errors.New("the server process did not end"))
		}
		return nil
	})
	if err != nil || runs != 2 {
		t.Fatalf("after %d runs: %v", runs, err)
	}
	if n := lines(t, s, "y"); n != 1 {
		t.Fatalf("%d lines committed", n)
	}
}

// TestCommitUnknown: the commit reaches the database and commits, but the
// connection breaks before its answer comes back. The transaction is not
// run again, which would apply it twice; the caller is told the outcome is
// unknown, as "unavailable", never as an internal error.
func TestCommitUnknown(t *testing.T) {
	ctx := context.Background()
	cut := newCommitCutter(t, testenv.PostgresURL(t, template))
	s, err := postgres.Open(ctx, cut.URL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	runs := 0
	err = s.Update(ctx, func(tx syncengine.Tx) error {
		runs++
		cut.Arm()
		return insertLine(ctx, tx, "z")
	})
	if syncengine.ErrorCode(err) != syncengine.EUNAVAILABLE || !strings.Contains(syncengine.ErrorMessage(err), "may or may not have been made") || runs != 1 {
		t.Fatalf("after %d runs: %v (%s)", runs, err, syncengine.ErrorCode(err))
	}
	if n := lines(t, s, "z"); n != 1 {
		t.Fatalf("%d lines committed", n)
	}
}

// TestPushCommitUnknown: a push whose commit's answer is lost is safe to
// run again: the second run finds its mutations applied and answers with
// their stored outcomes, so the device learns what became of them and
// nothing is applied twice.
func TestPushCommitUnknown(t *testing.T) {
	ctx := context.Background()
	cut := newCommitCutter(t, testenv.PostgresURL(t, template))
	clock := storetest.NewClock()
	s, err := postgres.Open(ctx, cut.URL, postgres.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	h := storetest.NewHarness(t, s, clock, syncengine.Config{})
	h.Grant("u1", "room:a")
	d := h.NewDevice("u1")
	cut.Arm()
	out := d.Push(d.Mutation("note.put", storetest.NoteArgs{ID: "n1", Text: "once", Buckets: []string{"room:a"}}))
	if out[0].Status != syncengine.StatusApplied || !out[0].Replayed || string(out[0].Result) != "1" {
		t.Fatalf("outcome %+v, want the stored outcome of version 1", out[0])
	}
	if notes := h.ServerNotes(); notes["n1"] != string(storetest.NotePayload("n1", "once", 1)) {
		t.Fatalf("the server holds %q", notes["n1"])
	}
}
