package sqlstore

import (
	"slices"
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// ChangeSet buffers the record writes (Tx.Put and Tx.Delete) of one
// transaction until commit. Marks and rollbacks follow savepoints, so a
// rejected mutation's writes leave the set with it.
type ChangeSet struct {
	writes []write
}

type write struct {
	key     RecordKey
	payload []byte
	buckets []syncengine.Bucket
	delete  bool
}

// RecordKey identifies a record.
type RecordKey struct {
	Collection string
	ID         string
}

// Put buffers a new state of a record and its buckets.
func (c *ChangeSet) Put(collection, id string, payload []byte, buckets ...syncengine.Bucket) {
	b := slices.Clone(buckets)
	slices.Sort(b)
	c.writes = append(c.writes, write{key: RecordKey{collection, id}, payload: slices.Clone(payload), buckets: slices.Compact(b)})
}

// Delete buffers the removal of a record from all its buckets.
func (c *ChangeSet) Delete(collection, id string) {
	c.writes = append(c.writes, write{key: RecordKey{collection, id}, delete: true})
}

// Mark returns a position to roll back to.
func (c *ChangeSet) Mark() int { return len(c.writes) }

// Rollback forgets the writes made since mark.
func (c *ChangeSet) Rollback(mark int) { c.writes = c.writes[:mark] }

// Empty reports whether nothing was written.
func (c *ChangeSet) Empty() bool { return len(c.writes) == 0 }

// Reset empties the set.
func (c *ChangeSet) Reset() { c.writes = c.writes[:0] }

// Keys returns the distinct records written, in first-write order.
func (c *ChangeSet) Keys() []RecordKey {
	seen := make(map[RecordKey]bool, len(c.writes))
	keys := make([]RecordKey, 0, len(c.writes))
	for _, w := range c.writes {
		if !seen[w.key] {
			seen[w.key] = true
			keys = append(keys, w.key)
		}
	}
	return keys
}

// RecordState is the latest state of a record in a bucket, a row of
// sync_records: live with a hash, or a tombstone, written by the change
// with sequence number Seq. A store reads it for the records a commit
// touches (the input of Plan) and writes the plan's (Plan.Records).
type RecordState struct {
	Bucket  syncengine.Bucket
	Key     RecordKey
	Seq     int64
	Hash    uint64
	Deleted bool
}

// member is a record in a bucket.
type member struct {
	bucket syncengine.Bucket
	key    RecordKey
}

// BucketDelta is how a plan changes a bucket's checksum.
type BucketDelta struct {
	Bucket syncengine.Bucket
	Xor    uint64
	Count  int64
}

// ChangeRef names a change of the log: seqs are unique across buckets, the
// bucket is there for stores that key the log by (bucket, seq).
type ChangeRef struct {
	Bucket syncengine.Bucket
	Seq    int64
}

// Plan is what a commit appends: the changes with their seqs, the new
// latest state of each touched record per bucket, and the checksum deltas.
type Plan struct {
	Changes []syncengine.Change
	// Superseded lists the changes the plan's changes replace (the previous
	// change of the same record in the same bucket). The store deletes them
	// in the same transaction, so the log only ever holds the current
	// change of each record in each bucket.
	Superseded []ChangeRef
	Records    []RecordState
	Buckets    []BucketDelta
	LastSeq    int64
}

// Plan turns the buffered writes into changes numbered after base, given
// the latest state of the touched records in every bucket they were ever in
// (read under the log lock). Only the final state of each record counts. A
// record put with the same payload into a bucket it is already in still
// produces a change (it was written), which is harmless: it replaces the
// previous one, so the log does not grow.
func (c *ChangeSet) Plan(base int64, current []RecordState) Plan {
	final := make(map[RecordKey]write, len(c.writes))
	for _, w := range c.writes {
		final[w.key] = w
	}
	old := make(map[RecordKey]map[syncengine.Bucket]uint64)
	prev := make(map[member]int64, len(current))
	for _, m := range current {
		prev[member{m.Bucket, m.Key}] = m.Seq
		if m.Deleted {
			continue
		}
		if old[m.Key] == nil {
			old[m.Key] = map[syncengine.Bucket]uint64{}
		}
		old[m.Key][m.Bucket] = m.Hash
	}
	var p Plan
	supersede := func(b syncengine.Bucket, k RecordKey) {
		if s := prev[member{b, k}]; s > 0 {
			p.Superseded = append(p.Superseded, ChangeRef{Bucket: b, Seq: s})
		}
	}
	deltas := map[syncengine.Bucket]*BucketDelta{}
	delta := func(b syncengine.Bucket) *BucketDelta {
		d := deltas[b]
		if d == nil {
			d = &BucketDelta{Bucket: b}
			deltas[b] = d
		}
		return d
	}
	seq := base
	for _, key := range c.Keys() {
		w := final[key]
		was := old[key]
		var hash uint64
		if !w.delete {
			hash = syncengine.RecordHash(key.Collection, key.ID, w.payload)
			for _, b := range w.buckets {
				seq++
				p.Changes = append(p.Changes, syncengine.Change{Seq: seq, Bucket: b, Collection: key.Collection, RecordID: key.ID, Op: syncengine.OpUpsert, Payload: w.payload})
				supersede(b, key)
				p.Records = append(p.Records, RecordState{Bucket: b, Key: key, Seq: seq, Hash: hash})
				d := delta(b)
				if h, ok := was[b]; ok {
					d.Xor ^= h
				} else {
					d.Count++
				}
				d.Xor ^= hash
			}
		}
		// Delete the record from every bucket it was in and is not in now,
		// in a stable order.
		left := make([]syncengine.Bucket, 0, len(was))
		for b := range was {
			if w.delete || !slices.Contains(w.buckets, b) {
				left = append(left, b)
			}
		}
		slices.Sort(left)
		for _, b := range left {
			seq++
			p.Changes = append(p.Changes, syncengine.Change{Seq: seq, Bucket: b, Collection: key.Collection, RecordID: key.ID, Op: syncengine.OpDelete})
			supersede(b, key)
			p.Records = append(p.Records, RecordState{Bucket: b, Key: key, Seq: seq, Deleted: true})
			d := delta(b)
			d.Xor ^= was[b]
			d.Count--
		}
	}
	p.LastSeq = seq
	for _, d := range deltas {
		p.Buckets = append(p.Buckets, *d)
	}
	slices.SortFunc(p.Buckets, func(a, b BucketDelta) int { return strings.Compare(string(a.Bucket), string(b.Bucket)) })
	return p
}

// ChangedBuckets lists the distinct buckets of the plan's changes.
func (p Plan) ChangedBuckets() []syncengine.Bucket {
	out := make([]syncengine.Bucket, 0, len(p.Buckets))
	for _, d := range p.Buckets {
		out = append(out, d.Bucket)
	}
	return out
}
