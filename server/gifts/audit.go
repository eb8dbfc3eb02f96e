package gifts

import (
	"context"

	"github.com/ordinatorhq/ordinator/internal/audit"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// giftAudit records every gift-wave decision of staff in the decision's
// transaction. Object ids are waves, items and shipments; details are
// titles, shipment numbers and tracking numbers, never an address.
var giftAudit = audit.New("gift_audit")

// AuditTrail lists the gift-wave decisions in [from, to) (unix ms; 0 leaves
// a side open), newest first, at most limit; admins may.
func (s *Service) AuditTrail(ctx context.Context, p syncengine.Principal, from, to int64, limit int) ([]audit.Entry, error) {
	if err := auth.Require(p, auth.RoleAdmin); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []audit.Entry
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		out, err = giftAudit.List(ctx, q, from, to, limit)
		return err
	})
	return out, err
}
