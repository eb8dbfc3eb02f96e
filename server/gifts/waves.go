package gifts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Wave is a gift wave: a time window in which the doctors of a region
// order gifts.
type Wave struct {
	ID          string
	RegionID    string
	Title       string
	Description string
	StartsAt    time.Time
	EndsAt      time.Time
	// Grace is how long after EndsAt an order made before EndsAt is still
	// accepted.
	Grace     time.Duration
	Retired   bool
	UpdatedAt time.Time
}

// Proto encodes a wave for the wire.
func (w Wave) Proto() *giftsv1.Wave {
	return &giftsv1.Wave{Id: w.ID, RegionId: w.RegionID, Title: w.Title, Description: w.Description,
		StartsAtUnixMs: w.StartsAt.UnixMilli(), EndsAtUnixMs: w.EndsAt.UnixMilli(), GraceMs: w.Grace.Milliseconds(), UpdatedAtUnixMs: w.UpdatedAt.UnixMilli()}
}

const waveColumns = `id, region_id, title, description, starts_at, ends_at, grace_ms, retired_at, updated_at`

func scanWave(row syncengine.Row) (Wave, error) {
	var w Wave
	var starts, ends, grace, retired, updated int64
	err := row.Scan(&w.ID, &w.RegionID, &w.Title, &w.Description, &starts, &ends, &grace, &retired, &updated)
	return waveFrom(w, starts, ends, grace, retired, updated), err
}

// waveFrom fills a wave's times from their stored form.
func waveFrom(w Wave, starts, ends, grace, retired, updated int64) Wave {
	w.StartsAt, w.EndsAt, w.Grace = time.UnixMilli(starts), time.UnixMilli(ends), time.Duration(grace)*time.Millisecond
	w.Retired, w.UpdatedAt = retired != 0, time.UnixMilli(updated)
	return w
}

// FindWave returns a wave by id.
func FindWave(ctx context.Context, q syncengine.Querier, id string) (Wave, error) {
	w, err := scanWave(q.QueryRow(ctx, `SELECT `+waveColumns+` FROM gift_waves WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, &syncengine.Error{Code: syncengine.ENOTFOUND, Message: "no gift wave " + id,
			Violations: []syncengine.Violation{{Field: "wave_id", Description: "no such wave"}}}
	}
	return w, err
}

func (s *Service) validateWave(ctx context.Context, q syncengine.Querier, w *Wave, now time.Time) error {
	w.Title, w.Description = strings.TrimSpace(w.Title), strings.TrimSpace(w.Description)
	if w.Grace == 0 {
		w.Grace = s.cfg.Grace
	}
	var v []syncengine.Violation
	if w.Title == "" || len([]rune(w.Title)) > 200 {
		v = append(v, syncengine.Violation{Field: "title", Description: "is required (at most 200 characters)"})
	}
	if len([]rune(w.Description)) > 2000 {
		v = append(v, syncengine.Violation{Field: "description", Description: "at most 2000 characters"})
	}
	if !w.EndsAt.After(w.StartsAt) {
		v = append(v, syncengine.Violation{Field: "ends_at", Description: "must be after starts_at"})
	} else if !w.EndsAt.After(now) {
		v = append(v, syncengine.Violation{Field: "ends_at", Description: "is in the past"})
	}
	if w.Grace < 0 || w.Grace > 7*24*time.Hour {
		v = append(v, syncengine.Violation{Field: "grace_ms", Description: "must be between 0 and 7 days"})
	}
	var n int64
	if err := q.QueryRow(ctx, `SELECT count(*) FROM regions WHERE id = $1`, w.RegionID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		v = append(v, syncengine.Violation{Field: "region_id", Description: "no region " + w.RegionID})
	}
	if len(v) > 0 {
		return syncengine.Invalid("the wave cannot be saved", v...)
	}
	return nil
}

// CreateWave plans a wave. It syncs to the region at once, and its
// announcements are scheduled.
func (s *Service) CreateWave(ctx context.Context, p syncengine.Principal, w Wave) (Wave, error) {
	if err := requireStaff(p); err != nil {
		return w, err
	}
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		if err := s.validateWave(ctx, tx, &w, tx.Now()); err != nil {
			return err
		}
		w.ID, w.UpdatedAt = uuid.NewString(), tx.Now()
		now := tx.Now().UnixMilli()
		if _, err := tx.Exec(ctx, `INSERT INTO gift_waves (id, region_id, title, description, starts_at, ends_at, grace_ms, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			w.ID, w.RegionID, w.Title, w.Description, w.StartsAt.UnixMilli(), w.EndsAt.UnixMilli(), w.Grace.Milliseconds(), now); err != nil {
			return err
		}
		if err := s.scheduleNotices(ctx, tx, w); err != nil {
			return err
		}
		if err := giftAudit.Record(ctx, tx, p, "wave.created", w.ID, w.Title); err != nil {
			return err
		}
		return putWave(tx, w)
	})
	return w, err
}

