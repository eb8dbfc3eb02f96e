package gifts

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Errors of orders the device refuses itself, because the server would
// certainly refuse them. Each is wrapped with the detail for the user.
var (
	ErrUnknownWave     = errors.New("gifts: no such gift wave on this device")
	ErrUnknownItem     = errors.New("gifts: the item is not in the wave's catalog")
	ErrQuantity        = errors.New("gifts: a quantity must be 1 to 100")
	ErrNoItems         = errors.New("gifts: an order needs 1 to 20 items")
	ErrDuplicateItem   = errors.New("gifts: an item is listed twice")
	ErrNotEnoughPoints = errors.New("gifts: not enough points")
	ErrNoAddress       = errors.New("gifts: an order needs a delivery address")
	ErrOrderID         = errors.New("gifts: an order needs a new UUID as its id")
)

// Limits of an order the server enforces (PlaceOrderArgs).
const (
	MaxLines    = 20
	MaxQuantity = 100
)

// Line is one item of an order.
type Line struct {
	ItemID   string
	Quantity int64
}

// PlaceOrder queues an order of a wave's items for delivery to addr and
// shows it at once: a pending order, its points taken off the balance and
// its units off the items' remaining stock. An order certain to fail
// (an item not in the catalog, a bad quantity, more points than the
// balance) is refused with an error naming what is wrong, and nothing is
// queued. Stock is left to the server, which knows the latest: an order
// for more than is left comes back as a rejection (sdk.Replica.Rejections)
// and the order disappears. It returns the new order's id and the
// mutation's id.
func PlaceOrder(ctx context.Context, r *sdk.Replica, waveID string, lines []Line, addr *giftsv1.DeliveryAddress) (orderID string, mutationID int64, err error) {
	args := &giftsv1.PlaceOrderArgs{OrderId: uuid.NewString(), WaveId: waveID, Address: addr}
	for _, l := range lines {
		args.Items = append(args.Items, &giftsv1.PlaceOrderLine{ItemId: l.ItemID, Quantity: l.Quantity})
	}
	id, err := r.MutateProto(ctx, MutationPlaceOrder, args)
	if err != nil {
		return "", 0, err
	}
	return args.OrderId, id, nil
}

// placeOrder is the optimistic side of gift.place_order.
func placeOrder(tx *sdk.LocalTx, a *giftsv1.PlaceOrderArgs) error {
	if err := uuid.Validate(a.GetOrderId()); err != nil {
		return fmt.Errorf("%w (%q)", ErrOrderID, a.GetOrderId())
	}
	if a.GetAddress() == nil {
		return ErrNoAddress
	}
	if n := len(a.GetItems()); n == 0 || n > MaxLines {
		return fmt.Errorf("%w, not %d", ErrNoItems, n)
	}
	wave, ok, err := Waves.GetTx(tx, a.GetWaveId())
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownWave, a.GetWaveId())
	}
	order := &giftsv1.Order{Id: a.GetOrderId(), WaveId: wave.GetId(), WaveTitle: wave.GetTitle(), Address: a.GetAddress()}
	var seen []string
	for i, l := range a.GetItems() {
		if slices.Contains(seen, l.GetItemId()) {
			return fmt.Errorf("%w (items[%d]); order a larger quantity instead", ErrDuplicateItem, i)
		}
		seen = append(seen, l.GetItemId())
		if q := l.GetQuantity(); q < 1 || q > MaxQuantity {
			return fmt.Errorf("%w (items[%d] has %d)", ErrQuantity, i, q)
		}
		id := CatalogID(wave.GetId(), l.GetItemId())
		ci, ok, err := CatalogItems.GetTx(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w (items[%d]: %q in %q)", ErrUnknownItem, i, l.GetItemId(), wave.GetTitle())
		}
		order.Lines = append(order.Lines, &giftsv1.OrderLine{ItemId: l.GetItemId(), Name: ci.GetItem().GetName(), Quantity: l.GetQuantity(), PointsPrice: ci.GetPointsPrice()})
		order.PointsTotal += l.GetQuantity() * ci.GetPointsPrice()
		// What the device shows as left; the server decides.
		ci.Remaining = max(0, ci.GetRemaining()-l.GetQuantity())
		if err := CatalogItems.Put(tx, id, ci); err != nil {
			return err
		}
	}
	bal, err := balanceTx(tx)
	if err != nil {
		return err
	}
	if bal.GetBalance() < order.PointsTotal {
		return fmt.Errorf("%w: you have %d, this order needs %d", ErrNotEnoughPoints, bal.GetBalance(), order.PointsTotal)
	}
	bal.Balance -= order.PointsTotal
	if err := Balances.Put(tx, bal.GetUserId(), bal); err != nil {
		return err
	}
	order.UserId = bal.GetUserId()
	return Orders.Put(tx, order.Id, order)
}

// balanceTx returns the doctor's balance record inside a mutator (its one
// record, whatever its id), pending writes included.
func balanceTx(tx *sdk.LocalTx) (*pointsv1.PointsBalance, error) {
	recs, err := tx.Query(sdk.Query{Collection: Balances.Collection.Name, Limit: 1})
	if err != nil || len(recs) == 0 {
		return &pointsv1.PointsBalance{}, err
	}
	return Balances.Decode(recs[0])
}
