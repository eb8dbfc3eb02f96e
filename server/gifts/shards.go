package gifts

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// stockShards is how many rows a wave item's allocation is split into. A
// row an order takes from stays locked until its transaction commits; with
// one row, every order for a popular item would wait for the one before it
// to commit. With shards, orders for one item take from different rows and
// wait only where every transaction does, at the change log.
const stockShards = 256

// take is units an order took from one shard.
type take struct {
	shard int64
	qty   int64
}

// allocate grows a wave item's allocation across its shards (creating
// them the first time), spreading the units evenly, in one statement.
func allocate(ctx context.Context, tx syncengine.Tx, waveID, itemID string, units int64) error {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO gift_stock_shards (wave_id, item_id, shard, allocated) VALUES `)
	args := []any{waveID, itemID}
	for i := int64(0); i < stockShards; i++ {
		n := units / stockShards
		if i < units%stockShards {
			n++
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		args = append(args, i, n)
		fmt.Fprintf(&sb, "($1, $2, $%d, $%d)", len(args)-1, len(args))
	}
	sb.WriteString(` ON CONFLICT (wave_id, item_id, shard) DO UPDATE SET allocated = gift_stock_shards.allocated + excluded.allocated`)
	_, err := tx.Exec(ctx, sb.String(), args...)
	return err
}

// deallocate shrinks a wave item's allocation by units, from what its
// shards have not handed out. It reports false if orders hold too much
// for that; the caller then fails its transaction, undoing what was done.
func deallocate(ctx context.Context, tx syncengine.Tx, waveID, itemID string, units int64) (bool, error) {
	for attempt := 0; attempt < 4 && units > 0; attempt++ {
		free, err := shardFree(ctx, tx, waveID, itemID)
		if err != nil {
			return false, err
		}
		for shard, f := range free {
			if f <= 0 || units == 0 {
				continue
			}
			x := min(f, units)
			n, err := tx.Exec(ctx, `UPDATE gift_stock_shards SET allocated = allocated - $1
				WHERE wave_id = $2 AND item_id = $3 AND shard = $4 AND allocated - $1 >= ordered`, x, waveID, itemID, int64(shard))
			if err != nil {
				return false, err
			}
			if n == 1 {
				units -= x
			}
		}
	}
	return units == 0, nil
}

// shardFree returns the units each shard still has, by shard.
func shardFree(ctx context.Context, q syncengine.Querier, waveID, itemID string) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT shard, allocated - ordered FROM gift_stock_shards WHERE wave_id = $1 AND item_id = $2 ORDER BY shard`, waveID, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	free := make([]int64, stockShards)
	for rows.Next() {
		var shard, f int64
		if err := rows.Scan(&shard, &f); err != nil {
			return nil, err
		}
		if shard >= 0 && shard < stockShards {
			free[shard] = f
		}
	}
	return free, rows.Err()
}

// stockTake takes need units of a wave item for an order, starting at the
// shard the device's client id hashes to (so the orders of one push hold
// one shard, not several in an order another push may cross) and moving
// on while shards run dry. Each take is one conditional UPDATE that hands
// out at most what the shard has, so no interleaving of orders can take
// more than is allocated; in the common case it is the only statement. It
// reports the takes, how many units it could not find (the caller rejects
// the order then, and its savepoint undoes the takes), and whether it
// emptied a shard.
//
// Moving on takes shards in ascending order from the preferred one and
// wraps around at the end, so transactions can only wait on each other's
// shards in a cycle when one of them wraps, as stock runs out; PostgreSQL
// then breaks the deadlock and the engine retries the push.
//
// Its first take is queued (syncengine.Tx.QueueScan), to travel with the
// order's other statements (beginTake); finish waits for it and moves on.
type stockTake struct {
	tx             syncengine.Tx
	waveID, itemID string
	first, need    int64
	got, left      int64
	wait           func() error
}

const takeSQL = `UPDATE gift_stock_shards
	SET last_take = CASE WHEN allocated - ordered < $1 THEN allocated - ordered ELSE $1 END,
		ordered = ordered + CASE WHEN allocated - ordered < $1 THEN allocated - ordered ELSE $1 END
	WHERE wave_id = $2 AND item_id = $3 AND shard = $4 AND ordered < allocated RETURNING last_take, allocated - ordered`

// beginTake queues the take from the shard the device's client id hashes
// to.
func beginTake(ctx context.Context, tx syncengine.Tx, waveID, itemID, clientID string, need int64) *stockTake {
	h := fnv.New32a()
	h.Write([]byte(clientID))
	t := &stockTake{tx: tx, waveID: waveID, itemID: itemID, first: int64(h.Sum32() % stockShards), need: need}
	t.wait = tx.QueueScan(ctx, []any{&t.got, &t.left}, takeSQL, need, waveID, itemID, t.first)
	return t
}

func (t *stockTake) finish(ctx context.Context) (takes []take, short int64, emptied bool, err error) {
	need := t.need
	took := func(shard int64, err error) error {
		if err != nil {
			return ignoreNoRows(err) // empty, or emptied by another order meanwhile
		}
		takes = append(takes, take{shard: shard, qty: t.got})
		need -= t.got
		emptied = emptied || t.left == 0
		return nil
	}
	if err := took(t.first, t.wait()); err != nil || need == 0 {
		return takes, need, emptied, err
	}
	free, err := shardFree(ctx, t.tx, t.waveID, t.itemID)
	if err != nil {
		return nil, need, emptied, err
	}
	for i := int64(1); i < stockShards && need > 0; i++ {
		if shard := (t.first + i) % stockShards; free[shard] > 0 {
			err := t.tx.QueryRow(ctx, takeSQL, need, t.waveID, t.itemID, shard).Scan(&t.got, &t.left)
			if err := took(shard, err); err != nil {
				return nil, need, emptied, err
			}
		}
	}
	return takes, need, emptied, nil
}

// returnStock puts a cancelled order's units back into the shards they
// came from.
func returnStock(ctx context.Context, tx syncengine.Tx, waveID, orderID string) error {
	rows, err := tx.Query(ctx, `SELECT item_id, shard, quantity FROM gift_order_lines WHERE order_id = $1 ORDER BY item_id, shard`, orderID)
	if err != nil {
		return err
	}
	type back struct {
		item       string
		shard, qty int64
	}
	backs, err := sqlq.Collect(rows, func(r syncengine.Row) (b back, err error) {
		err = r.Scan(&b.item, &b.shard, &b.qty)
		return b, err
	})
	if err != nil {
		return err
	}
	for _, b := range backs {
		if _, err := tx.Exec(ctx, `UPDATE gift_stock_shards SET ordered = ordered - $1 WHERE wave_id = $2 AND item_id = $3 AND shard = $4`,
			b.qty, waveID, b.item, b.shard); err != nil {
			return err
		}
	}
	return nil
}

// orderedSQL sums the units a wave item's shards have handed out, for a
// query over gift_wave_items wi.
const orderedSQL = `CAST(COALESCE((SELECT SUM(s.ordered) FROM gift_stock_shards s WHERE s.wave_id = wi.wave_id AND s.item_id = wi.item_id), 0) AS BIGINT)`