// UpdateWave changes a wave's texts and window. A closed wave cannot
// change; an open one cannot start later.
func (s *Service) UpdateWave(ctx context.Context, p syncengine.Principal, w Wave) (Wave, error) {
	if err := requireStaff(p); err != nil {
		return w, err
	}
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		old, err := FindWave(ctx, tx, w.ID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if !now.Before(old.EndsAt) {
			return syncengine.Errorf(syncengine.EPRECONDITION, "wave %q has closed and can no longer change", old.Title)
		}
		if !now.Before(old.StartsAt) && !w.StartsAt.Equal(old.StartsAt) {
			return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: "wave " + old.Title + " is open: its start can no longer move",
				Violations: []syncengine.Violation{{Field: "starts_at", Description: "fixed once the wave has opened"}}}
		}
		w.RegionID = old.RegionID
		if err := s.validateWave(ctx, tx, &w, now); err != nil {
			return err
		}
		w.UpdatedAt = now
		if _, err := tx.Exec(ctx, `UPDATE gift_waves SET title = $1, description = $2, starts_at = $3, ends_at = $4, grace_ms = $5, updated_at = $6 WHERE id = $7`,
			w.Title, w.Description, w.StartsAt.UnixMilli(), w.EndsAt.UnixMilli(), w.Grace.Milliseconds(), now.UnixMilli(), w.ID); err != nil {
			return err
		}
		if err := s.scheduleNotices(ctx, tx, w); err != nil {
			return err
		}
		if err := giftAudit.Record(ctx, tx, p, "wave.changed", w.ID, w.Title); err != nil {
			return err
		}
		return putWave(tx, w)
	})
	return w, err
}

// ListWaves lists waves, latest first, of one region or all.
func (s *Service) ListWaves(ctx context.Context, p syncengine.Principal, region string) ([]Wave, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	var out []Wave
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+waveColumns+` FROM gift_waves WHERE ($1 = '' OR region_id = $1) ORDER BY starts_at DESC, id LIMIT 1000`, region)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, scanWave)
		return err
	})
	return out, err
}

func putWave(tx syncengine.Tx, w Wave) error {
	b, err := proto.Marshal(w.Proto())
	if err != nil {
		return err
	}
	tx.Put(WaveCollection, w.ID, b, auth.RegionBucket(w.RegionID))
	return nil
}

// WaveItem is an item offered in a wave.
type WaveItem struct {
	WaveID         string
	Item           Item
	PointsPrice    int64
	LimitPerDoctor int64 // 0: no limit
	Allocated      int64
	Ordered        int64 // units in live orders
}

// Remaining is what can still be ordered.
func (wi WaveItem) Remaining() int64 { return wi.Allocated - wi.Ordered }

func catalogID(waveID, itemID string) string { return waveID + catalogIDSeparator + itemID }

const waveItemColumns = `wi.wave_id, wi.points_price, wi.limit_per_doctor, wi.allocated, ` + orderedSQL

func scanWaveItem(row syncengine.Row) (WaveItem, error) {
	var wi WaveItem
	var err error
	wi.Item, err = scanItem(row, &wi.WaveID, &wi.PointsPrice, &wi.LimitPerDoctor, &wi.Allocated, &wi.Ordered)
	return wi, err
}

