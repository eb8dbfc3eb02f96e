package studies

import (
	"context"

	"connectrpc.com/connect"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/studies/v1/studiesv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler serves StudiesService.
type Handler struct{ s *Service }

var _ studiesv1connect.StudiesServiceHandler = (*Handler)(nil)

// NewHandler returns the Connect handler of the service.
func NewHandler(s *Service) *Handler { return &Handler{s: s} }

// CreateStudy implements studiesv1connect.StudiesServiceHandler.
func (h *Handler) CreateStudy(ctx context.Context, req *connect.Request[studiesv1.CreateStudyRequest]) (*connect.Response[studiesv1.CreateStudyResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	st, err := h.s.CreateStudy(ctx, p, Study{Title: m.Title, Description: m.Description, VisitWeeks: m.VisitWeeks, Fields: m.Fields,
		PointsPerResult: m.PointsPerResult, RegionID: m.RegionId})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&studiesv1.CreateStudyResponse{Study: StudyProto(st)}), nil
}

// ListStudies implements studiesv1connect.StudiesServiceHandler.
func (h *Handler) ListStudies(ctx context.Context, _ *connect.Request[studiesv1.ListStudiesRequest]) (*connect.Response[studiesv1.ListStudiesResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	sts, err := h.s.ListStudies(ctx, p)
	if err != nil {
		return nil, err
	}
	res := &studiesv1.ListStudiesResponse{}
	for _, st := range sts {
		res.Studies = append(res.Studies, StudyProto(st))
	}
	return connect.NewResponse(res), nil
}

// EnrolDoctor implements studiesv1connect.StudiesServiceHandler.
func (h *Handler) EnrolDoctor(ctx context.Context, req *connect.Request[studiesv1.EnrolDoctorRequest]) (*connect.Response[studiesv1.EnrolDoctorResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	e, rs, err := h.s.EnrolDoctor(ctx, p, req.Msg.StudyId, req.Msg.DoctorId, req.Msg.StartDate)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&studiesv1.EnrolDoctorResponse{Enrolment: e, Results: rs}), nil
}

// ListStudyResults implements studiesv1connect.StudiesServiceHandler.
func (h *Handler) ListStudyResults(ctx context.Context, req *connect.Request[studiesv1.ListStudyResultsRequest]) (*connect.Response[studiesv1.ListStudyResultsResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := h.s.ListResults(ctx, p, req.Msg.StudyId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&studiesv1.ListStudyResultsResponse{Results: rs}), nil
}
