package sqlstore

import (
	"context"
	"errors"
	"slices"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Update runs fn in a store write transaction.
type Update func(ctx context.Context, fn func(Tx) error) error

// errBusy stops a compaction step when another process holds the lock.
var errBusy = errors.New("compaction running elsewhere")

// Compact expires tombstones (recording per bucket the newest removed one,
// so clients behind it reset), then outcomes, each in bounded transactions.
// Superseded changes need no pass: the commit that supersedes a change
// deletes it. tryLock, run first in every transaction, must return false
// when another process is compacting ("" when the store has a single writer
// anyway).
func Compact(ctx context.Context, update Update, tryLock string, o syncengine.CompactOptions) (syncengine.CompactStats, error) {
	var st syncengine.CompactStats
	locked := func(ctx context.Context, tx Tx) error {
		if tryLock == "" {
			return nil
		}
		var ok bool
		if err := tx.QueryRow(ctx, tryLock).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return errBusy
		}
		return nil
	}
	if o.TombstoneRetention > 0 {
		for {
			n, err := expireTombstones(ctx, update, locked, o)
			if errors.Is(err, errBusy) {
				return st, nil
			}
			if err != nil {
				return st, err
			}
			st.Tombstones += n
			if n < int64(min(o.BatchSize, tombstoneBatch)) {
				break
			}
		}
	}
	if o.OutcomeRetention > 0 {
		for {
			n, err := expireOutcomes(ctx, update, locked, o)
			if errors.Is(err, errBusy) {
				return st, nil
			}
			if err != nil {
				return st, err
			}
			st.Outcomes += n
			if n < int64(min(o.BatchSize, tombstoneBatch)) {
				break
			}
		}
	}
	return st, nil
}

// tombstoneBatch keeps the log lock short while tombstones expire.
const tombstoneBatch = 1000

type tombstone struct {
	seq        int64
	bucket     string
	collection string
	recordID   string
}

func expireTombstones(ctx context.Context, update Update, locked func(context.Context, Tx) error, o syncengine.CompactOptions) (int64, error) {
	var n int64
	err := update(ctx, func(tx Tx) error {
		if err := locked(ctx, tx); err != nil {
			return err
		}
		// Hold the log lock: records touched here are also touched by
		// commits, and taking the same lock first keeps them apart.
		if _, err := tx.Exec(ctx, `UPDATE sync_state SET last_seq = last_seq WHERE id = 1`); err != nil {
			return err
		}
		cutoff := tx.Now().Add(-o.TombstoneRetention).UnixMilli()
		rows, err := tx.Query(ctx, `SELECT seq, bucket, collection, record_id FROM sync_changes
			WHERE op = 2 AND created_at < $1 ORDER BY seq LIMIT $2`, cutoff, min(o.BatchSize, tombstoneBatch))
		if err != nil {
			return err
		}
		ts, err := sqlq.Collect(rows, func(r syncengine.Row) (t tombstone, err error) {
			err = r.Scan(&t.seq, &t.bucket, &t.collection, &t.recordID)
			return t, err
		})
		if err != nil {
			return err
		}
		newest := map[string]int64{}
		for _, t := range ts {
			if _, err := tx.Exec(ctx, `DELETE FROM sync_changes WHERE bucket = $1 AND seq = $2`, t.bucket, t.seq); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM sync_records WHERE bucket = $1 AND collection = $2 AND record_id = $3 AND deleted AND seq = $4`,
				t.bucket, t.collection, t.recordID, t.seq); err != nil {
				return err
			}
			newest[t.bucket] = max(newest[t.bucket], t.seq)
		}
		buckets := make([]string, 0, len(newest))
		for b := range newest {
			buckets = append(buckets, b)
		}
		slices.Sort(buckets)
		for _, b := range buckets {
			if _, err := tx.Exec(ctx, `UPDATE sync_buckets SET reset_before = $2 WHERE bucket = $1 AND reset_before < $2`, b, newest[b]); err != nil {
				return err
			}
		}
		n = int64(len(ts))
		return nil
	})
	return n, err
}

func expireOutcomes(ctx context.Context, update Update, locked func(context.Context, Tx) error, o syncengine.CompactOptions) (int64, error) {
	var n int64
	err := update(ctx, func(tx Tx) error {
		if err := locked(ctx, tx); err != nil {
			return err
		}
		cutoff := tx.Now().Add(-o.OutcomeRetention).UnixMilli()
		rows, err := tx.Query(ctx, `SELECT client_id, seq FROM sync_outcomes WHERE decided_at < $1 ORDER BY decided_at LIMIT $2`,
			cutoff, min(o.BatchSize, tombstoneBatch))
		if err != nil {
			return err
		}
		type key struct {
			client string
			seq    int64
		}
		keys, err := sqlq.Collect(rows, func(r syncengine.Row) (k key, err error) {
			err = r.Scan(&k.client, &k.seq)
			return k, err
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.Exec(ctx, `DELETE FROM sync_outcomes WHERE client_id = $1 AND seq = $2`, k.client, k.seq); err != nil {
				return err
			}
			tx.Delete(syncengine.OutcomeCollection, syncengine.OutcomeRecordID(k.client, k.seq))
		}
		n = int64(len(keys))
		return nil
	})
	return n, err
}
