package rpc

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// codes maps the domain's error codes to Connect codes: the only place the
// two meet.
var codes = map[string]connect.Code{
	syncengine.EINVALID:         connect.CodeInvalidArgument,
	syncengine.ENOTFOUND:        connect.CodeNotFound,
	syncengine.ECONFLICT:        connect.CodeAborted,
	syncengine.EPERMISSION:      connect.CodePermissionDenied,
	syncengine.EUNAUTHENTICATED: connect.CodeUnauthenticated,
	syncengine.EPRECONDITION:    connect.CodeFailedPrecondition,
	syncengine.ERATELIMIT:       connect.CodeResourceExhausted,
	syncengine.EUNAVAILABLE:     connect.CodeUnavailable,
	syncengine.EINTERNAL:        connect.CodeInternal,
}

// ToConnect turns a domain error into a Connect error carrying an
// ErrorDetail. Uncoded errors are logged with their cause and sent as
// "internal error", unavailable ones logged as warnings; Connect errors
// pass through.
func ToConnect(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	switch {
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, errors.New("canceled"))
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("deadline exceeded"))
	}
	var de *syncengine.Error
	if !errors.As(err, &de) || de.Code == syncengine.EINTERNAL {
		log.ErrorContext(ctx, "internal error", "procedure", procedure, "err", err)
		de = &syncengine.Error{Code: syncengine.EINTERNAL, Message: "internal error"}
	}
	if de.Code == syncengine.EUNAVAILABLE {
		// The store gave up retrying (or a service is down): the cause is
		// for operators, the user is only told to try again.
		log.WarnContext(ctx, "unavailable", "procedure", procedure, "err", err)
	}
	code, ok := codes[de.Code]
	if !ok {
		code = connect.CodeInternal
	}
	out := connect.NewError(code, errors.New(de.Message))
	if detail, err := connect.NewErrorDetail(Detail(de)); err == nil {
		out.AddDetail(detail)
	}
	var extra Detailer
	if errors.As(err, &extra) {
		for _, m := range extra.ErrorDetails() {
			if detail, err := connect.NewErrorDetail(m); err == nil {
				out.AddDetail(detail)
			}
		}
	}
	return out
}

// Detailer is an error that carries more details for the client than the
// ErrorDetail every coded error gets (a DeviceRevoked notice...).
type Detailer interface {
	error
	ErrorDetails() []proto.Message
}

// Detail encodes a domain error for the wire.
func Detail(e *syncengine.Error) *commonv1.ErrorDetail {
	d := &commonv1.ErrorDetail{Code: e.Code, Message: e.Message}
	for _, v := range e.Violations {
		d.Violations = append(d.Violations, &commonv1.FieldViolation{Field: v.Field, Description: v.Description})
	}
	return d
}

// FromDetail decodes a wire error detail.
func FromDetail(d *commonv1.ErrorDetail) *syncengine.Error {
	if d == nil {
		return nil
	}
	e := &syncengine.Error{Code: d.GetCode(), Message: d.GetMessage()}
	for _, v := range d.GetViolations() {
		e.Violations = append(e.Violations, syncengine.Violation{Field: v.GetField(), Description: v.GetDescription()})
	}
	return e
}
