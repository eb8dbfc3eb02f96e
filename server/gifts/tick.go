package gifts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// noticeLease is how long a process may work on one announcement page
// before another may take over.
const noticeLease = 30 * time.Second

// scheduleNotices (re)schedules a wave's announcements: opened at its
// start, closing soon ClosingSoon before its end (if that is after the
// start), closed at its end. A notice whose time moved starts over at the
// new time; its dedupe keys carry the time, so doctors hear of the new
// close even if they heard of the old one.
func (s *Service) scheduleNotices(ctx context.Context, tx syncengine.Tx, w Wave) error {
	dues := map[string]time.Time{NoticeWaveOpened: w.StartsAt, NoticeWaveClosed: w.EndsAt}
	if soon := w.EndsAt.Add(-s.cfg.ClosingSoon); soon.After(w.StartsAt) {
		dues[NoticeWaveClosingSoon] = soon
	}
	for _, kind := range []string{NoticeWaveOpened, NoticeWaveClosingSoon, NoticeWaveClosed} {
		due, ok := dues[kind]
		if !ok {
			if _, err := tx.Exec(ctx, `DELETE FROM gift_wave_notices WHERE wave_id = $1 AND kind = $2`, w.ID, kind); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.Exec(ctx, `DELETE FROM gift_wave_notices WHERE wave_id = $1 AND kind = $2 AND due_at <> $3`, w.ID, kind, due.UnixMilli()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO gift_wave_notices (wave_id, kind, due_at) VALUES ($1, $2, $3) ON CONFLICT (wave_id, kind) DO NOTHING`,
			w.ID, kind, due.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

// Tick does what wave times make due by now: it announces waves opening,
// closing soon and closed to the doctors of their region, syncs stock
// levels left stale, and once a wave's grace period is over takes it off
// devices and releases its unordered stock back to the warehouse. It is
// idempotent and safe to run from several server processes at once:
// announcements are leased page by page and every notification has a
// dedupe key; every other step is a conditional write.
func (s *Service) Tick(ctx context.Context, now time.Time) error {
	return errors.Join(s.announce(ctx, now), s.publishStale(ctx, now), s.retire(ctx, now), s.release(ctx, now))
}

type dueNotice struct {
	waveID, kind string
	due          int64
}

func (s *Service) announce(ctx context.Context, now time.Time) error {
	var due []dueNotice
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT wave_id, kind, due_at FROM gift_wave_notices WHERE done_at = 0 AND due_at <= $1 AND lease_until < $1
			ORDER BY due_at LIMIT 20`, now.UnixMilli())
		if err != nil {
			return err
		}
		due, err = sqlq.Collect(rows, func(r syncengine.Row) (n dueNotice, err error) {
			err = r.Scan(&n.waveID, &n.kind, &n.due)
			return n, err
		})
		return err
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range due {
		errs = append(errs, s.sendNotice(ctx, now, n))
	}
	return errors.Join(errs...)
}

// sendNotice notifies a wave's doctors page by page under a lease, until
// done or another process holds the lease.
func (s *Service) sendNotice(ctx context.Context, now time.Time, n dueNotice) error {
	owner := uuid.NewString()
	for {
		var more bool
		err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			var err error
			more, err = s.noticePage(ctx, tx, now, owner, n)
			return err
		})
		if err != nil || !more {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// noticePage sends one page of an announcement and reports whether more
// remain for this owner to send.
func (s *Service) noticePage(ctx context.Context, tx syncengine.Tx, now time.Time, owner string, n dueNotice) (bool, error) {
	var cursor string
	err := tx.QueryRow(ctx, `UPDATE gift_wave_notices SET lease_owner = $1, lease_until = $2
		WHERE wave_id = $3 AND kind = $4 AND due_at = $5 AND done_at = 0 AND (lease_until < $6 OR lease_owner = $1) RETURNING cursor`,
		owner, now.Add(noticeLease).UnixMilli(), n.waveID, n.kind, n.due, now.UnixMilli()).Scan(&cursor)
	if err != nil {
		// Done, rescheduled or leased by another process meanwhile.
		return false, ignoreNoRows(err)
	}
	w, err := FindWave(ctx, tx, n.waveID)
	if err != nil {
		return false, err
	}
	// An announcement that is no longer news (the server was down when it
	// was due) is dropped.
	stale := !now.Before(w.EndsAt)
	if n.kind == NoticeWaveClosed {
		stale = !now.Before(w.EndsAt.Add(w.Grace))
	}
	var users []string
	if !stale {
		if users, err = sqlq.Strings(ctx, tx, `SELECT id FROM users WHERE role = 'doctor' AND verified AND NOT disabled AND region_id = $1 AND id > $2
			ORDER BY id LIMIT $3`, w.RegionID, cursor, s.cfg.NoticePageSize); err != nil {
			return false, err
		}
	}
	params := map[string]string{
		"title":       w.Title,
		"starts_at":   s.localTime(ctx, tx, w, w.StartsAt),
		"ends_at":     s.localTime(ctx, tx, w, w.EndsAt),
		"grace_until": s.localTime(ctx, tx, w, w.EndsAt.Add(w.Grace)),
		"wave_id":     w.ID,
	}
	for _, u := range users {
		if _, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: u, Kind: n.kind, Params: params,
			DedupeKey: fmt.Sprintf("%s:%s:%d:%s", n.kind, w.ID, n.due, u)}); err != nil {
			return false, err
		}
	}
	if len(users) == s.cfg.NoticePageSize {
		_, err := tx.Exec(ctx, `UPDATE gift_wave_notices SET cursor = $1 WHERE wave_id = $2 AND kind = $3`, users[len(users)-1], n.waveID, n.kind)
		return true, err
	}
	_, err = tx.Exec(ctx, `UPDATE gift_wave_notices SET done_at = $1, lease_until = 0 WHERE wave_id = $2 AND kind = $3`, now.UnixMilli(), n.waveID, n.kind)
	return false, err
}

func ignoreNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// publishStale syncs the stock level of wave items whose devices see an
// outdated one, for waves still open.
func (s *Service) publishStale(ctx context.Context, now time.Time) error {
	type stale struct {
		it             Item
		waveID, region string
	}
	var todo []stale
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+itemColumns+`, wi.wave_id, w.region_id FROM gift_wave_items wi
			JOIN gift_items i ON i.id = wi.item_id JOIN gift_waves w ON w.id = wi.wave_id
			WHERE w.ends_at > $1 AND wi.published_remaining <> wi.allocated - `+orderedSQL+` LIMIT 500`, now.UnixMilli())
		if err != nil {
			return err
		}
		todo, err = sqlq.Collect(rows, func(r syncengine.Row) (st stale, err error) {
			st.it, err = scanItem(r, &st.waveID, &st.region)
			return st, err
		})
		return err
	})
	if err != nil || len(todo) == 0 {
		return err
	}
	return s.store.Update(ctx, func(tx syncengine.Tx) error {
		for _, st := range todo {
			err := publishLevel(ctx, tx, st.region, st.waveID, st.it, func(wi WaveItem, pub publication) bool { return wi.Remaining() != pub.remaining })
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// retire takes waves whose grace period is over off the region's devices
// (doctors keep their orders, which carry the wave's title).
func (s *Service) retire(ctx context.Context, now time.Time) error {
	var ids []string
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		ids, err = sqlq.Strings(ctx, q, `SELECT id FROM gift_waves WHERE retired_at = 0 AND ends_at + grace_ms <= $1 LIMIT 100`, now.UnixMilli())
		return err
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			n, err := tx.Exec(ctx, `UPDATE gift_waves SET retired_at = $1 WHERE id = $2 AND retired_at = 0`, now.UnixMilli(), id)
			if err != nil || n == 0 {
				return err
			}
			items, err := sqlq.Strings(ctx, tx, `SELECT item_id FROM gift_wave_items WHERE wave_id = $1`, id)
			if err != nil {
				return err
			}
			for _, item := range items {
				tx.Delete(CatalogCollection, catalogID(id, item))
			}
			tx.Delete(WaveCollection, id)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// release returns the unordered part of an ended wave's allocation to the
// warehouse. Orders cancelled later free their units again, and the next
// Tick releases those.
func (s *Service) release(ctx context.Context, now time.Time) error {
	type leftover struct{ waveID, itemID, title string }
	var todo []leftover
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT wi.wave_id, wi.item_id, w.title FROM gift_wave_items wi JOIN gift_waves w ON w.id = wi.wave_id
			WHERE w.ends_at + w.grace_ms <= $1 AND wi.allocated > `+orderedSQL+` LIMIT 500`, now.UnixMilli())
		if err != nil {
			return err
		}
		todo, err = sqlq.Collect(rows, func(r syncengine.Row) (l leftover, err error) {
			err = r.Scan(&l.waveID, &l.itemID, &l.title)
			return l, err
		})
		return err
	})
	if err != nil {
		return err
	}
	for _, l := range todo {
		err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			rows, err := tx.Query(ctx, `SELECT shard, allocated, ordered FROM gift_stock_shards WHERE wave_id = $1 AND item_id = $2 AND allocated > ordered`, l.waveID, l.itemID)
			if err != nil {
				return err
			}
			shards, err := sqlq.Collect(rows, func(r syncengine.Row) (sh [3]int64, err error) {
				err = r.Scan(&sh[0], &sh[1], &sh[2])
				return sh, err
			})
			if err != nil {
				return err
			}
			var released int64
			for _, sh := range shards {
				// A shard an order is cancelling into meanwhile waits for
				// the next Tick.
				n, err := tx.Exec(ctx, `UPDATE gift_stock_shards SET allocated = ordered WHERE wave_id = $1 AND item_id = $2 AND shard = $3 AND allocated = $4 AND ordered = $5`,
					l.waveID, l.itemID, sh[0], sh[1], sh[2])
				if err != nil {
					return err
				}
				released += n * (sh[1] - sh[2])
			}
			if released == 0 {
				return nil
			}
			if _, err := tx.Exec(ctx, `UPDATE gift_wave_items SET allocated = allocated - $1 WHERE wave_id = $2 AND item_id = $3`, released, l.waveID, l.itemID); err != nil {
				return err
			}
			_, _, err = move(ctx, tx, Movement{ItemID: l.itemID, Kind: MoveReservation, Quantity: -released, WaveID: l.waveID,
				ActorID: "system", Note: "released after " + l.title + " ended"}, l.itemID)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
