package content

import (
	"context"
	"strings"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Filter selects items to list; zero fields match all.
type Filter struct {
	Kind      contentv1.ItemKind
	Specialty string
	RegionID  string
	State     contentv1.ItemState
	// PageSize bounds the page (default 100, at most 500); PageToken
	// continues after a previous page.
	PageSize  int
	PageToken string
}

// ListItems lists items without their bodies, most recently changed first;
// moderators and admins only. It returns the token of the next page, or ""
// after the last.
func (s *Service) ListItems(ctx context.Context, p syncengine.Principal, f Filter) ([]*contentv1.EditorItem, string, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, "", err
	}
	size := f.PageSize
	if size <= 0 {
		size = 100
	}
	size = min(size, 500)
	var afterAt int64
	var afterID string
	if f.PageToken != "" {
		at, id, ok := strings.Cut(f.PageToken, "/")
		n, err := parseInt(at)
		if !ok || err != nil {
			return nil, "", syncengine.Invalid("invalid list", syncengine.Violation{Field: "page_token", Description: "is not a token this server gave"})
		}
		afterAt, afterID = n, id
	}
	now := s.now()
	var out []*contentv1.EditorItem
	next := ""
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		query := `SELECT ` + rowColumns + ` FROM content_items i WHERE ($1 = '' OR kind = $1)
			AND ($2 = '' OR EXISTS (SELECT 1 FROM content_targets t WHERE t.item_id = i.id AND t.specialty = $2))
			AND ($3 = '' OR EXISTS (SELECT 1 FROM content_targets t WHERE t.item_id = i.id AND t.region_id = $3))
			AND ($4 = '' OR updated_at < $5 OR (updated_at = $5 AND id > $4))
			ORDER BY updated_at DESC, id`
		kind := ""
		if f.Kind != contentv1.ItemKind_ITEM_KIND_UNSPECIFIED {
			kind = kindName(f.Kind)
		}
		rows, err := q.Query(ctx, query, kind, f.Specialty, f.RegionID, afterID, afterAt)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				return err
			}
			if f.State != contentv1.ItemState_ITEM_STATE_UNSPECIFIED && r.state(now) != f.State {
				continue
			}
			if len(out) == size {
				last := out[len(out)-1]
				next = itoa(last.Status.UpdatedAtUnixMs) + "/" + last.Item.Id
				break
			}
			r.item.Body = nil
			out = append(out, r.editorItem(now))
		}
		return rows.Err()
	})
	return out, next, err
}
