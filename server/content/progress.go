package content

import (
	"context"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// targetsDoctor reports whether an item, as targeted now, is for a doctor: their
// specialty and region are among its targets, and it is public or they are
// verified.
func targetsDoctor(it *contentv1.Item, c auth.Claims) bool {
	return slices.Contains(it.Specialties, c.Specialty) && slices.Contains(it.RegionIds, c.RegionID) && (it.Public || c.Verified)
}

// readableBy loads an item a doctor acts on (reads, completes): it must
// have been published and target them. An item never published, or for
// another specialty or region, is not found, as for this doctor it does
// not exist: the answer says nothing of it.
func readableBy(ctx context.Context, q syncengine.Querier, id string, c auth.Claims) (*row, error) {
	r, err := loadItem(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if r.firstPublishedAt == 0 || !targetsDoctor(r.item, c) {
		return nil, syncengine.Errorf(syncengine.ENOTFOUND, "no content item %s", id)
	}
	return r, nil
}

// MayReadImages reports whether p may read an image that items reference
// (refs "content:<item id>", as the media module lists them): editors may
// always; a doctor when one of the items is on their phone now. It is the
// media module's read policy for content images.
func (s *Service) MayReadImages(ctx context.Context, q syncengine.Querier, p syncengine.Principal, refs []string) (bool, error) {
	if auth.Require(p, auth.RoleModerator) == nil {
		return true, nil
	}
	if auth.Require(p, auth.RoleDoctor) != nil {
		return false, nil
	}
	now := s.now()
	for _, ref := range refs {
		id, ok := strings.CutPrefix(ref, "content:")
		if !ok {
			continue
		}
		r, err := readableBy(ctx, q, id, auth.ClaimsOf(p))
		if syncengine.ErrorCode(err) == syncengine.ENOTFOUND {
			continue
		}
		if err != nil {
			return false, err
		}
		if r.visible(now) {
			return true, nil
		}
	}
	return false, nil
}

func (s *Service) recordProgressMutator() syncengine.Mutator {
	return mutator.New(func() *contentv1.RecordProgressArgs { return &contentv1.RecordProgressArgs{} }, s.recordProgress)
}

// recordProgress records that a doctor opened or finished an item: the
// first time of each counts, repeats change nothing.
func (s *Service) recordProgress(ctx context.Context, tx syncengine.Tx, call syncengine.Call, args *contentv1.RecordProgressArgs) ([]byte, error) {
	p := call.Principal
	if err := auth.Require(p, auth.RoleDoctor); err != nil {
		return nil, err
	}
	c := auth.ClaimsOf(p)
	if _, err := readableBy(ctx, tx, args.ItemId, c); err != nil {
		return nil, err
	}
	now := tx.Now().UnixMilli()
	var finished int64
	if args.Event == contentv1.ProgressEvent_PROGRESS_EVENT_FINISHED {
		finished = now
	}
	return nil, recordProgressRow(ctx, tx, p.UserID, args.ItemId, c, now, finished, 0)()
}

// recordProgressRow records the first opening, finish and pass of an item
// by a doctor (0 leaves one as it is) and writes the doctor's progress
// record to their bucket. The upsert returns the row, queued
// (syncengine.Tx.QueueScan) so that it can travel with the caller's other
// statements; wait finishes it.
func recordProgressRow(ctx context.Context, tx syncengine.Tx, userID, itemID string, c auth.Claims, opened, finished, passed int64) (wait func() error) {
	pr := &contentv1.Progress{ItemId: itemID}
	row := tx.QueueScan(ctx, []any{&pr.OpenedAtUnixMs, &pr.FinishedAtUnixMs}, `INSERT INTO content_progress (user_id, item_id, region_id, specialty, opened_at, finished_at, passed_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $5)
		ON CONFLICT (user_id, item_id) DO UPDATE SET
			opened_at = CASE WHEN content_progress.opened_at = 0 THEN excluded.opened_at ELSE content_progress.opened_at END,
			finished_at = CASE WHEN content_progress.finished_at = 0 THEN excluded.finished_at ELSE content_progress.finished_at END,
			passed_at = CASE WHEN content_progress.passed_at = 0 THEN excluded.passed_at ELSE content_progress.passed_at END,
			updated_at = excluded.updated_at
		RETURNING opened_at, finished_at`,
		userID, itemID, c.RegionID, c.Specialty, opened, finished, passed)
	return func() error {
		if err := row(); err != nil {
			return err
		}
		b, err := proto.Marshal(pr)
		if err != nil {
			return err
		}
		tx.Put(ProgressCollection, userID+":"+itemID, b, syncengine.UserBucket(userID))
		return nil
	}
}

// ReadingStats counts, per item and region, the doctors who opened,
// finished and (trainings) passed it. Directors see the regions they
// follow (all of them when regions is empty); moderators and admins any.
func (s *Service) ReadingStats(ctx context.Context, p syncengine.Principal, regions []string, kind contentv1.ItemKind) ([]*contentv1.ItemReadingStats, error) {
	if err := auth.Require(p, auth.RoleDirector, auth.RoleModerator); err != nil {
		return nil, err
	}
	var out []*contentv1.ItemReadingStats
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		if auth.ClaimsOf(p).Role == auth.RoleDirector {
			mine, err := auth.DirectorRegions(ctx, q, p.UserID)
			if err != nil {
				return err
			}
			for _, r := range regions {
				if !slices.Contains(mine, r) {
					return syncengine.Errorf(syncengine.EPERMISSION, "you do not follow region %s", r)
				}
			}
			if len(regions) == 0 {
				if regions = mine; len(regions) == 0 {
					return nil
				}
			}
		}
		query := `SELECT p.item_id, i.title, i.kind, p.region_id,
				SUM(CASE WHEN p.opened_at > 0 THEN 1 ELSE 0 END),
				SUM(CASE WHEN p.finished_at > 0 THEN 1 ELSE 0 END),
				SUM(CASE WHEN p.passed_at > 0 THEN 1 ELSE 0 END)
			FROM content_progress p JOIN content_items i ON i.id = p.item_id
			WHERE ($1 = '' OR i.kind = $1)`
		args := []any{""}
		if kind != contentv1.ItemKind_ITEM_KIND_UNSPECIFIED {
			args[0] = kindName(kind)
		}
		if len(regions) > 0 {
			query += ` AND p.region_id IN (` + sqlq.Placeholders(len(args)+1, len(regions)) + `)`
			for _, r := range regions {
				args = append(args, r)
			}
		}
		query += ` GROUP BY p.item_id, i.title, i.kind, p.region_id ORDER BY i.title, p.item_id, p.region_id`
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (*contentv1.ItemReadingStats, error) {
			st := &contentv1.ItemReadingStats{}
			var k string
			err := r.Scan(&st.ItemId, &st.Title, &k, &st.RegionId, &st.Opened, &st.Finished, &st.Passed)
			st.Kind, _ = KindFromName(k)
			return st, err
		})
		return err
	})
	return out, err
}
