package storetest

import (
	"context"
	"database/sql"
	"io/fs"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// MigrateTo applies the engine's migrations up to version to db, as an
// older server left the database.
func MigrateTo(t testing.TB, db *sql.DB, dialect goose.Dialect, migrations fs.FS, version int64) {
	t.Helper()
	p, err := goose.NewProvider(dialect, db, migrations, goose.WithTableName("goose_syncengine"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
}

// SeedLegacyLog writes into a database at the engine's first schema a log
// as a server of that schema left it: compaction had walked to seq 2 (so
// the change n1's second version superseded is gone), n1's third version
// and n2's deletion came after, each naming the change it superseded.
func SeedLegacyLog(t testing.TB, db *sql.DB) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{
		`INSERT INTO sync_changes (seq, bucket, collection, record_id, op, payload, prev_seq, created_at) VALUES
			(2, 'room:a', 'note', 'n1', 1, 'n1|second|2', 1, 0),
			(3, 'room:a', 'note', 'n1', 1, 'n1|third|3', 2, 0),
			(4, 'room:a', 'note', 'n2', 1, 'n2|doomed|1', 0, 0),
			(5, 'room:a', 'note', 'n2', 2, NULL, 4, 0),
			(6, 'room:a', 'note', 'n3', 1, 'n3|kept|1', 0, 0)`,
		`INSERT INTO sync_records (bucket, collection, record_id, seq, hash, deleted) VALUES
			('room:a', 'note', 'n1', 3, 0, FALSE), ('room:a', 'note', 'n2', 5, 0, TRUE), ('room:a', 'note', 'n3', 6, 0, FALSE)`,
		`UPDATE sync_state SET last_seq = 6 WHERE id = 1`,
		`UPDATE sync_compaction SET compacted_to = 2 WHERE id = 1`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

// CheckUpgradedLog checks a store opened on the database SeedLegacyLog
// wrote: the upgrade removed exactly the superseded changes, and new
// commits delete what they supersede.
func CheckUpgradedLog(t testing.TB, s syncengine.Store) {
	t.Helper()
	ctx := context.Background()
	if got := logSeqs(t, s); !slices.Equal(got, []int64{3, 5, 6}) {
		t.Fatalf("after the upgrade the log holds seqs %v, want 3 (n1), 5 (n2's tombstone) and 6 (n3)", got)
	}
	err := s.Update(ctx, func(tx syncengine.Tx) error {
		tx.Put("note", "n1", []byte("n1|fourth|4"), "room:a")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := logSeqs(t, s); !slices.Equal(got, []int64{5, 6, 7}) {
		t.Fatalf("after a new version of n1 the log holds seqs %v, want 5, 6 and 7", got)
	}
}

func logSeqs(t testing.TB, s syncengine.Store) []int64 {
	t.Helper()
	var seqs []int64
	err := s.View(context.Background(), func(q syncengine.Querier) error {
		rows, err := q.Query(context.Background(), `SELECT seq FROM sync_changes ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}
