// Package rpc serves Ordinator's Connect services: Connect, gRPC and
// gRPC-Web on one port (over h2c, or HTTP/2 over TLS), with reflection,
// gRPC health and the HTTP /healthz and /readyz of load balancers, request
// limits,
// protovalidate validation, authentication and the one table that maps
// domain errors to Connect codes, and Prometheus metrics on a listener of
// their own. It shuts down gracefully: in-flight calls finish and server
// streams end cleanly.
package rpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/otelconnect"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel/trace"
)

// Config configures a Server.
type Config struct {
	Logger *slog.Logger
	// MaxRequestBytes bounds a request message (default 8 MiB).
	MaxRequestBytes int
	// Auth authenticates callers; nil leaves every procedure anonymous.
	Auth Authenticator
	// Public procedures may be called without credentials.
	Public []string
	// LimitFlag names what raises MaxRequestBytes ("--max-request-bytes"),
	// for the refusal of a request above it.
	LimitFlag string
	// ShutdownGrace is how long in-flight calls get to finish (default 25 s).
	ShutdownGrace time.Duration
	// DrainDelay is how long the server goes on serving after it is told
	// to stop, answering /readyz with 503, so that load balancers send
	// their traffic elsewhere before connections close (default none).
	DrainDelay time.Duration
	// Ready checks what /readyz reports beyond draining (the database...);
	// nil is always ready.
	Ready func(context.Context) error
	// TLS, if set, serves HTTP/1.1 and HTTP/2 over TLS instead of h2c.
	TLS *tls.Config
	// Tracing, if set, gives every call a span (OpenTelemetry) that
	// encloses the other interceptors; it records procedures and codes,
	// never messages or the caller's address.
	Tracing trace.TracerProvider
}

// Server is the HTTP server of one Ordinator process.
type Server struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	metrics  *prometheus.Registry
	services []string
	health   *grpchealth.StaticChecker
	stopping chan struct{}
	draining atomic.Bool
	opts     []connect.HandlerOption
}

// New returns a server with its interceptors ready; register services, then
// Serve.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = 8 << 20
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 25 * time.Second
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		mux:      http.NewServeMux(),
		metrics:  prometheus.NewRegistry(),
		stopping: make(chan struct{}),
	}
	s.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	v, err := newValidator()
	if err != nil {
		return nil, fmt.Errorf("protovalidate: %w", err)
	}
	public := map[string]bool{}
	for _, p := range cfg.Public {
		public[p] = true
	}
	interceptors := []connect.Interceptor{newObserver(s.log, s.metrics), &authenticator{auth: cfg.Auth, public: public}, v}
	if cfg.Tracing != nil {
		traced, err := otelconnect.NewInterceptor(otelconnect.WithTracerProvider(cfg.Tracing), otelconnect.WithoutMetrics())
		if err != nil {
			return nil, fmt.Errorf("tracing: %w", err)
		}
		interceptors = append([]connect.Interceptor{traced}, interceptors...)
	}
	s.opts = []connect.HandlerOption{
		connect.WithInterceptors(interceptors...),
		connect.WithReadMaxBytes(cfg.MaxRequestBytes),
		// Small messages go uncompressed: a live event or a token answer
		// is a few dozen bytes, and a gzip writer's reset alone costs more
		// CPU than sending them (a third of a fan-out's server time).
		connect.WithCompressMinBytes(compressMinBytes),
		gzipCompression(),
		connect.WithRecover(func(ctx context.Context, spec connect.Spec, _ http.Header, r any) error {
			s.log.ErrorContext(ctx, "handler panicked", "procedure", spec.Procedure, "panic", r)
			return connect.NewError(connect.CodeInternal, errors.New("internal error"))
		}),
	}
	return s, nil
}

// compressMinBytes is the smallest response message worth compressing.
const compressMinBytes = 1 << 10

// Options returns the handler options every service must be built with.
func (s *Server) Options() []connect.HandlerOption { return s.opts }

// Stopping is closed when the server starts shutting down; server streams
// watch it to end cleanly.
func (s *Server) Stopping() <-chan struct{} { return s.stopping }

// Handle registers a Connect service, as returned by its generated
// New...Handler constructor.
func (s *Server) Handle(path string, h http.Handler) {
	s.mux.Handle(path, s.limitRequests(h))
	s.services = append(s.services, strings.Trim(path, "/"))
}

// Services lists the registered services by full name.
func (s *Server) Services() []string { return slices.Clone(s.services) }

// HandleHTTP registers a plain HTTP handler (blob downloads...).
func (s *Server) HandleHTTP(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// Handler returns the complete HTTP handler, with reflection and health
// added for the registered services. Call it once.
func (s *Server) Handler() http.Handler {
	reflector := grpcreflect.NewStaticReflector(s.services...)
	s.mux.Handle(grpcreflect.NewHandlerV1(reflector))
	s.mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	s.health = grpchealth.NewStaticChecker(s.services...)
	s.mux.Handle(grpchealth.NewHandler(s.health))
	s.mux.HandleFunc("GET /healthz", s.serveHealthz)
	s.mux.HandleFunc("GET /readyz", s.serveReadyz)
	return s.mux
}

// Serve serves on ln until ctx ends, then shuts down gracefully: health
// turns NOT_SERVING and /readyz 503, the server goes on serving for
// DrainDelay, then streams are told to end and in-flight calls get
// ShutdownGrace to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	if s.cfg.TLS != nil {
		protocols.SetHTTP2(true)
	} else {
		protocols.SetUnencryptedHTTP2(true)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		Protocols:         protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// No WriteTimeout: it would cut server streams.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	if s.cfg.TLS != nil {
		srv.TLSConfig = s.cfg.TLS.Clone()
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "drain", s.cfg.DrainDelay, "grace", s.cfg.ShutdownGrace)
	s.draining.Store(true)
	s.health.SetStatus("", grpchealth.StatusNotServing)
	for _, svc := range s.services {
		s.health.SetStatus(svc, grpchealth.StatusNotServing)
	}
	if s.cfg.DrainDelay > 0 {
		select {
		case <-time.After(s.cfg.DrainDelay):
		case err := <-errc:
			return err
		}
	}
	close(s.stopping)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
