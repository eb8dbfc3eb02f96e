package gifts

import (
	"context"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// GetWave returns a wave with the items it offers, by SKU; moderators and
// admins only.
func (s *Service) GetWave(ctx context.Context, p syncengine.Principal, id string) (Wave, []WaveItem, error) {
	if err := requireStaff(p); err != nil {
		return Wave{}, nil, err
	}
	var w Wave
	var items []WaveItem
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		if w, err = FindWave(ctx, q, id); err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT `+itemColumns+`, `+waveItemColumns+` FROM gift_wave_items wi JOIN gift_items i ON i.id = wi.item_id
			WHERE wi.wave_id = $1 ORDER BY i.sku`, id)
		if err != nil {
			return err
		}
		items, err = sqlq.Collect(rows, scanWaveItem)
		return err
	})
	return w, items, err
}

// GetShipment returns a shipment by id or number, with its orders (their
// lines and addresses) for the packing list; moderators and admins only.
func (s *Service) GetShipment(ctx context.Context, p syncengine.Principal, ref string) (*giftsv1.Shipment, []*giftsv1.Order, error) {
	if err := requireStaff(p); err != nil {
		return nil, nil, err
	}
	var sh *giftsv1.Shipment
	var orders []*giftsv1.Order
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		if sh, err = findShipment(ctx, q, ref); err != nil {
			return err
		}
		for _, id := range sh.OrderIds {
			o, err := LoadOrder(ctx, q, id)
			if err != nil {
				return err
			}
			orders = append(orders, o)
		}
		return nil
	})
	return sh, orders, err
}
