package gifts

import (
	"context"
	"time"

	"connectrpc.com/connect"

	giftsv1 "github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/gifts/v1/giftsv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler serves GiftAdminService and WarehouseService.
type Handler struct {
	svc *Service
}

var (
	_ giftsv1connect.GiftAdminServiceHandler = (*Handler)(nil)
	_ giftsv1connect.WarehouseServiceHandler = (*Handler)(nil)
)

// NewHandler returns the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// waveRequest is what CreateWaveRequest and UpdateWaveRequest both carry
// of a wave.
type waveRequest interface {
	GetTitle() string
	GetDescription() string
	GetStartsAtUnixMs() int64
	GetEndsAtUnixMs() int64
	GetGraceMs() int64
}

// waveFromRequest decodes the wave a request describes; the caller sets
// what identifies it (the region of a new wave, the id of an updated one).
func waveFromRequest(m waveRequest) Wave {
	return Wave{Title: m.GetTitle(), Description: m.GetDescription(),
		StartsAt: time.UnixMilli(m.GetStartsAtUnixMs()), EndsAt: time.UnixMilli(m.GetEndsAtUnixMs()), Grace: time.Duration(m.GetGraceMs()) * time.Millisecond}
}

// CreateItem implements giftsv1connect.GiftAdminServiceHandler.
func (h *Handler) CreateItem(ctx context.Context, req *connect.Request[giftsv1.CreateItemRequest]) (*connect.Response[giftsv1.CreateItemResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	it, err := h.svc.CreateItem(ctx, p, Item{SKU: m.Sku, Name: m.Name, Description: m.Description, Kind: m.Kind})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.CreateItemResponse{Item: it.Proto()}), nil
}

// ListItems implements giftsv1connect.GiftAdminServiceHandler.
func (h *Handler) ListItems(ctx context.Context, _ *connect.Request[giftsv1.ListItemsRequest]) (*connect.Response[giftsv1.ListItemsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	items, err := h.svc.ListItems(ctx, p)
	if err != nil {
		return nil, err
	}
	res := &giftsv1.ListItemsResponse{}
	for _, it := range items {
		res.Items = append(res.Items, it.Proto())
	}
	return connect.NewResponse(res), nil
}

// CreateWave implements giftsv1connect.GiftAdminServiceHandler.
func (h *Handler) CreateWave(ctx context.Context, req *connect.Request[giftsv1.CreateWaveRequest]) (*connect.Response[giftsv1.CreateWaveResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	w := waveFromRequest(req.Msg)
	w.RegionID = req.Msg.RegionId
	w, err = h.svc.CreateWave(ctx, p, w)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.CreateWaveResponse{Wave: w.Proto()}), nil
}

// UpdateWave implements giftsv1connect.GiftAdminServiceHandler.
func (h *Handler) UpdateWave(ctx context.Context, req *connect.Request[giftsv1.UpdateWaveRequest]) (*connect.Response[giftsv1.UpdateWaveResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	w := waveFromRequest(req.Msg)
	w.ID = req.Msg.WaveId
	w, err = h.svc.UpdateWave(ctx, p, w)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.UpdateWaveResponse{Wave: w.Proto()}), nil
}

// ListWaves implements giftsv1connect.GiftAdminServiceHandler.
func (h *Handler) ListWaves(ctx context.Context, req *connect.Request[giftsv1.ListWavesRequest]) (*connect.Response[giftsv1.ListWavesResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	waves, err := h.svc.ListWaves(ctx, p, req.Msg.RegionId)
	if err != nil {
		return nil, err
	}
	res := &giftsv1.ListWavesResponse{}
	for _, w := range waves {
		res.Waves = append(res.Waves, w.Proto())
	}
	return connect.NewResponse(res), nil
}

// SetWaveItem implements giftsv1connect.GiftAdminServiceHandler.
func (h *Handler) SetWaveItem(ctx context.Context, req *connect.Request[giftsv1.SetWaveItemRequest]) (*connect.Response[giftsv1.SetWaveItemResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	wi, err := h.svc.SetWaveItem(ctx, p, m.WaveId, m.ItemId, m.PointsPrice, m.LimitPerDoctor, m.Allocated)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.SetWaveItemResponse{Item: &giftsv1.CatalogItem{WaveId: wi.WaveID, Item: wi.Item.Proto(),
		PointsPrice: wi.PointsPrice, LimitPerDoctor: wi.LimitPerDoctor, Allocated: wi.Allocated, Remaining: wi.Remaining()}}), nil
}

// ListOrders implements giftsv1connect.GiftAdminServiceHandler.
func (h *Handler) ListOrders(ctx context.Context, req *connect.Request[giftsv1.ListOrdersRequest]) (*connect.Response[giftsv1.ListOrdersResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	orders, err := h.svc.ListOrders(ctx, p, m.WaveId, m.UserId, OrderStatusName(m.Status), int(m.Limit))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.ListOrdersResponse{Orders: orders}), nil
}

// RecordMovement implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) RecordMovement(ctx context.Context, req *connect.Request[giftsv1.RecordMovementRequest]) (*connect.Response[giftsv1.RecordMovementResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	r, err := h.svc.RecordMovement(ctx, p, NewMovement{Item: m.Item, Kind: MovementKindName(m.Kind), Quantity: m.Quantity, Note: m.Note, RequestID: m.RequestId})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.RecordMovementResponse{Movement: r.Movement.Proto(),
		Stock: &giftsv1.Stock{Item: r.Item.Proto(), OnHand: r.Level.OnHand, Reserved: r.Level.Reserved, Available: r.Level.Available()}}), nil
}

