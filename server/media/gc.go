package media

import (
	"context"
	"database/sql"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// GCStats counts what a collection removed.
type GCStats struct {
	// Uploads never completed whose bytes were discarded.
	Uploads int64
	// Media removed (abandoned uploads and media nothing references).
	Media int64
}

const gcBatch = 100

// CollectGarbage removes, once the retention has passed:
//   - uploads never completed (counted from the last CreateUpload or
//     CompleteUpload): their bytes are discarded, and the media removed
//     unless something references it (then the device can upload again);
//   - ready or rejected media nothing references (counted from creation or
//     from the last Detach), with their clean objects once no other media
//     shares them.
//
// Removed media leave their owner's bucket. Objects are deleted after the
// transaction commits; a crash in between leaves orphan objects, never a
// media without its bytes.
func (s *Service) CollectGarbage(ctx context.Context) (GCStats, error) {
	var st GCStats
	for _, phase := range []func(context.Context, *GCStats) (int, error){s.collectUploads, s.collectUnused} {
		for {
			n, err := phase(ctx, &st)
			if err != nil {
				return st, err
			}
			if n < gcBatch {
				break
			}
		}
	}
	return st, nil
}

type staleUpload struct {
	id, uploadID string
	attached     bool
}

func (s *Service) collectUploads(ctx context.Context, st *GCStats) (int, error) {
	var stale []staleUpload
	var removed int64
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		stale, removed = nil, 0
		cutoff := tx.Now().Add(-s.cfg.Retention).UnixMilli()
		rows, err := tx.Query(ctx, `SELECT id, upload_id, unattached_since FROM media
			WHERE status = $1 AND touched_at < $2 ORDER BY touched_at LIMIT $3`+tx.Dialect().SkipLocked(),
			int64(uploading), cutoff, gcBatch)
		if err != nil {
			return err
		}
		stale, err = sqlq.Collect(rows, func(r syncengine.Row) (u staleUpload, err error) {
			var since sql.NullInt64
			err = r.Scan(&u.id, &u.uploadID, &since)
			u.attached = !since.Valid
			return u, err
		})
		if err != nil {
			return err
		}
		for _, u := range stale {
			if u.attached {
				if _, err := setUpload(ctx, tx, u.id, u.uploadID, ""); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM media WHERE id = $1`, u.id); err != nil {
				return err
			}
			tx.Delete(Collection, u.id)
			removed++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, u := range stale {
		key := quarantineKey(u.id)
		if u.uploadID != "" {
			if err := s.blobs.AbortMultipart(ctx, key, u.uploadID); err != nil {
				s.log.Warn("media: abandoned upload left in storage", "media", u.id, "err", err)
			}
		}
		if err := s.blobs.Delete(ctx, key); err != nil {
			s.log.Warn("media: abandoned upload left in storage", "media", u.id, "err", err)
		}
	}
	st.Uploads += int64(len(stale))
	st.Media += removed
	return len(stale), nil
}

func (s *Service) collectUnused(ctx context.Context, st *GCStats) (int, error) {
	var ids, orphans []string
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		ids, orphans = nil, nil
		cutoff := tx.Now().Add(-s.cfg.Retention).UnixMilli()
		rows, err := tx.Query(ctx, `SELECT id, blob_id FROM media
			WHERE unattached_since < $1 AND status <> $2 ORDER BY unattached_since LIMIT $3`+tx.Dialect().SkipLocked(),
			cutoff, int64(uploading), gcBatch)
		if err != nil {
			return err
		}
		blobs := map[string]bool{}
		for rows.Next() {
			var id, blob string
			if err := rows.Scan(&id, &blob); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			if blob != "" {
				blobs[blob] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.Exec(ctx, `DELETE FROM media WHERE id = $1`, id); err != nil {
				return err
			}
			tx.Delete(Collection, id)
		}
		// A new media can only share objects by locking a ready one that
		// holds them (see create), so none can appear once these are gone.
		for blob := range blobs {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM media WHERE blob_id = $1`, blob).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				orphans = append(orphans, blob)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// A finished media's original was deleted when it finished; this
	// catches one storage failed to delete then.
	for _, id := range ids {
		if err := s.blobs.Delete(ctx, quarantineKey(id)); err != nil {
			s.log.Warn("media: uploaded original left in storage", "media", id, "err", err)
		}
	}
	for _, blob := range orphans {
		for _, v := range []Variant{Image, Thumbnail} {
			if err := s.blobs.Delete(ctx, blobKey(blob, v)); err != nil {
				s.log.Warn("media: unused object left in storage", "blob", blob, "err", err)
			}
		}
	}
	st.Media += int64(len(ids))
	return len(ids), nil
}
