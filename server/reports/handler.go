package reports

import (
	"context"

	"connectrpc.com/connect"

	reportsv1 "github.com/ordinatorhq/ordinator/api/ordinator/reports/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/reports/v1/reportsv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler serves ReportService.
type Handler struct{ s *Service }

var _ reportsv1connect.ReportServiceHandler = (*Handler)(nil)

// NewHandler returns the Connect handler of the service.
func NewHandler(s *Service) *Handler { return &Handler{s: s} }

// GetReport implements reportsv1connect.ReportServiceHandler.
func (h *Handler) GetReport(ctx context.Context, req *connect.Request[reportsv1.GetReportRequest]) (*connect.Response[reportsv1.GetReportResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	r, err := h.s.Report(ctx, p, Scope{Region: req.Msg.RegionId, Territory: req.Msg.TerritoryId}, req.Msg.Period)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&reportsv1.GetReportResponse{Report: r.Proto()}), nil
}