// SetWaveItem offers an item in a wave, or changes the offer: price and
// limit until the wave opens, the allocation until it closes (down to what
// has been ordered). The allocation is reserved in the warehouse.
func (s *Service) SetWaveItem(ctx context.Context, p syncengine.Principal, waveID, itemRef string, price, limit, allocated int64) (WaveItem, error) {
	if err := requireStaff(p); err != nil {
		return WaveItem{}, err
	}
	var v []syncengine.Violation
	if price <= 0 || price > 100_000_000 {
		v = append(v, syncengine.Violation{Field: "points_price", Description: "must be a positive number of points"})
	}
	if limit < 0 || limit > 1000 {
		v = append(v, syncengine.Violation{Field: "limit_per_doctor", Description: "must be 0 (no limit) to 1000"})
	}
	if allocated < 0 || allocated > 100_000_000 {
		v = append(v, syncengine.Violation{Field: "allocated", Description: "must be 0 or more units"})
	}
	if len(v) > 0 {
		return WaveItem{}, syncengine.Invalid("the wave item cannot be saved", v...)
	}
	var out WaveItem
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		w, err := FindWave(ctx, tx, waveID)
		if err != nil {
			return err
		}
		it, err := FindItem(ctx, tx, itemRef)
		if err != nil {
			return err
		}
		now := tx.Now()
		if !now.Before(w.EndsAt) {
			return syncengine.Errorf(syncengine.EPRECONDITION, "wave %q has closed: its offer can no longer change", w.Title)
		}
		open := !now.Before(w.StartsAt)
		old, err := scanWaveItem(tx.QueryRow(ctx, `SELECT `+itemColumns+`, `+waveItemColumns+` FROM gift_wave_items wi JOIN gift_items i ON i.id = wi.item_id
			WHERE wi.wave_id = $1 AND wi.item_id = $2`, waveID, it.ID))
		var delta int64
		switch {
		case errors.Is(err, sql.ErrNoRows):
			delta = allocated
			if _, err := tx.Exec(ctx, `INSERT INTO gift_wave_items (wave_id, item_id, points_price, limit_per_doctor, allocated, published_remaining, published_at)
				VALUES ($1, $2, $3, $4, $5, $5, $6)`, waveID, it.ID, price, limit, allocated, now.UnixMilli()); err != nil {
				return err
			}
			if err := allocate(ctx, tx, waveID, it.ID, allocated); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if open && (old.PointsPrice != price || old.LimitPerDoctor != limit) {
				return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: "wave " + w.Title + " is open: the price and limit of " + it.Name + " are fixed",
					Violations: []syncengine.Violation{{Field: "points_price", Description: "fixed once the wave has opened"}}}
			}
			delta = allocated - old.Allocated
			if delta > 0 {
				err = allocate(ctx, tx, waveID, it.ID, delta)
			} else if delta < 0 {
				var ok bool
				if ok, err = deallocate(ctx, tx, waveID, it.ID, -delta); err == nil && !ok {
					err = &syncengine.Error{Code: syncengine.EPRECONDITION, Message: "doctors have already ordered more of " + it.Name + " than that",
						Violations: []syncengine.Violation{{Field: "allocated", Description: "at least the units already ordered"}}}
				}
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE gift_wave_items SET points_price = $1, limit_per_doctor = $2, allocated = $3 WHERE wave_id = $4 AND item_id = $5`,
				price, limit, allocated, waveID, it.ID); err != nil {
				return err
			}
		}
		if delta != 0 {
			if _, _, err := move(ctx, tx, Movement{ItemID: it.ID, Kind: MoveReservation, Quantity: delta, WaveID: waveID, ActorID: p.UserID, Address: p.Address, Note: "allocation to " + w.Title}, it.Name); err != nil {
				return err
			}
		}
		out, err = scanWaveItem(tx.QueryRow(ctx, `SELECT `+itemColumns+`, `+waveItemColumns+` FROM gift_wave_items wi JOIN gift_items i ON i.id = wi.item_id
			WHERE wi.wave_id = $1 AND wi.item_id = $2`, waveID, it.ID))
		if err != nil {
			return err
		}
		if err := giftAudit.Record(ctx, tx, p, "wave.offer_set", waveID, fmt.Sprintf("%s: %d points, limit %d, %d allocated", it.SKU, price, limit, allocated)); err != nil {
			return err
		}
		return publishLevel(ctx, tx, w.RegionID, waveID, it, func(WaveItem, publication) bool { return true })
	})
	return out, err
}
