package notify

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// PruneJob returns the scheduler job that deletes what delivery leaves
// behind: settled silent pushes after a day (they have no inbox item, and
// at most one a minute per device adds up), and the per-device record of
// every delivery older than keep.
func PruneJob(store syncengine.Store, every, keep time.Duration) Job {
	return Job{Name: "notify.prune", Every: every, Run: func(ctx context.Context, now time.Time) error {
		return store.Update(ctx, func(tx syncengine.Tx) error {
			day := now.Add(-24 * time.Hour).UnixMilli()
			if _, err := tx.Exec(ctx, `DELETE FROM push_sends WHERE notification_id IN
				(SELECT id FROM notifications WHERE silent AND state NOT IN ('pending', 'sending') AND created_at < $1)`, day); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM notifications WHERE silent AND state NOT IN ('pending', 'sending') AND created_at < $1`, day); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `DELETE FROM push_sends WHERE at < $1`, now.Add(-keep).UnixMilli())
			return err
		})
	}}
}
