package cases

import (
	"bytes"
	"context"
	"time"

	"connectrpc.com/connect"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/cases/v1/casesv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler serves CaseModerationService and CaseReportService.
type Handler struct {
	s *Service
}

var (
	_ casesv1connect.CaseModerationServiceHandler = (*Handler)(nil)
	_ casesv1connect.CaseReportServiceHandler     = (*Handler)(nil)
)

// NewHandler returns the Connect handler of the cases module.
func NewHandler(s *Service) *Handler { return &Handler{s: s} }

func (h *Handler) ListCases(ctx context.Context, req *connect.Request[casesv1.ListCasesRequest]) (*connect.Response[casesv1.ListCasesResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := h.s.ListCases(ctx, p, Filter{Status: req.Msg.Status, Specialty: req.Msg.Specialty, Limit: int(req.Msg.Limit)})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&casesv1.ListCasesResponse{Cases: cs}), nil
}

func (h *Handler) GetCase(ctx context.Context, req *connect.Request[casesv1.GetCaseRequest]) (*connect.Response[casesv1.GetCaseResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	v, err := h.s.GetCase(ctx, p, req.Msg.Id)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&casesv1.GetCaseResponse{Case: v.Case, Comments: v.Comments, History: v.History}), nil
}

func (h *Handler) PublishCase(ctx context.Context, req *connect.Request[casesv1.PublishCaseRequest]) (*connect.Response[casesv1.PublishCaseResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	c, err := h.s.Publish(ctx, p, req.Msg.Id, req.Msg.Version, req.Msg.Note)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&casesv1.PublishCaseResponse{Case: c}), nil
}

func (h *Handler) RejectCase(ctx context.Context, req *connect.Request[casesv1.RejectCaseRequest]) (*connect.Response[casesv1.RejectCaseResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	c, err := h.s.Reject(ctx, p, req.Msg.Id, req.Msg.Version, req.Msg.Reason)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&casesv1.RejectCaseResponse{Case: c}), nil
}

func (h *Handler) HideComment(ctx context.Context, req *connect.Request[casesv1.HideCommentRequest]) (*connect.Response[casesv1.HideCommentResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	c, err := h.s.HideComment(ctx, p, req.Msg.CommentId, req.Msg.Reason)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&casesv1.HideCommentResponse{Comment: c}), nil
}

func (h *Handler) ExportCases(ctx context.Context, req *connect.Request[casesv1.ExportCasesRequest]) (*connect.Response[casesv1.ExportCasesResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	f := ExportFilter{Specialty: req.Msg.Specialty}
	if ms := req.Msg.PublishedFromUnixMs; ms > 0 {
		f.From = time.UnixMilli(ms)
	}
	if ms := req.Msg.PublishedToUnixMs; ms > 0 {
		f.To = time.UnixMilli(ms)
	}
	r, err := h.s.Export(ctx, p, f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		return nil, err
	}
	return connect.NewResponse(&casesv1.ExportCasesResponse{Csv: buf.Bytes(), Products: int32(len(r.Rows)), Cases: int32(r.Cases)}), nil
}
