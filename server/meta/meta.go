// Package meta implements ordinator.meta.v1.MetaService: what a device asks
// before it syncs.
package meta

import (
	"context"
	"time"

	"connectrpc.com/connect"

	metav1 "github.com/ordinatorhq/ordinator/api/ordinator/meta/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/meta/v1/metav1connect"
)

// Info is what the server says about itself.
type Info struct {
	Version string
	// Country is the stack's country code.
	Country             string
	MinClientSchema     int32
	CurrentClientSchema int32
	Now                 func() time.Time
}

// Service implements metav1connect.MetaServiceHandler.
type Service struct {
	info Info
}

var _ metav1connect.MetaServiceHandler = (*Service)(nil)

// New returns the service.
func New(info Info) *Service {
	if info.Now == nil {
		info.Now = time.Now
	}
	return &Service{info: info}
}

// GetServerInfo implements metav1connect.MetaServiceHandler.
func (s *Service) GetServerInfo(context.Context, *connect.Request[metav1.GetServerInfoRequest]) (*connect.Response[metav1.GetServerInfoResponse], error) {
	return connect.NewResponse(&metav1.GetServerInfoResponse{
		ServerVersion: s.info.Version,
		CountryCode:   s.info.Country,
		//lint:ignore SA1019 still filled for clients built before country_code
		RegionCode:                 s.info.Country,
		MinClientSchemaVersion:     s.info.MinClientSchema,
		CurrentClientSchemaVersion: s.info.CurrentClientSchema,
		ServerTimeUnixMs:           s.info.Now().UnixMilli(),
	}), nil
}
