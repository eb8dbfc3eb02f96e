package console

import (
	"net/http"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/server/gifts"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The catalog and the warehouse: every item with its stock, a new item,
// an item's movements and a new one (receipt, return, write-off).

type stockRow struct {
	*giftsv1.Stock
	Kind string
}

type stockPage struct {
	Rows    []stockRow
	Kinds   []option
	Refusal *refusal
}

func (c *Console) stockPage(q *request) error { return c.renderStock(q, http.StatusOK, nil) }

func (c *Console) renderStock(q *request, status int, ref *refusal) error {
	stock, err := c.cfg.Gifts.StockReport(q.r.Context(), q.p)
	if err != nil {
		return err
	}
	pg := &stockPage{Refusal: ref}
	for _, st := range stock {
		pg.Rows = append(pg.Rows, stockRow{Stock: st, Kind: kindKey(st.Item.Kind)})
	}
	kind := ref.Value("kind", "product")
	for _, k := range []string{"product", "device", "merch"} {
		pg.Kinds = append(pg.Kinds, option{Value: k, Label: q.mustText("gifts.kind." + k), Selected: k == kind})
	}
	q.render(status, "gifts/stock", pg)
	return nil
}

// createItem adds an item to the catalog, as CreateItem does for the RPC
// (a kind it cannot read is left unset, for the service to refuse).
func (c *Console) createItem(q *request) error {
	kind, _ := gifts.ParseKind(q.r.PostFormValue("kind"))
	it, err := c.cfg.Gifts.CreateItem(q.r.Context(), q.p, gifts.Item{SKU: q.r.PostFormValue("sku"), Name: q.r.PostFormValue("name"),
		Description: q.r.PostFormValue("description"), Kind: kind})
	if err == nil {
		q.redirect(Prefix + "gifts/items/" + it.ID)
		return nil
	}
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	return c.renderStock(q, status, ref)
}

type movementRow struct {
	gifts.Movement
	Actor, Wave string
}

type itemPage struct {
	Stock     *giftsv1.Stock
	Kind      string
	Movements []movementRow
	Kinds     []option
	RequestID string
	Refusal   *refusal
}

func (c *Console) itemPage(q *request) error { return c.renderItem(q, http.StatusOK, nil) }

func (c *Console) renderItem(q *request, status int, ref *refusal) error {
	ctx, id := q.r.Context(), q.r.PathValue("id")
	ms, err := c.cfg.Gifts.ListMovements(ctx, q.p, id, "", 200)
	if err != nil {
		return err
	}
	stock, err := c.cfg.Gifts.StockReport(ctx, q.p)
	if err != nil {
		return err
	}
	pg := &itemPage{Refusal: ref, RequestID: newRequestID()}
	for _, st := range stock {
		if st.Item.Id == id {
			pg.Stock, pg.Kind = st, kindKey(st.Item.Kind)
		}
	}
	if pg.Stock == nil {
		return syncengine.Errorf(syncengine.ENOTFOUND, "no item %s", id)
	}
	waves, err := c.cfg.Gifts.ListWaves(ctx, q.p, "")
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, w := range waves {
		titles[w.ID] = w.Title
	}
	var actors []string
	for _, m := range ms {
		actors = append(actors, m.ActorID)
	}
	names, err := c.cfg.Accounts.DisplayNames(ctx, q.p, actors)
	if err != nil {
		return err
	}
	for _, m := range ms {
		pg.Movements = append(pg.Movements, movementRow{Movement: m, Actor: names[m.ActorID], Wave: titles[m.WaveID]})
	}
	kind := ref.Value("kind", gifts.MoveReceipt)
	for _, k := range []string{gifts.MoveReceipt, gifts.MoveReturn, gifts.MoveWriteOff} {
		pg.Kinds = append(pg.Kinds, option{Value: k, Label: q.mustText("gifts.move." + k), Selected: k == kind})
	}
	q.render(status, "gifts/item", pg)
	return nil
}

// recordMovement records goods received, returned or written off, with the
// form's request id so sending it twice records once.
func (c *Console) recordMovement(q *request) error {
	id := q.r.PathValue("id")
	var bad []syncengine.Violation
	qty := formInt(q, "quantity", "quantity", &bad)
	var err error
	if len(bad) > 0 {
		err = syncengine.Invalid("the movement cannot be recorded", bad...)
	} else {
		_, err = c.cfg.Gifts.RecordMovement(q.r.Context(), q.p, gifts.NewMovement{Item: id, Kind: q.r.PostFormValue("kind"), Quantity: qty,
			Note: q.r.PostFormValue("note"), RequestID: q.r.PostFormValue("request_id")})
		if err == nil {
			q.redirect(Prefix + "gifts/items/" + id)
			return nil
		}
	}
	ref, status, ok := q.refusalOf(err)
	if !ok {
		return err
	}
	return c.renderItem(q, status, ref)
}
