package probase

import (
	"context"
	"slices"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// reachDoctor reads a doctor the caller acts on (locked, to write it),
// once it is known they may: a rep a doctor of their territories, a doctor
// their own record. Whoever may not gets one answer whether the doctor
// exists or not, naming only the id they sent.
func reachDoctor(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, id string, lock bool) (*probasev1.Doctor, fields.Values, error) {
	var denied *syncengine.Error
	var may func(*probasev1.Doctor) bool
	switch auth.ClaimsOf(p).Role {
	case auth.RoleRep:
		ts, err := auth.RepTerritories(ctx, tx, p.UserID)
		if err != nil {
			return nil, nil, err
		}
		denied = syncengine.Errorf(syncengine.EPERMISSION, "doctor %s is not in your territories", id)
		may = func(d *probasev1.Doctor) bool { return slices.Contains(ts, d.TerritoryId) }
	case auth.RoleDoctor:
		denied = syncengine.Errorf(syncengine.EPERMISSION, "you may change only your own record")
		may = func(d *probasev1.Doctor) bool { return d.UserId == p.UserID }
	default:
		return nil, nil, syncengine.Errorf(syncengine.EPERMISSION, "doctors' data is edited by their representatives and by the doctors themselves")
	}
	clause := ""
	if lock {
		clause = tx.Dialect().LockRows()
	}
	d, v, err := readDoctor(ctx, tx, id, clause)
	if syncengine.ErrorCode(err) == syncengine.ENOTFOUND || err == nil && !may(d) {
		return nil, nil, denied
	}
	return d, v, err
}
