package points

import (
	"context"

	"connectrpc.com/connect"

	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/points/v1/pointsv1connect"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/rpc"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Handler serves PointsService.
type Handler struct {
	store syncengine.Store
}

var _ pointsv1connect.PointsServiceHandler = (*Handler)(nil)

// NewHandler returns the handler.
func NewHandler(store syncengine.Store) *Handler { return &Handler{store: store} }

// Adjust credits or debits a doctor's points by an admin's decision.
func Adjust(ctx context.Context, store syncengine.Store, p syncengine.Principal, userID string, amount int64, reason, requestID string) (Posted, error) {
	if err := auth.Require(p, auth.RoleAdmin); err != nil {
		return Posted{}, err
	}
	var out Posted
	err := store.Update(ctx, func(tx syncengine.Tx) error {
		u, err := auth.FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Role != auth.RoleDoctor {
			return syncengine.Errorf(syncengine.EPRECONDITION, "only doctors have points; %s is a %s", userID, u.Role)
		}
		out, err = Post(ctx, tx, Entry{UserID: userID, Amount: amount, Source: SourceAdjustment, SourceID: requestID, Reason: reason, ActorID: p.UserID})
		return err
	})
	return out, err
}

// AdjustPoints implements pointsv1connect.PointsServiceHandler.
func (h *Handler) AdjustPoints(ctx context.Context, req *connect.Request[pointsv1.AdjustPointsRequest]) (*connect.Response[pointsv1.AdjustPointsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	posted, err := Adjust(ctx, h.store, p, m.UserId, m.Amount, m.Reason, m.RequestId)
	if err != nil {
		return nil, err
	}
	e := posted.Entry
	return connect.NewResponse(&pointsv1.AdjustPointsResponse{
		Entry:   &pointsv1.PointsEntry{Id: e.ID, UserId: e.UserID, Amount: e.Amount, Source: e.Source, SourceId: e.SourceID, Reason: e.Reason, BalanceAfter: posted.Balance},
		Balance: &pointsv1.PointsBalance{UserId: e.UserID, Balance: posted.Balance},
	}), nil
}
