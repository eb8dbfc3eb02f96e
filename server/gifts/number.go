package gifts

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// nextNumber takes the next value of a counter ("order" or "shipment"):
// a sequence on PostgreSQL, so concurrent orders never wait on a counter
// row (a rejected order may leave a gap), and a counter row on SQLite,
// whose writers take turns anyway.
func nextNumber(ctx context.Context, tx syncengine.Tx, counter string) (int64, error) {
	var n int64
	var err error
	if tx.Dialect() == syncengine.Postgres {
		err = tx.QueryRow(ctx, `SELECT nextval('gift_`+counter+`_numbers')`).Scan(&n)
	} else {
		err = tx.QueryRow(ctx, `UPDATE gift_counters SET value = value + 1 WHERE name = $1 RETURNING value`, counter).Scan(&n)
	}
	return n, err
}

// orderNumberSQL returns the SQL expression that numbers a new order, as
// parameter $arg with its value: on PostgreSQL the expression takes the
// number from the sequence inside the INSERT itself, saving a round trip.
func orderNumberSQL(ctx context.Context, tx syncengine.Tx, region string, arg int) (string, any, error) {
	p := "$" + strconv.Itoa(arg)
	if tx.Dialect() == syncengine.Postgres {
		return p + ` || '-' || lpad(CAST(nextval('gift_order_numbers') AS TEXT), 6, '0')`, strings.ToUpper(region), nil
	}
	n, err := nextNumber(ctx, tx, "order")
	return p, orderNumber(region, n), err
}

func orderNumber(region string, n int64) string {
	return fmt.Sprintf("%s-%06d", strings.ToUpper(region), n)
}

func shipmentNumber(n int64) string { return fmt.Sprintf("S-%06d", n) }
