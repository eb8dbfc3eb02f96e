package sqlstore

import (
	"context"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// BucketStates returns the count and checksum of each bucket's live state
// from q, read by the same query a pull's checkpoint reads them with
// (bucketMeta), so the two never disagree; a bucket nothing was ever
// written to has none and a zero checksum, as at a checkpoint.
func BucketStates(ctx context.Context, q syncengine.Querier, buckets []syncengine.Bucket) ([]syncengine.BucketChecksum, error) {
	meta, err := bucketMeta(ctx, q, buckets)
	if err != nil {
		return nil, err
	}
	out := make([]syncengine.BucketChecksum, len(buckets))
	for i, b := range buckets {
		m := meta[b]
		out[i] = syncengine.BucketChecksum{Bucket: b, Checksum: syncengine.Checksum{Sum: m.sum, Count: m.count}}
	}
	return out, nil
}
