// Package storetest is the conformance suite every syncengine.Store runs:
// the sync protocol's behaviour, checked end to end through an Engine with
// collections made for the tests.
//
//	func TestStore(t *testing.T) { storetest.Run(t, newStore) }
//
// It also holds Replica, an in-memory device replica that follows the
// protocol as the SDK does, for the suite and for the server modules'
// tests, which pull through the Engine into it.
package storetest

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations is the schema of the test collections (the same SQL on both
// dialects).
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// NewStore returns a fresh, empty, migrated store using clock as its clock.
type NewStore func(t *testing.T, clock func() time.Time) syncengine.Store

// Clock is a settable clock for tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at a fixed instant.
func NewClock() *Clock { return &Clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Harness is an engine over a fresh store with the test collections.
type Harness struct {
	T      testing.TB
	Store  syncengine.Store
	Engine *syncengine.Engine
	Clock  *Clock
}

// NoteArgs are the arguments of the note.* test mutations.
type NoteArgs struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Buckets []string `json:"buckets"`
	// Log records Text in test_note_log in the same transaction, so a
	// test can tell afterwards which writes committed.
	Log bool `json:"log,omitempty"`
}

// NewHarness migrates the test collections into store and builds an engine.
func NewHarness(t testing.TB, store syncengine.Store, clock *Clock, cfg syncengine.Config) *Harness {
	t.Helper()
	ctx := context.Background()
	if err := store.Migrate(ctx, "storetest", Migrations()); err != nil {
		t.Fatal(err)
	}
	cfg.Store = store
	cfg.Registry = Registry()
	cfg.Resolver = syncengine.ResolverFunc(Resolve)
	if cfg.EncodeOutcome == nil {
		cfg.EncodeOutcome = EncodeOutcome
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.MinClientSchema == 0 {
		cfg.MinClientSchema = 1
	}
	if cfg.CurrentClientSchema == 0 {
		cfg.CurrentClientSchema = 3
	}
	h := &Harness{T: t, Store: store, Engine: syncengine.New(cfg), Clock: clock}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Engine.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// EncodeOutcome is the test encoding of outcomes in the user bucket.
func EncodeOutcome(o syncengine.Outcome) []byte {
	s := fmt.Sprintf("%s|%d|%s|%s", o.ClientID, o.Seq, o.Name, o.Status)
	if o.Error != nil {
		s += "|" + o.Error.Code + "|" + o.Error.Message
	}
	return []byte(s)
}

// Registry returns the test mutators:
//
//	note.put     upsert a note into the buckets the caller may write
//	note.delete  delete a note
//	note.reject  write, then reject with a field violation
//	note.crash   write, then fail with an uncoded error
//	note.panic   write, then panic
//	note.append  append a line to a room's journal, numbered after the last
//	note.queue   check the buckets, then queue a row (Tx.Queue); see queueNote
func Registry() *syncengine.Registry {
	r := syncengine.NewRegistry()
	r.Register("note.put", syncengine.MutatorFunc(putNote))
	r.Register("note.append", syncengine.MutatorFunc(func(ctx context.Context, tx syncengine.Tx, c syncengine.Call) ([]byte, error) {
		a, err := decodeNote(c)
		if err != nil {
			return nil, err
		}
		if len(a.Buckets) != 1 {
			return nil, syncengine.Invalid("invalid line", syncengine.Violation{Field: "buckets", Description: "name the one room of the journal"})
		}
		n, err := appendLine(ctx, tx, syncengine.Bucket(a.Buckets[0]), a.ID, a.Text)
		return []byte(strconv.FormatInt(n, 10)), err
	}))
	r.Register("note.delete", syncengine.MutatorFunc(deleteNote))
	r.Register("note.queue", syncengine.MutatorFunc(queueNote))
	r.Register("note.reject", syncengine.MutatorFunc(func(ctx context.Context, tx syncengine.Tx, c syncengine.Call) ([]byte, error) {
		if _, err := putNote(ctx, tx, c); err != nil {
			return nil, err
		}
		return nil, syncengine.Invalid("the note cannot be saved", syncengine.Violation{Field: "text", Description: "is not acceptable"})
	}))
	r.Register("note.crash", syncengine.MutatorFunc(func(ctx context.Context, tx syncengine.Tx, c syncengine.Call) ([]byte, error) {
		if _, err := putNote(ctx, tx, c); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("disk on fire")
	}))
	r.Register("note.panic", syncengine.MutatorFunc(func(ctx context.Context, tx syncengine.Tx, c syncengine.Call) ([]byte, error) {
		if _, err := putNote(ctx, tx, c); err != nil {
			return nil, err
		}
		panic("mutator bug")
	}))
	return r
}

func decodeNote(c syncengine.Call) (NoteArgs, error) {
	var a NoteArgs
	if err := json.Unmarshal(c.Mutation.Args, &a); err != nil {
		return a, syncengine.Invalid("malformed arguments", syncengine.Violation{Field: "args", Description: err.Error()})
	}
	if a.ID == "" {
		return a, syncengine.Invalid("invalid note", syncengine.Violation{Field: "id", Description: "is required"})
	}
	return a, nil
}

func putNote(ctx context.Context, tx syncengine.Tx, c syncengine.Call) ([]byte, error) {
	a, err := decodeNote(c)
	if err != nil {
		return nil, err
	}
	// The access checks and the upsert travel in one round trip; a
	// refusal undoes the upsert with the mutation.
	buckets := make([]syncengine.Bucket, len(a.Buckets))
	may := make([]func() (bool, error), len(a.Buckets))
	for i, b := range a.Buckets {
		buckets[i] = syncengine.Bucket(b)
		may[i] = queueMayRead(ctx, tx, c.Principal, buckets[i])
	}
	var version int64
	upserted := tx.QueueScan(ctx, []any{&version}, `INSERT INTO test_notes (id, text, version) VALUES ($1, $2, 1)
		ON CONFLICT (id) DO UPDATE SET text = excluded.text, version = test_notes.version + 1
		RETURNING version`, a.ID, a.Text)
	for i, b := range buckets {
		ok, err := may[i]()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, syncengine.Errorf(syncengine.EPERMISSION, "you may not write to %s", b)
		}
	}
	if err := upserted(); err != nil {
		return nil, err
	}
	if a.Log {
		if _, err := tx.Exec(ctx, `INSERT INTO test_note_log (text) VALUES ($1)`, a.Text); err != nil {
			return nil, err
		}
	}
	tx.Put("note", a.ID, NotePayload(a.ID, a.Text, version), buckets...)
	return []byte(strconv.FormatInt(version, 10)), nil
}

func deleteNote(ctx context.Context, tx syncengine.Tx, c syncengine.Call) ([]byte, error) {
	a, err := decodeNote(c)
	if err != nil {
		return nil, err
	}
	n, err := tx.Exec(ctx, `DELETE FROM test_notes WHERE id = $1`, a.ID)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, syncengine.Errorf(syncengine.ENOTFOUND, "note %s does not exist", a.ID)
	}
	tx.Delete("note", a.ID)
	return nil, nil
}

// NotePayload is how a note syncs.
func NotePayload(id, text string, version int64) []byte {
	return []byte(id + "|" + text + "|" + strconv.FormatInt(version, 10))
}

// Resolve lets a user read their own bucket and the buckets granted to
// them in test_access.
func Resolve(ctx context.Context, q syncengine.Querier, p syncengine.Principal) ([]syncengine.Bucket, error) {
	rows, err := q.Query(ctx, `SELECT bucket FROM test_access WHERE user_id = $1`, p.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []syncengine.Bucket
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, syncengine.Bucket(b))
	}
	return out, rows.Err()
}

