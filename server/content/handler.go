package content

import (
	"context"

	"connectrpc.com/connect"

	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/content/v1/contentv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler serves ContentService.
type Handler struct {
	s *Service
}

var _ contentv1connect.ContentServiceHandler = (*Handler)(nil)

// NewHandler returns the Connect handler of the service.
func NewHandler(s *Service) *Handler { return &Handler{s: s} }

func (h *Handler) CreateItem(ctx context.Context, req *connect.Request[contentv1.CreateItemRequest]) (*connect.Response[contentv1.CreateItemResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	it, err := h.s.CreateItem(ctx, p, req.Msg.Item)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&contentv1.CreateItemResponse{Item: it}), nil
}

func (h *Handler) UpdateItem(ctx context.Context, req *connect.Request[contentv1.UpdateItemRequest]) (*connect.Response[contentv1.UpdateItemResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	it, err := h.s.UpdateItem(ctx, p, req.Msg.Item, req.Msg.ExpectedVersion)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&contentv1.UpdateItemResponse{Item: it}), nil
}

func (h *Handler) PublishItem(ctx context.Context, req *connect.Request[contentv1.PublishItemRequest]) (*connect.Response[contentv1.PublishItemResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	it, err := h.s.PublishItem(ctx, p, req.Msg.Id)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&contentv1.PublishItemResponse{Item: it}), nil
}

func (h *Handler) UnpublishItem(ctx context.Context, req *connect.Request[contentv1.UnpublishItemRequest]) (*connect.Response[contentv1.UnpublishItemResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	it, err := h.s.UnpublishItem(ctx, p, req.Msg.Id)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&contentv1.UnpublishItemResponse{Item: it}), nil
}

func (h *Handler) GetItem(ctx context.Context, req *connect.Request[contentv1.GetItemRequest]) (*connect.Response[contentv1.GetItemResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	it, err := h.s.GetItem(ctx, p, req.Msg.Id)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&contentv1.GetItemResponse{Item: it}), nil
}

func (h *Handler) ListItems(ctx context.Context, req *connect.Request[contentv1.ListItemsRequest]) (*connect.Response[contentv1.ListItemsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	items, next, err := h.s.ListItems(ctx, p, Filter{Kind: m.Kind, Specialty: m.Specialty, RegionID: m.RegionId, State: m.State, PageSize: int(m.PageSize), PageToken: m.PageToken})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&contentv1.ListItemsResponse{Items: items, NextPageToken: next}), nil
}

func (h *Handler) GetReadingStats(ctx context.Context, req *connect.Request[contentv1.GetReadingStatsRequest]) (*connect.Response[contentv1.GetReadingStatsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	stats, err := h.s.ReadingStats(ctx, p, req.Msg.RegionIds, req.Msg.Kind)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&contentv1.GetReadingStatsResponse{Stats: stats}), nil
}
