package auth

import (
	"context"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

func deviceProto(d Device, current string) *authv1.Device {
	return &authv1.Device{Id: d.ID, Name: d.Name, Platform: d.Platform,
		CreatedAtUnixMs: d.CreatedAt.UnixMilli(), LastSeenAtUnixMs: d.LastSeenAt.UnixMilli(), Revoked: d.Revoked, Current: d.ID == current}
}

func (h *Handler) SetUserDisabled(ctx context.Context, req *connect.Request[authv1.SetUserDisabledRequest]) (*connect.Response[authv1.SetUserDisabledResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := h.s.SetUserDisabled(ctx, p, req.Msg.UserId, req.Msg.Disabled); err != nil {
		return nil, err
	}
	user, err := h.me(ctx, req.Msg.UserId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.SetUserDisabledResponse{User: user}), nil
}

func (h *Handler) ResetPassword(ctx context.Context, req *connect.Request[authv1.ResetPasswordRequest]) (*connect.Response[authv1.ResetPasswordResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	n, err := h.s.ResetPassword(ctx, p, req.Msg.UserId, req.Msg.Password)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.ResetPasswordResponse{RevokedDevices: int32(n)}), nil
}

func (h *Handler) ListUserDevices(ctx context.Context, req *connect.Request[authv1.ListUserDevicesRequest]) (*connect.Response[authv1.ListUserDevicesResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := h.s.ListUserDevices(ctx, p, req.Msg.UserId)
	if err != nil {
		return nil, err
	}
	res := &authv1.ListUserDevicesResponse{}
	for _, d := range ds {
		res.Devices = append(res.Devices, deviceProto(d, p.DeviceID))
	}
	return connect.NewResponse(res), nil
}

func (h *Handler) RevokeUserDevice(ctx context.Context, req *connect.Request[authv1.RevokeUserDeviceRequest]) (*connect.Response[authv1.RevokeUserDeviceResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	owner, err := h.s.RevokeUserDevice(ctx, p, req.Msg.DeviceId)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&authv1.RevokeUserDeviceResponse{UserId: owner}), nil
}
