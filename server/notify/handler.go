package notify

import (
	"context"
	"strings"

	"connectrpc.com/connect"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/notify/v1/notifyv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// Handler serves NotifyService.
type Handler struct{ s *Service }

var _ notifyv1connect.NotifyServiceHandler = (*Handler)(nil)

// NewHandler returns the Connect handler of the service.
func NewHandler(s *Service) *Handler { return &Handler{s: s} }

// RegisterPushToken implements notifyv1connect.NotifyServiceHandler.
func (h *Handler) RegisterPushToken(ctx context.Context, req *connect.Request[notifyv1.RegisterPushTokenRequest]) (*connect.Response[notifyv1.RegisterPushTokenResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	platform := strings.ToLower(strings.TrimPrefix(m.Platform.String(), "PLATFORM_"))
	err = h.s.RegisterToken(ctx, p, Token{Token: m.Token, Platform: platform, Locale: m.Locale, TimeZone: m.TimeZone})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&notifyv1.RegisterPushTokenResponse{}), nil
}

// UnregisterPushToken implements notifyv1connect.NotifyServiceHandler.
func (h *Handler) UnregisterPushToken(ctx context.Context, _ *connect.Request[notifyv1.UnregisterPushTokenRequest]) (*connect.Response[notifyv1.UnregisterPushTokenResponse], error) {
	p, err := rpc.Principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.s.UnregisterToken(ctx, p); err != nil {
		return nil, err
	}
	return connect.NewResponse(&notifyv1.UnregisterPushTokenResponse{}), nil
}
