package sdk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Limits the server enforces on a mutation, checked before it is queued.
const (
	MaxMutationName = 100
	MaxMutationArgs = 64 << 10
)

// Mutate queues a mutation and applies it to the local rows at once, in one
// SQLite transaction: either both the outbox entry and its optimistic effect
// are stored, or neither. The effect comes from the schema's mutator of the
// same name (a mutation without one is only queued). It returns the
// mutation's id, which its rejection, if any, carries.
func (r *Replica) Mutate(ctx context.Context, name string, args []byte) (int64, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	if name == "" || len(name) > MaxMutationName {
		return 0, fmt.Errorf("sdk: mutation name must be 1 to %d bytes", MaxMutationName)
	}
	if len(args) > MaxMutationArgs {
		return 0, fmt.Errorf("sdk: arguments of %s are %d bytes, at most %d", name, len(args), MaxMutationArgs)
	}
	if args == nil {
		args = []byte{}
	}
	var id int64
	var changed map[string]bool
	err := r.db.update(ctx, func(tx *wtx) error {
		last, err := tx.metaInt("last_seq")
		if err != nil {
			return err
		}
		if err := tx.setMeta("last_seq", last+1); err != nil {
			return err
		}
		id, err = tx.insert(`INSERT INTO sdk_outbox (seq, name, args, created_at) VALUES (?, ?, ?, ?)`,
			last+1, name, args, r.opts.Now().UnixMilli())
		if err != nil {
			return err
		}
		m, ok := r.schema.mutators[name]
		if !ok {
			return nil
		}
		lt := r.newLocalTx(tx, id)
		if err := m(lt, args); err != nil {
			return err
		}
		if err := lt.w.flush(); err != nil {
			return err
		}
		changed = lt.w.changed
		return nil
	})
	if err != nil {
		return 0, r.wrap(err)
	}
	r.status.addPending(1)
	r.events.collectionsChanged(changed)
	r.loop.poke()
	return id, nil
}

// LocalTx is what a Mutator writes the local rows through. Its writes are
// marked pending until the server's state replaces them.
type LocalTx struct {
	r        *Replica
	tx       *wtx
	outboxID int64
	w        *viewWriter
}

func (r *Replica) newLocalTx(tx *wtx, outboxID int64) *LocalTx {
	return &LocalTx{r: r, tx: tx, outboxID: outboxID, w: newViewWriter(tx)}
}

// Context returns the context of the write.
func (t *LocalTx) Context() context.Context { return t.tx.ctx }

// Time returns when the mutation was made. It is the same at every replay
// of the mutation, so an optimistic timestamp taken from it does not move.
func (t *LocalTx) Time() (time.Time, error) {
	var ms int64
	if err := t.tx.queryRow(`SELECT created_at FROM sdk_outbox WHERE id = ?`, t.outboxID).Scan(&ms); err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(ms), nil
}

// ErrInternalCollection is returned for writes to the protocol's own
// collections (names starting with "_").
var ErrInternalCollection = errors.New("sdk: collections starting with _ belong to the sync protocol")

// Get returns a record as the app sees it now, pending writes included.
func (t *LocalTx) Get(collection, id string) ([]byte, bool, error) {
	if internal(collection) {
		return nil, false, ErrInternalCollection
	}
	tbl, ok := t.r.tables.lookup(collection)
	if !ok {
		if tbl, ok = t.tx.tables[collection]; !ok {
			return nil, false, nil
		}
	}
	if err := t.w.flushTable(tbl); err != nil {
		return nil, false, err
	}
	var payload []byte
	err := t.tx.queryRow(`SELECT payload FROM `+quote(tbl.name)+` WHERE id = ?`, id).Scan(&payload)
	if errors.Is(err, errNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return payload, true, nil
}

// RefersToMedia says the mutation names a photo added on this device
// (AddPhoto): it is pushed only once the server knows the photo — its
// digest and size registered, which the sync loop does before pushing —
// or, with uploaded set, once the photo's bytes are uploaded, so the
// server never refuses it for a photo still on its way. A photo the server
// refused no longer holds the mutation back: the server then rejects the
// mutation with its reason. Media ids not added on this device are ignored.
func (t *LocalTx) RefersToMedia(mediaID string, uploaded bool) error {
	if mediaID == "" {
		return errors.New("sdk: RefersToMedia needs a media id")
	}
	_, err := t.tx.exec(`INSERT INTO sdk_outbox_media (outbox_id, media_id, uploaded)
		SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM sdk_media WHERE media_id = ? AND state <> ?)
		ON CONFLICT (outbox_id, media_id) DO UPDATE SET uploaded = max(uploaded, excluded.uploaded)`,
		t.outboxID, mediaID, uploaded, mediaID, mediaCached)
	return err
}

// Query returns the records matching q as the app sees them now, pending
// writes included (this write's too).
func (t *LocalTx) Query(q Query) ([]Record, error) {
	if internal(q.Collection) {
		return nil, ErrInternalCollection
	}
	tbl, ok := t.r.tables.lookup(q.Collection)
	if !ok {
		if tbl, ok = t.tx.tables[q.Collection]; !ok {
			return nil, nil
		}
	}
	if err := t.w.flushTable(tbl); err != nil {
		return nil, err
	}
	query, args, err := tbl.selectSQL(q)
	if err != nil {
		return nil, err
	}
	rows, err := t.tx.tx.QueryContext(t.tx.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanRecords(rows, q.Collection)
}

// Put sets a record's optimistic state.
func (t *LocalTx) Put(collection, id string, payload []byte) error {
	tbl, err := t.target(collection, id)
	if err != nil {
		return err
	}
	return t.w.put(tbl, id, payload, true)
}

// Delete removes a record optimistically.
func (t *LocalTx) Delete(collection, id string) error {
	tbl, err := t.target(collection, id)
	if err != nil {
		return err
	}
	return t.w.remove(tbl, id)
}

func (t *LocalTx) target(collection, id string) (*table, error) {
	if internal(collection) {
		return nil, ErrInternalCollection
	}
	if collection == "" || id == "" {
		return nil, errors.New("sdk: a record needs a collection and an id")
	}
	tbl, err := t.r.tables.get(t.tx, collection)
	if err != nil {
		return nil, err
	}
	if _, err := t.tx.exec(`INSERT OR IGNORE INTO sdk_touched (outbox_id, collection, id) VALUES (?, ?, ?)`, t.outboxID, collection, id); err != nil {
		return nil, err
	}
	return tbl, nil
}
