package sdk

import (
	"context"
	"database/sql"
	"maps"
	"path"
	"path/filepath"
	"strings"
	"testing"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestMigrateRowsByRecord opens a replica written by an SDK of schema 2
// (sdk_rows a rowid table with two indexes): the rows move into the keyed
// table intact, checksums and all, and syncing goes on from there.
func TestMigrateRowsByRecord(t *testing.T) {
	dir := t.TempDir()
	old, err := sql.Open("sqlite", dsn(filepath.Join(dir, dbFile), false))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"0001_replica.sql", "0002_outbox_media.sql"} {
		body, err := migrationFiles.ReadFile(path.Join("migrations", m))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Exec(string(body)); err != nil {
			t.Fatal(m, err)
		}
	}
	held := []struct{ bucket, id, payload string }{
		{"room:a", "n1", "one"}, {"room:a", "n2", "two"}, {"room:b", "n2", "two"}, {"room:b", "n3", "three"},
	}
	sums := map[string]*syncengine.Checksum{"room:a": {}, "room:b": {}}
	for _, h := range held {
		hash := syncengine.RecordHash("note", h.id, []byte(h.payload))
		sums[h.bucket].Add(hash)
		if _, err := old.Exec(`INSERT INTO sdk_rows (bucket, collection, id, payload, hash) VALUES (?, 'note', ?, ?, ?)`,
			h.bucket, h.id, []byte(h.payload), int64(hash)); err != nil {
			t.Fatal(err)
		}
	}
	for b, s := range sums {
		if _, err := old.Exec(`INSERT INTO sdk_buckets (bucket, after, from_zero, sum, count, fresh) VALUES (?, 4, 0, ?, ?, 1)`, b, int64(s.Sum), s.Count); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.Exec(`PRAGMA user_version = 2`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	r, err := Open(context.Background(), Options{Dir: dir, ServerURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var version int
	var ddl string
	noErr(t, r.db.r.QueryRow(`PRAGMA user_version`).Scan(&version))
	noErr(t, r.db.r.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'sdk_rows'`).Scan(&ddl))
	if version != schemaVersion() || !strings.Contains(ddl, "WITHOUT ROWID") {
		t.Fatalf("schema %d, sdk_rows %s", version, ddl)
	}
	got, err := r.Checksums(context.Background())
	noErr(t, err)
	for b, s := range sums {
		if got[syncengine.Bucket(b)] != *s {
			t.Fatalf("%s: checksum %v after the migration, %v before", b, got[syncengine.Bucket(b)], *s)
		}
	}

	// The next page deletes n1 and changes n3; its checkpoint settles the
	// migrated buckets into the app's table.
	three := []byte("three, edited")
	sums["room:a"].Remove(syncengine.RecordHash("note", "n1", []byte("one")))
	sums["room:b"].Remove(syncengine.RecordHash("note", "n3", []byte("three")))
	sums["room:b"].Add(syncengine.RecordHash("note", "n3", three))
	page := &syncv1.PullResponse{
		Changes: []*syncv1.Change{
			{Seq: 5, Bucket: "room:a", Collection: "note", RecordId: "n1", Op: syncv1.Op_OP_DELETE},
			{Seq: 6, Bucket: "room:b", Collection: "note", RecordId: "n3", Op: syncv1.Op_OP_UPSERT, Payload: three},
		},
		Cursors: []*syncv1.BucketCursor{{Bucket: "room:a", After: 6}, {Bucket: "room:b", After: 6}},
		Checkpoint: &syncv1.Checkpoint{Seq: 6, Buckets: []*syncv1.BucketChecksum{
			{Bucket: "room:a", Checksum: sums["room:a"].Sum, Count: sums["room:a"].Count},
			{Bucket: "room:b", Checksum: sums["room:b"].Sum, Count: sums["room:b"].Count},
		}},
	}
	res, err := r.applyForTest(page)
	noErr(t, err)
	if len(res.mismatched) > 0 {
		t.Fatalf("checksums disagree after the migration: %v", res.mismatched)
	}
	want := map[string]string{"n2": "two", "n3": "three, edited"}
	if view := viewOf(t, r, "note"); !maps.Equal(view, want) {
		t.Fatalf("view %v, want %v", view, want)
	}
}