// queueMayRead reports, once asked, whether p may read (and write notes
// to) bucket: their own, or one granted (Grant). The read is queued
// (syncengine.Tx.QueueScan).
func queueMayRead(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, b syncengine.Bucket) func() (bool, error) {
	if b == syncengine.UserBucket(p.UserID) {
		return func() (bool, error) { return true, nil }
	}
	var n int64
	wait := tx.QueueScan(ctx, []any{&n}, mayReadSQL, p.UserID, string(b))
	return func() (bool, error) {
		err := wait()
		return n > 0, err
	}
}

const mayReadSQL = `SELECT count(*) FROM test_access WHERE user_id = $1 AND bucket = $2`

// Grant lets user read (and write notes to) bucket. Like any real change of
// access, it touches the user's bucket so live subscriptions notice.
func (h *Harness) Grant(user string, bucket syncengine.Bucket) {
	h.T.Helper()
	h.update(func(tx syncengine.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO test_access (user_id, bucket) VALUES ($1, $2) ON CONFLICT DO NOTHING`, user, string(bucket))
		tx.Put("access", user, []byte(h.accessList(tx, user)), syncengine.UserBucket(user))
		return err
	})
}

// Revoke takes bucket away from user.
func (h *Harness) Revoke(user string, bucket syncengine.Bucket) {
	h.T.Helper()
	h.update(func(tx syncengine.Tx) error {
		_, err := tx.Exec(context.Background(), `DELETE FROM test_access WHERE user_id = $1 AND bucket = $2`, user, string(bucket))
		tx.Put("access", user, []byte(h.accessList(tx, user)), syncengine.UserBucket(user))
		return err
	})
}

func (h *Harness) accessList(q syncengine.Querier, user string) string {
	bs, err := Resolve(context.Background(), q, syncengine.Principal{UserID: user})
	if err != nil {
		h.T.Fatal(err)
	}
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = string(b)
	}
	return strings.Join(parts, ",")
}

func (h *Harness) update(fn func(syncengine.Tx) error) {
	h.T.Helper()
	if err := h.Store.Update(context.Background(), fn); err != nil {
		h.T.Fatal(err)
	}
}

// ServerNotes returns every note the server holds, as payloads by id.
func (h *Harness) ServerNotes() map[string]string {
	h.T.Helper()
	out := map[string]string{}
	err := h.Store.View(context.Background(), func(q syncengine.Querier) error {
		rows, err := q.Query(context.Background(), `SELECT id, text, version FROM test_notes`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, text string
			var v int64
			if err := rows.Scan(&id, &text, &v); err != nil {
				return err
			}
			out[id] = string(NotePayload(id, text, v))
		}
		return rows.Err()
	})
	if err != nil {
		h.T.Fatal(err)
	}
	return out
}

// CountChanges returns the number of rows in the change log.
func (h *Harness) CountChanges() int64 {
	h.T.Helper()
	var n int64
	err := h.Store.View(context.Background(), func(q syncengine.Querier) error {
		return q.QueryRow(context.Background(), `SELECT count(*) FROM sync_changes`).Scan(&n)
	})
	if err != nil {
		h.T.Fatal(err)
	}
	return n
}

// StaleChanges counts the changes in the log that are not the current one
// of their record in their bucket; there must never be any.
func (h *Harness) StaleChanges() int64 {
	h.T.Helper()
	var n int64
	err := h.Store.View(context.Background(), func(q syncengine.Querier) error {
		return q.QueryRow(context.Background(), `SELECT count(*) FROM sync_changes c WHERE NOT EXISTS (
			SELECT 1 FROM sync_records r WHERE r.bucket = c.bucket AND r.collection = c.collection AND r.record_id = c.record_id AND r.seq = c.seq)`).Scan(&n)
	})
	if err != nil {
		h.T.Fatal(err)
	}
	return n
}

// SchemaVersion hashes migration sets (with the test collections'), for
// naming test database templates.
func SchemaVersion(sets ...fs.FS) string {
	h := fnv.New64a()
	for _, set := range append(sets, Migrations()) {
		fs.WalkDir(set, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(set, path)
			h.Write([]byte(path))
			h.Write(b)
			return err
		})
	}
	return strconv.FormatUint(h.Sum64(), 36)
}
