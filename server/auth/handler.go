package auth

import (
	"context"
	"net"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler serves AuthService and AdminService.
type Handler struct {
	s *Service
}

var (
	_ authv1connect.AuthServiceHandler  = (*Handler)(nil)
	_ authv1connect.AdminServiceHandler = (*Handler)(nil)
)

// NewHandler returns the Connect handler of the service.
func NewHandler(s *Service) *Handler { return &Handler{s: s} }

// PublicProcedures may be called without a token.
var PublicProcedures = []string{
	authv1connect.AuthServiceRegisterDoctorProcedure,
	authv1connect.AuthServiceLoginProcedure,
	authv1connect.AuthServiceRefreshProcedure,
	authv1connect.AdminServiceListRegionsProcedure,
}

func tokensProto(t Tokens) *authv1.Tokens {
	return &authv1.Tokens{
		AccessToken: t.Access, AccessExpiresAtUnixMs: t.AccessExpiresAt.UnixMilli(),
		RefreshToken: t.Refresh, RefreshExpiresAtUnixMs: t.RefreshExpiresAt.UnixMilli(),
	}
}

// callerAddress is the host a call came from, the unit of rate limits.
func callerAddress(p connect.Peer) string {
	if host, _, err := net.SplitHostPort(p.Addr); err == nil {
		return host
	}
	return p.Addr
}

func (h *Handler) me(ctx context.Context, userID string) (*authv1.User, error) {
	u, ts, rs, err := h.s.Me(ctx, userID)
	if err != nil {
		return nil, err
	}
	return UserProto(u, ts, rs), nil
}

func (h *Handler) RegisterDoctor(ctx context.Context, req *connect.Request[authv1.RegisterDoctorRequest]) (*connect.Response[authv1.RegisterDoctorResponse], error) {
	m := req.Msg
	u, err := h.s.RegisterDoctor(ctx, NewUser{Email: m.Email, Phone: m.Phone, Password: m.Password, Name: m.DisplayName, Specialty: m.Specialty, RegionID: m.RegionId,
		Address: callerAddress(req.Peer())})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.RegisterDoctorResponse{User: UserProto(u, nil, nil)}), nil
}

func (h *Handler) Login(ctx context.Context, req *connect.Request[authv1.LoginRequest]) (*connect.Response[authv1.LoginResponse], error) {
	m := req.Msg
	sess, err := h.s.Login(ctx, LoginInput{Login: m.Login, Password: m.Password, Device: m.DeviceName, Platform: m.Platform, Address: callerAddress(req.Peer())})
	if err != nil {
		return nil, err
	}
	user, err := h.me(ctx, sess.User.ID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.LoginResponse{Tokens: tokensProto(sess.Tokens), DeviceId: sess.DeviceID, User: user}), nil
}

func (h *Handler) Refresh(ctx context.Context, req *connect.Request[authv1.RefreshRequest]) (*connect.Response[authv1.RefreshResponse], error) {
	t, err := h.s.Refresh(ctx, req.Msg.RefreshToken)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.RefreshResponse{Tokens: tokensProto(*t)}), nil
}

