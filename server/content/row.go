package content

import (
	"context"
	"database/sql"
	"errors"

	"google.golang.org/protobuf/proto"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// row is an item as stored: the item itself (sources included) and its
// publishing state.
type row struct {
	item             *contentv1.Item
	published        bool
	publishedAt      int64
	firstPublishedAt int64
	placed           bool // in its audience's buckets now
	nextCheckAt      int64
	createdBy        string
	updatedBy        string
	createdAt        int64
	updatedAt        int64
}

const rowColumns = `payload, published, published_at, first_published_at, placed, next_check_at, created_by, updated_by, created_at, updated_at`

func scanRow(r syncengine.Row) (*row, error) {
	var x row
	var payload []byte
	if err := r.Scan(&payload, &x.published, &x.publishedAt, &x.firstPublishedAt, &x.placed, &x.nextCheckAt,
		&x.createdBy, &x.updatedBy, &x.createdAt, &x.updatedAt); err != nil {
		return nil, err
	}
	x.item = &contentv1.Item{}
	if err := proto.Unmarshal(payload, x.item); err != nil {
		return nil, err
	}
	return &x, nil
}

func notFound(id string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return syncengine.Errorf(syncengine.ENOTFOUND, "no content item %s", id)
	}
	return err
}

// loadItem reads an item.
func loadItem(ctx context.Context, q syncengine.Querier, id string) (*row, error) {
	r, err := scanRow(q.QueryRow(ctx, `SELECT `+rowColumns+` FROM content_items WHERE id = $1`, id))
	return r, notFound(id, err)
}

// lockItem reads an item for a write: bumping its rev takes the row lock on
// PostgreSQL (a portable SELECT ... FOR UPDATE) and returns the latest
// committed state; SQLite runs one writer at a time anyway.
func lockItem(ctx context.Context, tx syncengine.Tx, id string) (*row, error) {
	r, err := scanRow(tx.QueryRow(ctx, `UPDATE content_items SET rev = rev + 1 WHERE id = $1 RETURNING `+rowColumns, id))
	return r, notFound(id, err)
}

// insertItem stores a new item at version 1 and reports whether the id was
// free.
func insertItem(ctx context.Context, tx syncengine.Tx, r *row) (bool, error) {
	payload, err := proto.Marshal(r.item)
	if err != nil {
		return false, err
	}
	it := r.item
	n, err := tx.Exec(ctx, `INSERT INTO content_items (id, kind, version, title, public, starts_at, ends_at, payload, created_by, updated_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $10) ON CONFLICT (id) DO NOTHING`,
		it.Id, kindName(it.Kind), it.Version, it.Title, it.Public, it.StartsAtUnixMs, it.EndsAtUnixMs, payload, r.createdBy, r.createdAt)
	if err != nil || n == 0 {
		return false, err
	}
	return true, saveVersion(ctx, tx, r)
}

// saveItem writes a locked item's state back; with newVersion the item's
// content changed, and its targets and version history follow.
func saveItem(ctx context.Context, tx syncengine.Tx, r *row, newVersion bool) error {
	payload, err := proto.Marshal(r.item)
	if err != nil {
		return err
	}
	it := r.item
	if _, err := tx.Exec(ctx, `UPDATE content_items SET kind = $2, version = $3, title = $4, public = $5, starts_at = $6, ends_at = $7,
		published = $8, published_at = $9, first_published_at = $10, placed = $11, next_check_at = $12, payload = $13, updated_by = $14, updated_at = $15
		WHERE id = $1`,
		it.Id, kindName(it.Kind), it.Version, it.Title, it.Public, it.StartsAtUnixMs, it.EndsAtUnixMs,
		r.published, r.publishedAt, r.firstPublishedAt, r.placed, r.nextCheckAt, payload, r.updatedBy, r.updatedAt); err != nil {
		return err
	}
	if !newVersion {
		return nil
	}
	return saveVersion(ctx, tx, r)
}

func saveVersion(ctx context.Context, tx syncengine.Tx, r *row) error {
	it := r.item
	if _, err := tx.Exec(ctx, `DELETE FROM content_targets WHERE item_id = $1`, it.Id); err != nil {
		return err
	}
	for _, s := range it.Specialties {
		for _, reg := range it.RegionIds {
			if _, err := tx.Exec(ctx, `INSERT INTO content_targets (item_id, specialty, region_id) VALUES ($1, $2, $3)`, it.Id, s, reg); err != nil {
				return err
			}
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO content_versions (item_id, version, payload, created_at) VALUES ($1, $2, $3, $4)`,
		it.Id, it.Version, devicePayload(it), r.updatedAt)
	return err
}

// status is the editors' view of a row's state at now.
func (r *row) status(now int64) *contentv1.ItemStatus {
	return &contentv1.ItemStatus{
		State:                  r.state(now),
		CreatedBy:              r.createdBy,
		UpdatedBy:              r.updatedBy,
		CreatedAtUnixMs:        r.createdAt,
		UpdatedAtUnixMs:        r.updatedAt,
		FirstPublishedAtUnixMs: r.firstPublishedAt,
	}
}

func (r *row) state(now int64) contentv1.ItemState {
	it := r.item
	switch {
	case !r.published && r.firstPublishedAt == 0:
		return contentv1.ItemState_ITEM_STATE_DRAFT
	case !r.published:
		return contentv1.ItemState_ITEM_STATE_UNPUBLISHED
	case now < it.StartsAtUnixMs:
		return contentv1.ItemState_ITEM_STATE_SCHEDULED
	case it.EndsAtUnixMs != 0 && now >= it.EndsAtUnixMs:
		return contentv1.ItemState_ITEM_STATE_ENDED
	}
	return contentv1.ItemState_ITEM_STATE_LIVE
}

func (r *row) editorItem(now int64) *contentv1.EditorItem {
	return &contentv1.EditorItem{Item: r.item, Status: r.status(now)}
}
