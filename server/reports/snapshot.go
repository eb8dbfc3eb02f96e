package reports

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"

	reportsv1 "github.com/ordinatorhq/ordinator/api/ordinator/reports/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/module"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// SnapshotCollection holds the report snapshots on directors' phones.
const SnapshotCollection = reportsv1.ReportSnapshotCollection

// Job returns the scheduler job that writes the snapshots, every hour.
func (s *Service) Job(every time.Duration) module.Job {
	return module.Job{Name: "reports.snapshots", Every: every, Run: s.WriteSnapshots}
}

// WriteSnapshots recomputes, for every region, the current week and month
// of the region and of each of its territories, and puts each snapshot in
// the user: buckets of the directors who follow the region, and of no one
// else (a director who stops following loses them at the next run).
func (s *Service) WriteSnapshots(ctx context.Context, now time.Time) error {
	var regions []string
	err := s.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		var err error
		regions, err = sqlq.Strings(ctx, q, `SELECT id FROM regions ORDER BY id`)
		return err
	})
	if err != nil {
		return err
	}
	for _, region := range regions {
		if err := s.WriteRegionSnapshots(ctx, region, now); err != nil {
			return err
		}
	}
	return nil
}

type snapshot struct {
	id      string
	payload []byte
}

// WriteRegionSnapshots writes the snapshots of one region (its week and
// month, and each territory's) as WriteSnapshots does; the daily summary
// runs it before its push goes out.
func (s *Service) WriteRegionSnapshots(ctx context.Context, region string, now time.Time) error {
	var snaps []snapshot
	var buckets []syncengine.Bucket
	err := s.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		directors, err := sqlq.Strings(ctx, q, `SELECT dr.user_id FROM director_regions dr JOIN users u ON u.id = dr.user_id
			WHERE dr.region_id = $1 AND u.role = 'director' AND NOT u.disabled ORDER BY dr.user_id`, region)
		if err != nil {
			return err
		}
		for _, d := range directors {
			buckets = append(buckets, syncengine.UserBucket(d))
		}
		territories, err := auth.RegionTerritories(ctx, q, region)
		if err != nil {
			return err
		}
		loc, err := s.Location(ctx, q, region)
		if err != nil {
			return err
		}
		local := now.In(loc)
		for _, t := range append([]string{""}, territories...) {
			sc := Scope{Region: region, Territory: t}
			id := region
			if t != "" {
				id += "/" + t
			}
			for span, per := range map[string]Period{"week": WeekOf(local), "month": Month(local)} {
				var payload []byte
				if len(buckets) > 0 {
					r, err := s.ReportFor(ctx, q, sc, per)
					if err != nil {
						return err
					}
					if payload, err = proto.Marshal(&reportsv1.ReportSnapshot{Id: id + ":" + span, Span: span, Report: r.Proto(), ComputedAt: now.UnixMilli()}); err != nil {
						return err
					}
				}
				snaps = append(snaps, snapshot{id: id + ":" + span, payload: payload})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
		for _, sn := range snaps {
			if len(buckets) == 0 {
				tx.Delete(SnapshotCollection, sn.id)
				continue
			}
			tx.Put(SnapshotCollection, sn.id, sn.payload, buckets...)
		}
		return nil
	})
}
