package notify

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Counter computes one figure of a region's daily summary: what happened
// in the region from from (inclusive) to to (exclusive), or, for a state
// such as overdue results, how things stand now.
type Counter func(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error)

// Figures of the daily summary, as params of "summary.daily". Each module
// registers the counter of its own tables; a figure nobody registered is
// left out of the texts.
const (
	FigureNewDoctors     = "new_doctors"     // accounts (registered here)
	FigureApprovedEdits  = "approved_edits"  // doctors directory
	FigureCasesSubmitted = "cases_submitted" // clinical cases
	FigureCasesPublished = "cases_published" // clinical cases
	FigureOverdueResults = "overdue_results" // studies
	FigureGiftOrders     = "gift_orders"     // gifts
)

// KindDailySummary is the kind of the directors' daily summary.
const KindDailySummary = "summary.daily"

// Summaries sends each director, every morning in their time zone, the
// figures of the previous day for each region they follow.
type Summaries struct {
	store syncengine.Store
	// Hour is the local hour the summary goes out at (default 9).
	hour     int
	mu       sync.Mutex
	counters map[string]Counter
	refresh  func(ctx context.Context, regionID string, now time.Time) error
}

// NewSummaries returns the summaries with the new-doctors counter.
func NewSummaries(store syncengine.Store, hour int) *Summaries {
	if hour <= 0 || hour > 23 {
		hour = 9
	}
	s := &Summaries{store: store, hour: hour, counters: map[string]Counter{}}
	s.Register(FigureNewDoctors, countNewDoctors)
	return s
}

// Register adds (or replaces) the counter of a figure.
func (s *Summaries) Register(figure string, c Counter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters[figure] = c
}

// Refresh sets what runs for a region before its summaries go out: the
// reports rewrite the directors' phone snapshots, so the figures the push
// links to are those of the moment it was sent, not of the last hourly
// run.
func (s *Summaries) Refresh(f func(ctx context.Context, regionID string, now time.Time) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh = f
}

func countNewDoctors(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'doctor' AND region_id = $1 AND created_at >= $2 AND created_at < $3`,
		regionID, from.UnixMilli(), to.UnixMilli()).Scan(&n)
	return n, err
}

// Figures computes every registered figure for a region and period.
func (s *Summaries) Figures(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (map[string]int64, error) {
	s.mu.Lock()
	counters := make(map[string]Counter, len(s.counters))
	for k, c := range s.counters {
		counters[k] = c
	}
	s.mu.Unlock()
	out := make(map[string]int64, len(counters))
	for k, c := range counters {
		n, err := c(ctx, q, regionID, from, to)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

// Job returns the scheduler job that sends the summaries that are due.
func (s *Summaries) Job(every time.Duration) Job {
	return Job{Name: KindDailySummary, Every: every, Run: s.SendDue}
}

// SendDue sends every director whose local time is past the summary hour
// the summary of their previous local day, once per region and day.
func (s *Summaries) SendDue(ctx context.Context, now time.Time) error {
	type follow struct{ director, region, name string }
	var follows []follow
	var zones map[string]*time.Location
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT dr.user_id, dr.region_id, r.name FROM director_regions dr
			JOIN regions r ON r.id = dr.region_id JOIN users u ON u.id = dr.user_id
			WHERE u.role = 'director' AND NOT u.disabled ORDER BY dr.user_id, dr.region_id`)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var f follow
			if err := rows.Scan(&f.director, &f.region, &f.name); err != nil {
				rows.Close()
				return err
			}
			follows = append(follows, f)
			ids = append(ids, f.director)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		zones, err = UserZones(ctx, q, ids)
		return err
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	refresh := s.refresh
	s.mu.Unlock()
	refreshed := map[string]bool{}
	for _, f := range follows {
		local := now.In(zones[f.director])
		if local.Hour() < s.hour {
			continue
		}
		y, m, d := local.Date()
		to := time.Date(y, m, d, 0, 0, 0, 0, local.Location())
		from := time.Date(y, m, d-1, 0, 0, 0, 0, local.Location())
		date := from.Format(time.DateOnly)
		key := KindDailySummary + ":" + f.director + ":" + f.region + ":" + date
		if refresh != nil && !refreshed[f.region] {
			// Once per region and run, and only when a summary of it is
			// still to go: the snapshot is written before the push that
			// points to it.
			sent, err := s.sent(ctx, key)
			if err != nil {
				return err
			}
			if !sent {
				if err := refresh(ctx, f.region, now); err != nil {
					return err
				}
				refreshed[f.region] = true
			}
		}
		err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE dedupe_key = $1`, key).Scan(&n); err != nil || n > 0 {
				return err
			}
			figures, err := s.Figures(ctx, tx, f.region, from, to)
			if err != nil {
				return err
			}
			params := map[string]string{"region": f.name, "region_id": f.region, "date": date}
			for k, v := range figures {
				params[k] = strconv.FormatInt(v, 10)
			}
			_, err = Enqueue(ctx, tx, Notification{UserID: f.director, Kind: KindDailySummary, Params: params, DedupeKey: key})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sent tells whether the summary of a dedupe key was already queued.
func (s *Summaries) sent(ctx context.Context, key string) (bool, error) {
	var n int64
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE dedupe_key = $1`, key).Scan(&n)
	})
	return n > 0, err
}
