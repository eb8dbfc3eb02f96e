package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// newTracing returns the tracer provider that exports to --otlp-endpoint,
// or nil (no tracing at all) when it is empty, and a function that flushes
// and stops it.
func newTracing(ctx context.Context, cfg *Config) (trace.TracerProvider, func(), error) {
	if cfg.OTLPEndpoint == "" {
		return nil, func() {}, nil
	}
	u, err := url.Parse(cfg.OTLPEndpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("--otlp-endpoint %q: give the collector's OTLP/HTTP URL, e.g. http://otel-collector:4318", cfg.OTLPEndpoint)
	}
	exporter, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(cfg.OTLPEndpoint))
	if err != nil {
		return nil, nil, fmt.Errorf("--otlp-endpoint: %w", err)
	}
	tp := newTracerProvider(sdktrace.WithBatcher(exporter), cfg.Country)
	return tp, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		tp.Shutdown(ctx)
	}, nil
}

// newTracerProvider names the service and its country stack on every span.
func newTracerProvider(export sdktrace.TracerProviderOption, country string) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(export, sdktrace.WithResource(resource.NewSchemaless(
		attribute.String("service.name", "ordinator"), attribute.String("service.version", version), attribute.String("ordinator.country", country))))
}

// sqlTracer traces the pool's statements (their SQL text, which holds
// placeholders, never arguments), or nothing without tracing.
func sqlTracer(tracing trace.TracerProvider) pgx.QueryTracer {
	if tracing == nil {
		return nil
	}
	return otelpgx.NewTracer(otelpgx.WithTracerProvider(tracing), otelpgx.WithDisableConnectionDetailsInAttributes())
}
