package gifts

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Item is an item of the catalog and the warehouse.
type Item struct {
	ID          string
	SKU         string
	Name        string
	Description string
	Kind        giftsv1.GiftKind
}

var kindNames = map[giftsv1.GiftKind]string{
	giftsv1.GiftKind_GIFT_KIND_PRODUCT: "product",
	giftsv1.GiftKind_GIFT_KIND_DEVICE:  "device",
	giftsv1.GiftKind_GIFT_KIND_MERCH:   "merch",
}

func kindFromName(s string) giftsv1.GiftKind {
	for k, n := range kindNames {
		if n == s {
			return k
		}
	}
	return giftsv1.GiftKind_GIFT_KIND_UNSPECIFIED
}

// ParseKind reads an item kind by name (product, device, merch).
func ParseKind(s string) (giftsv1.GiftKind, bool) {
	k := kindFromName(strings.ToLower(strings.TrimSpace(s)))
	return k, k != giftsv1.GiftKind_GIFT_KIND_UNSPECIFIED
}

// Proto encodes an item for the wire.
func (it Item) Proto() *giftsv1.Item {
	return &giftsv1.Item{Id: it.ID, Sku: it.SKU, Name: it.Name, Description: it.Description, Kind: it.Kind}
}

var skuPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// requireStaff lets moderators and admins run waves and the warehouse.
func requireStaff(p syncengine.Principal) error { return auth.Require(p, auth.RoleModerator) }

// CreateItem adds an item to the catalog with an empty stock line.
func (s *Service) CreateItem(ctx context.Context, p syncengine.Principal, it Item) (Item, error) {
	if err := requireStaff(p); err != nil {
		return it, err
	}
	it.SKU, it.Name, it.Description = strings.ToUpper(strings.TrimSpace(it.SKU)), strings.TrimSpace(it.Name), strings.TrimSpace(it.Description)
	var v []syncengine.Violation
	if !skuPattern.MatchString(it.SKU) {
		v = append(v, syncengine.Violation{Field: "sku", Description: "use 1-64 letters, digits, dots, dashes and underscores"})
	}
	if it.Name == "" || len([]rune(it.Name)) > 200 {
		v = append(v, syncengine.Violation{Field: "name", Description: "is required (at most 200 characters)"})
	}
	if len([]rune(it.Description)) > 2000 {
		v = append(v, syncengine.Violation{Field: "description", Description: "at most 2000 characters"})
	}
	if _, ok := kindNames[it.Kind]; !ok {
		v = append(v, syncengine.Violation{Field: "kind", Description: "must be product, device or merch"})
	}
	if len(v) > 0 {
		return it, syncengine.Invalid("the item cannot be created", v...)
	}
	it.ID = uuid.NewString()
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		now := tx.Now().UnixMilli()
		n, err := tx.Exec(ctx, `INSERT INTO gift_items (id, sku, name, description, kind, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (sku) DO NOTHING`, it.ID, it.SKU, it.Name, it.Description, kindNames[it.Kind], now)
		if err != nil {
			return err
		}
		if n == 0 {
			return &syncengine.Error{Code: syncengine.ECONFLICT, Message: "an item with SKU " + it.SKU + " already exists",
				Violations: []syncengine.Violation{{Field: "sku", Description: "is taken"}}}
		}
		if _, err = tx.Exec(ctx, `INSERT INTO gift_stock (item_id, on_hand, reserved, updated_at) VALUES ($1, 0, 0, $2)`, it.ID, now); err != nil {
			return err
		}
		return giftAudit.Record(ctx, tx, p, "item.created", it.ID, it.SKU)
	})
	return it, err
}

// ListItems lists the catalog by SKU.
func (s *Service) ListItems(ctx context.Context, p syncengine.Principal) ([]Item, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	var out []Item
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+itemColumns+` FROM gift_items i ORDER BY i.sku`)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (Item, error) { return scanItem(r) })
		return err
	})
	return out, err
}

const itemColumns = `i.id, i.sku, i.name, i.description, i.kind`

func scanItem(row syncengine.Row, more ...any) (Item, error) {
	var it Item
	var kind string
	err := row.Scan(append([]any{&it.ID, &it.SKU, &it.Name, &it.Description, &kind}, more...)...)
	it.Kind = kindFromName(kind)
	return it, err
}

// FindItem returns an item by id or SKU (SKUs are kept in upper case).
func FindItem(ctx context.Context, q syncengine.Querier, ref string) (Item, error) {
	it, err := scanItem(q.QueryRow(ctx, `SELECT `+itemColumns+` FROM gift_items i WHERE i.id = $1 OR i.sku = $2`, ref, strings.ToUpper(strings.TrimSpace(ref))))
	if errors.Is(err, sql.ErrNoRows) {
		return it, &syncengine.Error{Code: syncengine.ENOTFOUND, Message: "no item " + ref,
			Violations: []syncengine.Violation{{Field: "item", Description: "no item with this id or SKU"}}}
	}
	return it, err
}
