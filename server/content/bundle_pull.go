package content

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Pull fetches a source stack's bundle for this stack periodically and
// imports it.
type Pull struct {
	// URL names the bundle (the source's bundle for this stack, served by
	// any file server); Fetch reads it.
	URL   string
	Fetch func(ctx context.Context, url string) ([]byte, error)
	// Every is how often it is fetched, by one process of the stack.
	Every   time.Duration
	Media   BundleMedia
	Options ImportOptions
}

// PullBundle fetches and imports the bundle if no process of the stack has
// done so in the last p.Every: the process whose conditional update moves
// the source's next pull time forward does it, the others skip (claimed
// false). A failed fetch or import is recorded and returned.
func (s *Service) PullBundle(ctx context.Context, p Pull) (res *Imported, claimed bool, err error) {
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		now := tx.Now().UnixMilli()
		if _, err := tx.Exec(ctx, `INSERT INTO content_bundle_pulls (url, next_at) VALUES ($1, 0) ON CONFLICT (url) DO NOTHING`, p.URL); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `UPDATE content_bundle_pulls SET next_at = $2, checked_at = $3 WHERE url = $1 AND next_at <= $3`,
			p.URL, now+p.Every.Milliseconds(), now)
		claimed = n == 1
		return err
	})
	if err != nil || !claimed {
		return nil, claimed, err
	}
	data, err := p.Fetch(ctx, p.URL)
	if err == nil {
		res, err = s.ImportBundle(ctx, p.Media, data, p.Options)
	}
	outcome := "ok"
	if err != nil {
		outcome = syncengine.ErrorMessage(err)
	}
	if rerr := s.store.Update(context.WithoutCancel(ctx), func(tx syncengine.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE content_bundle_pulls SET outcome = $2 WHERE url = $1`, p.URL, outcome)
		return err
	}); rerr != nil && err == nil {
		err = rerr
	}
	return res, true, err
}

// RunPull pulls every p.Every until ctx ends, checking at a tenth of the
// interval (at most every minute) whether another process has pulled.
func (s *Service) RunPull(ctx context.Context, p Pull) {
	check := min(p.Every/10, time.Minute)
	if check <= 0 {
		check = p.Every
	}
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		res, claimed, err := s.PullBundle(ctx, p)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("pulling the content bundle failed; nothing was imported", "url", p.URL, "err", err)
		case claimed && res != nil && !res.Unchanged:
			s.log.Info("content bundle imported", "source", res.Source, "version", res.Version,
				"added", res.Added, "updated", res.Updated, "kept", res.Kept, "withdrawn", res.Withdrawn)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