func (h *Handler) Logout(ctx context.Context, _ *connect.Request[authv1.LogoutRequest]) (*connect.Response[authv1.LogoutResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.s.RevokeDevice(ctx, p.UserID, p.DeviceID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.LogoutResponse{}), nil
}

func (h *Handler) ListDevices(ctx context.Context, _ *connect.Request[authv1.ListDevicesRequest]) (*connect.Response[authv1.ListDevicesResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := h.s.ListDevices(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	res := &authv1.ListDevicesResponse{}
	for _, d := range ds {
		res.Devices = append(res.Devices, deviceProto(d, p.DeviceID))
	}
	return connect.NewResponse(res), nil
}

func (h *Handler) RevokeDevice(ctx context.Context, req *connect.Request[authv1.RevokeDeviceRequest]) (*connect.Response[authv1.RevokeDeviceResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.s.RevokeDevice(ctx, p.UserID, req.Msg.DeviceId); err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.RevokeDeviceResponse{}), nil
}

func (h *Handler) GetMe(ctx context.Context, _ *connect.Request[authv1.GetMeRequest]) (*connect.Response[authv1.GetMeResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	user, err := h.me(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.GetMeResponse{User: user}), nil
}

func (h *Handler) AttachDiploma(ctx context.Context, req *connect.Request[authv1.AttachDiplomaRequest]) (*connect.Response[authv1.AttachDiplomaResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.s.AttachDiploma(ctx, p, req.Msg.MediaId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.AttachDiplomaResponse{User: UserProto(u, nil, nil)}), nil
}

func regionProto(r Region) *authv1.Region {
	out := &authv1.Region{Id: r.ID, Name: r.Name, TimeZone: r.TimeZone}
	for _, t := range r.Territories {
		out.Territories = append(out.Territories, &authv1.Territory{Id: t.ID, RegionId: t.RegionID, Name: t.Name})
	}
	return out
}

func (h *Handler) CreateRegion(ctx context.Context, req *connect.Request[authv1.CreateRegionRequest]) (*connect.Response[authv1.CreateRegionResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	r, err := h.s.CreateRegion(ctx, p, Region{ID: req.Msg.Id, Name: req.Msg.Name, TimeZone: req.Msg.TimeZone})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.CreateRegionResponse{Region: regionProto(r)}), nil
}

func (h *Handler) CreateTerritory(ctx context.Context, req *connect.Request[authv1.CreateTerritoryRequest]) (*connect.Response[authv1.CreateTerritoryResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	t, err := h.s.CreateTerritory(ctx, p, Territory{ID: req.Msg.Id, RegionID: req.Msg.RegionId, Name: req.Msg.Name})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.CreateTerritoryResponse{Territory: &authv1.Territory{Id: t.ID, RegionId: t.RegionID, Name: t.Name}}), nil
}

func (h *Handler) ListRegions(ctx context.Context, _ *connect.Request[authv1.ListRegionsRequest]) (*connect.Response[authv1.ListRegionsResponse], error) {
	rs, err := h.s.ListRegions(ctx)
	if err != nil {
		return nil, err
	}
	res := &authv1.ListRegionsResponse{}
	for _, r := range rs {
		res.Regions = append(res.Regions, regionProto(r))
	}
	return connect.NewResponse(res), nil
}

func (h *Handler) CreateUser(ctx context.Context, req *connect.Request[authv1.CreateUserRequest]) (*connect.Response[authv1.CreateUserResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	u, err := h.s.CreateUser(ctx, p, NewUser{Role: roleFromProto(m.Role), Email: m.Email, Phone: m.Phone, Password: m.Password, Name: m.DisplayName, Specialty: m.Specialty, RegionID: m.RegionId})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.CreateUserResponse{User: UserProto(u, nil, nil)}), nil
}

func (h *Handler) ListUsers(ctx context.Context, req *connect.Request[authv1.ListUsersRequest]) (*connect.Response[authv1.ListUsersResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	us, err := h.s.ListUsers(ctx, p, roleFromProto(req.Msg.Role), req.Msg.RegionId)
	if err != nil {
		return nil, err
	}
	res := &authv1.ListUsersResponse{}
	for _, u := range us {
		res.Users = append(res.Users, UserProto(u, nil, nil))
	}
	return connect.NewResponse(res), nil
}

func (h *Handler) AssignTerritory(ctx context.Context, req *connect.Request[authv1.AssignTerritoryRequest]) (*connect.Response[authv1.AssignTerritoryResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := h.s.AssignTerritory(ctx, p, req.Msg.UserId, req.Msg.TerritoryId, req.Msg.Assigned); err != nil {
		return nil, err
	}
	user, err := h.me(ctx, req.Msg.UserId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.AssignTerritoryResponse{User: user}), nil
}

func (h *Handler) AssignRegion(ctx context.Context, req *connect.Request[authv1.AssignRegionRequest]) (*connect.Response[authv1.AssignRegionResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := h.s.AssignRegion(ctx, p, req.Msg.UserId, req.Msg.RegionId, req.Msg.Assigned); err != nil {
		return nil, err
	}
	user, err := h.me(ctx, req.Msg.UserId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.AssignRegionResponse{User: user}), nil
}

func (h *Handler) ListPendingDiplomas(ctx context.Context, _ *connect.Request[authv1.ListPendingDiplomasRequest]) (*connect.Response[authv1.ListPendingDiplomasResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := h.s.ListPendingDiplomas(ctx, p)
	if err != nil {
		return nil, err
	}
	res := &authv1.ListPendingDiplomasResponse{}
	for _, d := range ds {
		res.Diplomas = append(res.Diplomas, &authv1.PendingDiploma{User: UserProto(d.User, nil, nil), MediaId: d.MediaID, SubmittedAtUnixMs: d.SubmittedAt.UnixMilli()})
	}
	return connect.NewResponse(res), nil
}

func (h *Handler) ReviewDiploma(ctx context.Context, req *connect.Request[authv1.ReviewDiplomaRequest]) (*connect.Response[authv1.ReviewDiplomaResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.s.ReviewDiploma(ctx, p, req.Msg.UserId, req.Msg.Approve, req.Msg.Reason)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.ReviewDiplomaResponse{User: UserProto(u, nil, nil)}), nil
}
