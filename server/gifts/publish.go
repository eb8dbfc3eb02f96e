package gifts

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// publication is the stock level of a wave item last synced to devices.
// at only grows, one millisecond at least per publication, so it also
// versions the level.
type publication struct{ remaining, at int64 }

// publishLevel syncs a wave item with its remaining stock to the region if
// due says so, given the item as the transaction sees it now and the level
// last published. Of transactions publishing at once, one claims the
// publication; the others wait for it to commit, then look again with what
// it committed, so the last level published is never older than the last
// change that asked for one.
func publishLevel(ctx context.Context, tx syncengine.Tx, region, waveID string, it Item, due func(WaveItem, publication) bool) error {
	for attempt := 0; attempt < 3; attempt++ {
		wi := WaveItem{Item: it}
		var pub publication
		if err := tx.QueryRow(ctx, `SELECT wi.wave_id, wi.points_price, wi.limit_per_doctor, wi.allocated, `+orderedSQL+`, wi.published_remaining, wi.published_at
			FROM gift_wave_items wi WHERE wi.wave_id = $1 AND wi.item_id = $2`, waveID, it.ID).
			Scan(&wi.WaveID, &wi.PointsPrice, &wi.LimitPerDoctor, &wi.Allocated, &wi.Ordered, &pub.remaining, &pub.at); err != nil {
			return err
		}
		if !due(wi, pub) {
			return nil
		}
		now := tx.Now().UnixMilli()
		n, err := tx.Exec(ctx, `UPDATE gift_wave_items SET published_remaining = $1, published_at = CASE WHEN published_at < $2 THEN $2 ELSE published_at + 1 END
			WHERE wave_id = $3 AND item_id = $4 AND published_at = $5`, wi.Remaining(), now, waveID, it.ID, pub.at)
		if err != nil {
			return err
		}
		if n == 0 {
			continue // published by another transaction meanwhile
		}
		b, err := proto.Marshal(&giftsv1.CatalogItem{WaveId: wi.WaveID, Item: wi.Item.Proto(), PointsPrice: wi.PointsPrice,
			LimitPerDoctor: wi.LimitPerDoctor, Allocated: wi.Allocated, Remaining: wi.Remaining(), UpdatedAtUnixMs: now})
		if err != nil {
			return err
		}
		tx.Put(CatalogCollection, catalogID(wi.WaveID, wi.Item.ID), b, auth.RegionBucket(region))
		return nil
	}
	return nil
}

// maybePublish syncs a wave item's remaining stock after an order took
// (or a cancellation returned) units, when the change crosses a step of a
// twentieth of the allocation (every unit of a small one), sells the item
// out or brings it back, or the level has been stale for PublishEvery; Tick publishes
// whatever is left stale once orders stop. Devices so see a roughly
// current level without a region-wide change on every order, and orders
// rarely queue behind each other to publish. Once the wave has closed
// devices have no use for stock levels, and Tick takes its records off
// them.
func (s *Service) maybePublish(ctx context.Context, tx syncengine.Tx, w Wave, it Item, units int64) error {
	now := tx.Now()
	if !now.Before(w.EndsAt) {
		return nil
	}
	return publishLevel(ctx, tx, w.RegionID, w.ID, it, func(wi WaveItem, pub publication) bool {
		remaining := wi.Remaining()
		if remaining == pub.remaining {
			return false
		}
		step := max(wi.Allocated/20, 1)
		crossed := (wi.Ordered-units)/step != wi.Ordered/step
		stale := now.Sub(time.UnixMilli(pub.at)) >= s.cfg.PublishEvery
		return remaining == 0 || pub.remaining == 0 || crossed || stale
	})
}
