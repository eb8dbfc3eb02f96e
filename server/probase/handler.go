package probase

import (
	"context"
	"strings"

	"connectrpc.com/connect"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/probase/v1/probasev1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler serves ModerationService and DirectoryService.
type Handler struct {
	s *Service
}

var (
	_ probasev1connect.ModerationServiceHandler = (*Handler)(nil)
	_ probasev1connect.DirectoryServiceHandler  = (*Handler)(nil)
)

// NewHandler returns the Connect handler of the directory.
func NewHandler(s *Service) *Handler { return &Handler{s: s} }

func (h *Handler) ListEditRequests(ctx context.Context, req *connect.Request[probasev1.ListEditRequestsRequest]) (*connect.Response[probasev1.ListEditRequestsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	status := ""
	if m.Status != probasev1.EditStatus_EDIT_STATUS_UNSPECIFIED {
		status = strings.ToLower(strings.TrimPrefix(m.Status.String(), "EDIT_STATUS_"))
	}
	rs, err := h.s.ListEditRequests(ctx, p, RequestFilter{Status: status, Territory: m.TerritoryId, DoctorID: m.DoctorId, ProposerID: m.ProposerId,
		CreatedBefore: m.CreatedBeforeUnixMs, Limit: int(m.Limit), Offset: int(m.Offset)})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&probasev1.ListEditRequestsResponse{Requests: rs}), nil
}

func (h *Handler) GetEditRequest(ctx context.Context, req *connect.Request[probasev1.GetEditRequestRequest]) (*connect.Response[probasev1.GetEditRequestResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	rv, err := h.s.GetEditRequest(ctx, p, req.Msg.Id)
	if err != nil {
		return nil, err
	}
	res := &probasev1.GetEditRequestResponse{Request: rv.Request, Current: rv.Current, Concurrent: rv.Concurrent}
	for _, f := range rv.Fields {
		res.Fields = append(res.Fields, &probasev1.FieldComparison{Field: f.Field, Base: f.Base, Current: f.Current, Proposed: f.Proposed, Conflict: f.Conflict})
	}
	return connect.NewResponse(res), nil
}

func (h *Handler) ApproveEditRequest(ctx context.Context, req *connect.Request[probasev1.ApproveEditRequestRequest]) (*connect.Response[probasev1.ApproveEditRequestResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	var rs []Resolution
	for _, r := range req.Msg.Resolutions {
		rs = append(rs, Resolution{Field: r.Field, Choice: r.Resolution, Values: r.Values})
	}
	r, d, err := h.s.Approve(ctx, p, req.Msg.Id, req.Msg.DoctorVersion, rs)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&probasev1.ApproveEditRequestResponse{Request: r, Doctor: d}), nil
}

func (h *Handler) RejectEditRequest(ctx context.Context, req *connect.Request[probasev1.RejectEditRequestRequest]) (*connect.Response[probasev1.RejectEditRequestResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	r, err := h.s.Reject(ctx, p, req.Msg.Id, req.Msg.DoctorVersion, req.Msg.Reason)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&probasev1.RejectEditRequestResponse{Request: r}), nil
}

func (h *Handler) CreateClinic(ctx context.Context, req *connect.Request[probasev1.CreateClinicRequest]) (*connect.Response[probasev1.CreateClinicResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	c, err := h.s.CreateClinic(ctx, p, &probasev1.Clinic{Id: m.Id, Name: m.Name, City: m.City, Address: m.Address, TerritoryId: m.TerritoryId})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&probasev1.CreateClinicResponse{Clinic: c}), nil
}

func (h *Handler) CreateDoctor(ctx context.Context, req *connect.Request[probasev1.CreateDoctorRequest]) (*connect.Response[probasev1.CreateDoctorResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.s.CreateDoctor(ctx, p, req.Msg.ExternalId, req.Msg.Fields)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&probasev1.CreateDoctorResponse{Doctor: d}), nil
}

func (h *Handler) LinkAccount(ctx context.Context, req *connect.Request[probasev1.LinkAccountRequest]) (*connect.Response[probasev1.LinkAccountResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.s.LinkAccount(ctx, p, req.Msg.DoctorId, req.Msg.UserId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&probasev1.LinkAccountResponse{Doctor: d}), nil
}

func (h *Handler) GetDoctorHistory(ctx context.Context, req *connect.Request[probasev1.GetDoctorHistoryRequest]) (*connect.Response[probasev1.GetDoctorHistoryResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	es, err := h.s.History(ctx, p, req.Msg.DoctorId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&probasev1.GetDoctorHistoryResponse{Entries: es}), nil
}
