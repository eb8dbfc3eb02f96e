package syncengine

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cespare/xxhash/v2"
)

// Op is what a change does to a record in a bucket.
type Op int8

const (
	OpUpsert Op = 1 // the record is in the bucket with this payload
	OpDelete Op = 2 // the record left the bucket (or was deleted)
)

func (o Op) String() string {
	switch o {
	case OpUpsert:
		return "upsert"
	case OpDelete:
		return "delete"
	}
	return "unknown"
}

// Change is one entry of the change log: the state of one record in one
// bucket after the change with sequence number Seq.
type Change struct {
	Seq        int64
	Bucket     Bucket
	Collection string
	RecordID   string
	Op         Op
	Payload    []byte // the encoded record; nil for deletes
}

// RecordHash is the checksum contribution of one live record. Devices
// compute it over their replica with the same function.
func RecordHash(collection, recordID string, payload []byte) uint64 {
	d := xxhash.New()
	d.WriteString(collection)
	d.Write([]byte{0})
	d.WriteString(recordID)
	d.Write([]byte{0})
	d.Write(payload)
	return d.Sum64()
}

// Checksum summarises the live state of a bucket: the XOR of the hashes of
// its records and their count. It depends only on which records are in the
// bucket with which payload, not on the history that put them there, so
// compaction never changes it. XOR makes adding and removing a record the
// same cheap operation on both sides of the wire.
type Checksum struct {
	Sum   uint64
	Count int64
}

// Add accounts for a record entering the bucket.
func (c *Checksum) Add(hash uint64) { c.Sum ^= hash; c.Count++ }

// Remove accounts for a record leaving the bucket.
func (c *Checksum) Remove(hash uint64) { c.Sum ^= hash; c.Count-- }

// BucketChecksum is the checksum of one bucket at a checkpoint.
type BucketChecksum struct {
	Bucket Bucket
	Checksum
}

// LiveHash returns the hash of a record's live state in a bucket, if it is
// there, so a writer can skip putting a record that has not changed. Both
// stores keep the live state in the same table.
func LiveHash(ctx context.Context, q Querier, b Bucket, collection, recordID string) (uint64, bool, error) {
	var h int64
	err := q.QueryRow(ctx, `SELECT hash FROM sync_records WHERE bucket = $1 AND collection = $2 AND record_id = $3 AND NOT deleted`,
		string(b), collection, recordID).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return uint64(h), err == nil, err
}
