package sdk

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
)

// maxMismatchRounds bounds how many times in a row a download may end on a
// checksum mismatch before the loop reports an error and backs off.
const maxMismatchRounds = 3

// pull downloads until a checkpoint is applied. Pages are applied as they
// come (durably, so a crash resumes where it stopped) and the next page is
// fetched while the current one is written. A checkpoint whose checksums
// disagree starts those buckets over at once.
func (r *Replica) pull(ctx context.Context) error {
	for round := 1; ; round++ {
		mismatched, err := r.pullRound(ctx)
		if err != nil {
			return err
		}
		if len(mismatched) == 0 {
			return nil
		}
		if round >= maxMismatchRounds {
			return fmt.Errorf("sdk: checksums still disagree after %d downloads of %v", round, mismatched)
		}
	}
}

type fetched struct {
	page *syncv1.PullResponse
	err  error
}

func (r *Replica) pullRound(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cursors, err := r.cursors(ctx)
	if err != nil {
		return nil, err
	}
	next := r.fetch(ctx, cursors, true)
	var done, total int64
	for {
		f := <-next
		if f.err != nil {
			return nil, f.err
		}
		page := f.page
		if page.GetHasMore() && page.GetCheckpoint() == nil {
			// After this page the cursors are exactly the page's: ask for
			// the next one while this one is written.
			next = r.fetch(ctx, page.GetCursors(), false)
		}
		if done == 0 && total == 0 {
			total = page.GetRemaining()
		}
		done += int64(len(page.GetChanges()))
		total = max(total, done)
		var res pageResult
		err := r.db.update(ctx, func(tx *wtx) error {
			if err := r.pinCountry(tx, page.GetServerCountry()); err != nil {
				return err
			}
			var err error
			res, err = r.applyPage(tx, page)
			return err
		})
		if err != nil {
			return nil, r.wrap(err)
		}
		r.status.update(func(s *Status) {
			s.Online = true
			s.RowsDone, s.RowsTotal = done, total
		})
		if res.checkpoint {
			if len(res.mismatched) == 0 {
				r.settled(res.settle)
			}
			return res.mismatched, nil
		}
		if !page.GetHasMore() {
			return nil, fmt.Errorf("sdk: the server ended a pull without a checkpoint")
		}
	}
}

// fetch asks for one page in the background.
func (r *Replica) fetch(ctx context.Context, cursors []*syncv1.BucketCursor, estimate bool) <-chan fetched {
	out := make(chan fetched, 1)
	req := &syncv1.PullRequest{
		ClientId:            r.clientID,
		ClientSchemaVersion: r.opts.ClientSchemaVersion,
		Cursors:             cursors,
		MaxRows:             int32(r.opts.PageRows),
		MaxBytes:            int64(r.opts.PageBytes),
		EstimateRemaining:   estimate,
		ReplicaCountry:      r.Country(),
	}
	go func() {
		var page *syncv1.PullResponse
		err := r.api.call(ctx, func(ctx context.Context) error {
			res, err := r.api.sync.Pull(ctx, connect.NewRequest(req))
			if err == nil {
				page = res.Msg
			}
			return err
		})
		if err != nil {
			err = fmt.Errorf("pull: %w", err)
		}
		out <- fetched{page, err}
	}()
	return out
}

// cursors reads the cursor of every bucket the replica holds.
func (r *Replica) cursors(ctx context.Context) ([]*syncv1.BucketCursor, error) {
	rows, err := r.db.r.QueryContext(ctx, `SELECT bucket, after, from_zero FROM sdk_buckets ORDER BY bucket`)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer rows.Close()
	var out []*syncv1.BucketCursor
	for rows.Next() {
		c := &syncv1.BucketCursor{}
		if err := rows.Scan(&c.Bucket, &c.After, &c.FromZero); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
