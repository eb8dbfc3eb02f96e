package rpc

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/ordinatorhq/ordinator/syncengine"
)

// Authenticator turns a request's headers into a principal. It returns an
// EUNAUTHENTICATED error for missing or bad credentials; the interceptor
// calls it for every procedure that is not public, unary or streaming.
type Authenticator interface {
	Authenticate(ctx context.Context, procedure string, header http.Header) (syncengine.Principal, error)
}

// observer logs every call, counts it in Prometheus and turns the domain's
// errors into Connect errors. It wraps unary calls and streams alike.
type observer struct {
	log      *slog.Logger
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	streams  *prometheus.GaugeVec
}

func newObserver(log *slog.Logger, reg prometheus.Registerer) *observer {
	o := &observer{
		log: log,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ordinator_rpc_requests_total", Help: "RPCs handled, by procedure and result code.",
		}, []string{"procedure", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ordinator_rpc_duration_seconds", Help: "Time to handle an RPC (whole stream for streams).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 60, 600},
		}, []string{"procedure"}),
		streams: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ordinator_rpc_open_streams", Help: "Server streams currently open.",
		}, []string{"procedure"}),
	}
	reg.MustRegister(o.requests, o.duration, o.streams)
	return o
}

func (o *observer) finish(ctx context.Context, procedure string, start time.Time, err error) error {
	err = ToConnect(ctx, o.log, procedure, err)
	code := "ok"
	if err != nil {
		code = connect.CodeOf(err).String()
	}
	elapsed := time.Since(start)
	o.requests.WithLabelValues(procedure, code).Inc()
	o.duration.WithLabelValues(procedure).Observe(elapsed.Seconds())
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelInfo
	}
	o.log.Log(ctx, level, "rpc", "procedure", procedure, "code", code, "duration", elapsed)
	return err
}

func (o *observer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		start := time.Now()
		res, err := next(ctx, req)
		return res, o.finish(ctx, req.Spec().Procedure, start, err)
	}
}

func (o *observer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (o *observer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		procedure := conn.Spec().Procedure
		start := time.Now()
		g := o.streams.WithLabelValues(procedure)
		g.Inc()
		defer g.Dec()
		return o.finish(ctx, procedure, start, next(ctx, conn))
	}
}

// validator checks every request message against its protovalidate rules,
// answering InvalidArgument with the violations as field violations.
type validator struct {
	v protovalidate.Validator
}

func newValidator() (*validator, error) {
	v, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	return &validator{v: v}, nil
}

func (v *validator) check(msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil
	}
	return Validate(v.v, m)
}

// Validate checks m with a protovalidate validator and returns an EINVALID
// error listing the violated fields, or nil.
func Validate(v protovalidate.Validator, m proto.Message) error {
	err := v.Validate(m)
	if err == nil {
		return nil
	}
	var verr *protovalidate.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	out := syncengine.Invalid("invalid " + string(m.ProtoReflect().Descriptor().Name()))
	for _, viol := range verr.Violations {
		out.Violations = append(out.Violations, syncengine.Violation{
			Field:       protovalidate.FieldPathString(viol.Proto.GetField()),
			Description: viol.Proto.GetMessage(),
		})
	}
	return out
}

func (v *validator) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := v.check(req.Any()); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (v *validator) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (v *validator) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(ctx, &validatingConn{StreamingHandlerConn: conn, v: v})
	}
}

type validatingConn struct {
	connect.StreamingHandlerConn
	v *validator
}

func (c *validatingConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	return c.v.check(msg)
}

// authenticator puts the caller's principal in the context of every call
// that is not public; streams are checked before the handler runs.
type authenticator struct {
	auth   Authenticator
	public map[string]bool
}

func (a *authenticator) principal(ctx context.Context, procedure string, h http.Header, peer connect.Peer) (context.Context, error) {
	if a.auth == nil {
		return ctx, nil
	}
	p, err := a.auth.Authenticate(ctx, procedure, h)
	if err != nil {
		if a.public[procedure] {
			return ctx, nil
		}
		return ctx, err
	}
	p.Address = peer.Addr
	if host, _, err := net.SplitHostPort(peer.Addr); err == nil {
		p.Address = host
	}
	return syncengine.WithPrincipal(ctx, p), nil
}

func (a *authenticator) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		ctx, err := a.principal(ctx, req.Spec().Procedure, req.Header(), req.Peer())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (a *authenticator) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (a *authenticator) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := a.principal(ctx, conn.Spec().Procedure, conn.RequestHeader(), conn.Peer())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// Principal returns the caller of an authenticated procedure, or an
// EUNAUTHENTICATED error.
func Principal(ctx context.Context) (syncengine.Principal, error) {
	p, ok := syncengine.PrincipalFrom(ctx)
	if !ok || p.UserID == "" {
		return p, syncengine.Errorf(syncengine.EUNAUTHENTICATED, "sign in first")
	}
	return p, nil
}