// ListMovements implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) ListMovements(ctx context.Context, req *connect.Request[giftsv1.ListMovementsRequest]) (*connect.Response[giftsv1.ListMovementsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := h.svc.ListMovements(ctx, p, req.Msg.Item, req.Msg.WaveId, int(req.Msg.Limit))
	if err != nil {
		return nil, err
	}
	res := &giftsv1.ListMovementsResponse{}
	for _, m := range ms {
		res.Movements = append(res.Movements, m.Proto())
	}
	return connect.NewResponse(res), nil
}

// PackShipments implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) PackShipments(ctx context.Context, req *connect.Request[giftsv1.PackShipmentsRequest]) (*connect.Response[giftsv1.PackShipmentsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	shipments, err := h.svc.PackShipments(ctx, p, req.Msg.WaveId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.PackShipmentsResponse{Shipments: shipments}), nil
}

// ShipShipment implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) ShipShipment(ctx context.Context, req *connect.Request[giftsv1.ShipShipmentRequest]) (*connect.Response[giftsv1.ShipShipmentResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	sh, err := h.svc.ShipShipment(ctx, p, req.Msg.Shipment, req.Msg.Tracking)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.ShipShipmentResponse{Shipment: sh}), nil
}

// DeliverShipment implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) DeliverShipment(ctx context.Context, req *connect.Request[giftsv1.DeliverShipmentRequest]) (*connect.Response[giftsv1.DeliverShipmentResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	sh, err := h.svc.DeliverShipment(ctx, p, req.Msg.Shipment)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.DeliverShipmentResponse{Shipment: sh}), nil
}

// ListShipments implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) ListShipments(ctx context.Context, req *connect.Request[giftsv1.ListShipmentsRequest]) (*connect.Response[giftsv1.ListShipmentsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	shipments, err := h.svc.ListShipments(ctx, p, req.Msg.WaveId, ShipmentStatusName(req.Msg.Status), int(req.Msg.Limit))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.ListShipmentsResponse{Shipments: shipments}), nil
}

// StockReport implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) StockReport(ctx context.Context, _ *connect.Request[giftsv1.StockReportRequest]) (*connect.Response[giftsv1.StockReportResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	stock, err := h.svc.StockReport(ctx, p)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.StockReportResponse{Stock: stock}), nil
}

// WaveReport implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) WaveReport(ctx context.Context, req *connect.Request[giftsv1.WaveReportRequest]) (*connect.Response[giftsv1.WaveReportResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	items, err := h.svc.WaveReport(ctx, p, req.Msg.WaveId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.WaveReportResponse{Items: items}), nil
}

// TerritoryReport implements giftsv1connect.WarehouseServiceHandler.
func (h *Handler) TerritoryReport(ctx context.Context, req *connect.Request[giftsv1.TerritoryReportRequest]) (*connect.Response[giftsv1.TerritoryReportResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := h.svc.TerritoryReport(ctx, p, req.Msg.WaveId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&giftsv1.TerritoryReportResponse{Territories: ts}), nil
}
