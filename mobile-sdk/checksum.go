package sdk

import (
	"context"
	"fmt"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Checksums recomputes the checksum of every bucket the replica holds from
// its stored rows, as the server computes it from its live state, and
// checks it against the running checksum the replica keeps as changes
// arrive. Right after a checkpoint both equal the server's.
func (r *Replica) Checksums(ctx context.Context) (map[syncengine.Bucket]syncengine.Checksum, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	tx, err := r.db.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer tx.Rollback()
	out := map[syncengine.Bucket]syncengine.Checksum{}
	rows, err := tx.QueryContext(ctx, `SELECT bucket, collection, id, payload, hash FROM sdk_rows`)
	if err != nil {
		return nil, r.wrap(err)
	}
	for rows.Next() {
		var bucket, collection, id string
		var payload []byte
		var stored int64
		if err := rows.Scan(&bucket, &collection, &id, &payload, &stored); err != nil {
			rows.Close()
			return nil, err
		}
		h := syncengine.RecordHash(collection, id, payload)
		if h != uint64(stored) {
			rows.Close()
			return nil, fmt.Errorf("sdk: row %s/%s in %s has a stale hash", collection, id, bucket)
		}
		c := out[syncengine.Bucket(bucket)]
		c.Add(h)
		out[syncengine.Bucket(bucket)] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT bucket, sum, count FROM sdk_buckets`)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var bucket string
		var sum, count int64
		if err := rows.Scan(&bucket, &sum, &count); err != nil {
			return nil, err
		}
		b := syncengine.Bucket(bucket)
		running := syncengine.Checksum{Sum: uint64(sum), Count: count}
		if got := out[b]; got != running {
			return nil, fmt.Errorf("sdk: bucket %s: rows sum to %x/%d, running checksum is %x/%d", b, got.Sum, got.Count, running.Sum, running.Count)
		}
		out[b] = running
	}
	return out, rows.Err()
}
