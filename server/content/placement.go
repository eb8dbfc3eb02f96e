package content

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// audience lists the buckets of an item's audience: one per targeted
// (specialty, region) pair — public items in the buckets unverified doctors
// read too, the others in the verified doctors' ones. A doctor reads the
// buckets of their own pair only, so their phone holds exactly the items
// for their specialty and region.
func audience(it *contentv1.Item) []syncengine.Bucket {
	var out []syncengine.Bucket
	for _, s := range it.GetSpecialties() {
		for _, r := range it.GetRegionIds() {
			if it.GetPublic() {
				out = append(out, auth.PublicSpecialtyRegionBucket(s, r))
			} else {
				out = append(out, auth.SpecialtyRegionBucket(s, r))
			}
		}
	}
	return out
}

// visible reports whether a row belongs on phones at now: published, and
// inside its window.
func (r *row) visible(now int64) bool {
	return r.state(now) == contentv1.ItemState_ITEM_STATE_LIVE
}

// place puts a row where it belongs at the transaction's time: in its
// audience's buckets when visible (replacing the record there, and taking
// it out of buckets it no longer targets), out of every bucket when not.
// It also sets when the row next needs a look: when its window opens or
// closes.
func place(tx syncengine.Tx, r *row) {
	now := tx.Now().UnixMilli()
	it := r.item
	switch {
	case r.visible(now):
		tx.Put(ItemCollection, it.Id, devicePayload(it), audience(it)...)
		r.placed = true
	case r.placed:
		tx.Delete(ItemCollection, it.Id)
		r.placed = false
	}
	r.nextCheckAt = 0
	if r.published {
		switch {
		case now < it.StartsAtUnixMs:
			r.nextCheckAt = it.StartsAtUnixMs
		case it.EndsAtUnixMs != 0 && now < it.EndsAtUnixMs:
			r.nextCheckAt = it.EndsAtUnixMs
		}
	}
}

// markPublished records that the row's current version reached phones, so
// completions made against it can be graded later.
func markPublished(ctx context.Context, tx syncengine.Tx, r *row) error {
	if !r.placed {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE content_versions SET published = $1 WHERE item_id = $2 AND version = $3`, true, r.item.Id, r.item.Version)
	return err
}

// reevaluateBatch bounds the items one transaction of Reevaluate handles.
const reevaluateBatch = 100

// Reevaluate moves the items whose window has opened or closed since they
// were last placed: onto their audience's phones, or off them. It is
// idempotent and safe to run from several processes at once: each item is
// claimed by a conditional update, and an item another process has just
// handled is no longer due. It returns how many items moved.
func (s *Service) Reevaluate(ctx context.Context) (int, error) {
	total := 0
	for {
		n, due := 0, 0
		err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			n = 0
			now := tx.Now().UnixMilli()
			ids, err := sqlq.Strings(ctx, tx, `SELECT id FROM content_items WHERE next_check_at > 0 AND next_check_at <= $1
				ORDER BY next_check_at, id LIMIT `+strconv.Itoa(reevaluateBatch), now)
			if err != nil {
				return err
			}
			due = len(ids)
			for _, id := range ids {
				r, err := scanRow(tx.QueryRow(ctx, `UPDATE content_items SET rev = rev + 1
					WHERE id = $1 AND next_check_at > 0 AND next_check_at <= $2 RETURNING `+rowColumns, id, now))
				if errors.Is(err, sql.ErrNoRows) {
					continue // handled meanwhile by another process or an editor
				}
				if err != nil {
					return err
				}
				place(tx, r)
				if err := markPublished(ctx, tx, r); err != nil {
					return err
				}
				if err := saveItem(ctx, tx, r, false); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if due < reevaluateBatch {
			return total, nil
		}
	}
}

// Run re-evaluates publish windows every interval until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.Reevaluate(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("re-evaluating content windows", "err", err)
		} else if n > 0 {
			s.log.Info("content windows opened or closed", "items", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
