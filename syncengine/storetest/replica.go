package storetest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// RecordKey identifies a record in a replica's bucket.
type RecordKey struct {
	Collection string
	ID         string
}

// Replica is an in-memory copy of a client's buckets that follows the
// protocol exactly as a device must: pages are staged and applied only at a
// complete checkpoint, dropped buckets are forgotten, reset buckets start
// over, and every checkpoint is verified against the replica's own
// checksums, a mismatched bucket being cleared to download again. The SDK
// keeps its replica in SQLite; this one serves the conformance suite and
// the server's module tests, which read through it what a device would
// hold.
type Replica struct {
	live    map[syncengine.Bucket]map[RecordKey][]byte
	cursors map[syncengine.Bucket]syncengine.Cursor
	staged  []syncengine.Change
	reset   map[syncengine.Bucket]bool
	// LastMutationSeq is the client's last mutation the server had applied
	// at the latest checkpoint.
	LastMutationSeq int64
	// Checkpoints counts the checkpoints applied.
	Checkpoints int
}

// NewReplica returns an empty replica.
func NewReplica() *Replica {
	return &Replica{live: map[syncengine.Bucket]map[RecordKey][]byte{}, cursors: map[syncengine.Bucket]syncengine.Cursor{}, reset: map[syncengine.Bucket]bool{}}
}

// Cursors returns the cursors to send with the next pull, sorted.
func (r *Replica) Cursors() []syncengine.Cursor {
	out := slices.Collect(maps.Values(r.cursors))
	slices.SortFunc(out, func(a, b syncengine.Cursor) int { return cmp.Compare(a.Bucket, b.Bucket) })
	return out
}

// Apply takes one pull page. At a checkpoint it applies everything staged
// and returns the buckets whose checksum disagreed (already cleared, so the
// next pull downloads them again).
func (r *Replica) Apply(p *syncengine.PullResult) ([]syncengine.Bucket, error) {
	for _, b := range p.Dropped {
		delete(r.live, b)
		delete(r.cursors, b)
		delete(r.reset, b)
		r.staged = slices.DeleteFunc(r.staged, func(c syncengine.Change) bool { return c.Bucket == b })
	}
	for _, b := range p.Reset {
		r.reset[b] = true
		r.staged = slices.DeleteFunc(r.staged, func(c syncengine.Change) bool { return c.Bucket == b })
	}
	known := make(map[syncengine.Bucket]bool, len(p.Cursors))
	for _, c := range p.Cursors {
		known[c.Bucket] = true
	}
	for _, c := range p.Changes {
		if !known[c.Bucket] {
			return nil, fmt.Errorf("change %d is for bucket %s, which the page has no cursor for", c.Seq, c.Bucket)
		}
		if c.Op != syncengine.OpUpsert && c.Op != syncengine.OpDelete {
			return nil, fmt.Errorf("change %d has unknown op %d", c.Seq, c.Op)
		}
	}
	r.staged = append(r.staged, p.Changes...)
	for _, c := range p.Cursors {
		r.cursors[c.Bucket] = c
	}
	if p.Checkpoint == nil {
		return nil, nil
	}
	for b := range r.reset {
		delete(r.live, b)
	}
	clear(r.reset)
	for _, c := range r.staged {
		rows := r.live[c.Bucket]
		if rows == nil {
			rows = map[RecordKey][]byte{}
			r.live[c.Bucket] = rows
		}
		key := RecordKey{c.Collection, c.RecordID}
		if c.Op == syncengine.OpUpsert {
			rows[key] = c.Payload
		} else {
			delete(rows, key)
		}
	}
	r.staged = nil
	r.LastMutationSeq = p.Checkpoint.LastMutationSeq
	r.Checkpoints++
	var bad []syncengine.Bucket
	for _, want := range p.Checkpoint.Buckets {
		if r.Checksum(want.Bucket) != want.Checksum {
			bad = append(bad, want.Bucket)
			delete(r.live, want.Bucket)
			r.cursors[want.Bucket] = syncengine.Cursor{Bucket: want.Bucket, FromZero: true}
		}
	}
	return bad, nil
}

// Checksum computes a bucket's checksum from the replica's own rows.
func (r *Replica) Checksum(b syncengine.Bucket) syncengine.Checksum {
	var c syncengine.Checksum
	for k, payload := range r.live[b] {
		c.Add(syncengine.RecordHash(k.Collection, k.ID, payload))
	}
	return c
}

// Buckets lists the buckets the replica holds rows or cursors for, sorted.
func (r *Replica) Buckets() []syncengine.Bucket {
	out := slices.Collect(maps.Keys(r.cursors))
	slices.Sort(out)
	return out
}

// Records returns a copy of the live rows of a bucket.
func (r *Replica) Records(b syncengine.Bucket) map[RecordKey][]byte {
	return maps.Clone(r.live[b])
}

// Get returns a record's payload in a bucket.
func (r *Replica) Get(b syncengine.Bucket, collection, id string) ([]byte, bool) {
	p, ok := r.live[b][RecordKey{collection, id}]
	return p, ok
}

// Corrupt overwrites a record's payload, as a damaged device database would.
func (r *Replica) Corrupt(b syncengine.Bucket, collection, id string, payload []byte) {
	if r.live[b] == nil {
		r.live[b] = map[RecordKey][]byte{}
	}
	r.live[b][RecordKey{collection, id}] = payload
}
