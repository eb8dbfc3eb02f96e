package postgres

import (
	"context"

	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/internal/sqlstore"
)

// BucketStates implements syncengine.Store from one read snapshot, as a
// pull's checkpoint.
func (s *Store) BucketStates(ctx context.Context, buckets []syncengine.Bucket) ([]syncengine.BucketChecksum, error) {
	var out []syncengine.BucketChecksum
	err := s.View(ctx, func(q syncengine.Querier) error {
		var err error
		out, err = sqlstore.BucketStates(ctx, q, buckets)
		return err
	})
	return out, err
}
