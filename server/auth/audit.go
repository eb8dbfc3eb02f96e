package auth

import (
	"context"

	"github.com/ordinatorhq/ordinator/internal/audit"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// accountAudit records every account decision of staff in the decision's
// transaction. Object ids are accounts (or the region or territory
// created); details are roles, territories, devices, reasons — never a
// password.
var accountAudit = audit.New("account_audit")

// AuditTrail lists the account decisions in [from, to) (unix ms; 0 leaves
// a side open), newest first, at most limit; admins may.
func (s *Service) AuditTrail(ctx context.Context, p syncengine.Principal, from, to int64, limit int) ([]audit.Entry, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []audit.Entry
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		out, err = accountAudit.List(ctx, q, from, to, limit)
		return err
	})
	return out, err
}
