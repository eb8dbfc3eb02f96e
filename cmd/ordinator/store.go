package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/ordinatorhq/ordinator/server/modules"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/postgres"
	"github.com/ordinatorhq/ordinator/syncengine/sqlite"
)

// openStore opens the database the configuration names, applying every
// migration: PostgreSQL with --database-url, else SQLite in --data-dir.
// Nothing is created on disk before the inputs are known to be usable.
// It serves the one-shot commands, which never watch for commits.
func openStore(ctx context.Context, cfg *Config) (syncengine.Store, error) {
	return openServerStore(ctx, cfg, nil, nil)
}

// openServerStore is openStore for the server: the store reports to log
// what goes wrong while it runs, a lost LISTEN connection above all (nil
// is slog.Default), and traces its statements to tracing if set.
func openServerStore(ctx context.Context, cfg *Config, log *slog.Logger, tracing trace.TracerProvider) (syncengine.Store, error) {
	var store syncengine.Store
	if cfg.DatabaseURL != "" {
		s, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{Logger: log, Tracer: sqlTracer(tracing),
			TransactionPooler: cfg.DatabasePooler == "transaction", DirectURL: cfg.DatabaseDirectURL, ReadURL: cfg.DatabaseReadURL,
			ReplicaWait: cfg.DatabaseReadWait})
		if err != nil {
			return nil, fmt.Errorf("cannot use the database given by --database-url: %s", oneLine(err))
		}
		store = s
	} else {
		if err := writableDir(cfg.DataDir); err != nil {
			return nil, err
		}
		s, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "ordinator.db"), sqlite.Options{})
		if err != nil {
			return nil, fmt.Errorf("cannot open the embedded database in %s: %v", cfg.DataDir, err)
		}
		store = s
	}
	for _, m := range modules.Schemas() {
		if err := store.Migrate(ctx, m.Name, m.Migrations(store.Dialect())); err != nil {
			store.Close()
			return nil, err
		}
	}
	return store, nil
}

// storeMetrics are the store's own counters, for /metrics: the shared
// buckets' page cache (both stores) and, with --database-read-url, the
// pulls the replica answered and those the primary took over.
func storeMetrics(store syncengine.Store) []prometheus.Collector {
	var cs []prometheus.Collector
	if c, ok := store.(interface{ PageCacheStats() (hits, misses uint64) }); ok {
		cs = append(cs, counterPair("ordinator_page_cache_lookups_total",
			"Pull ranges of shared buckets looked up in the page cache, by result (hit: served from memory, miss: read from the database).",
			"result", "hit", "miss", c.PageCacheStats)...)
	}
	if s, ok := store.(*postgres.Store); ok && s.HasReplica() {
		cs = append(cs, counterPair("ordinator_replica_pulls_total",
			"Pulls with --database-read-url, by what answered them (primary: the replica was behind, paused or down).",
			"answered_by", "replica", "primary", s.ReplicaStats)...)
	}
	return cs
}

// counterPair is a counter with two values of one label, both read from
// stats when scraped.
func counterPair(name, help, label, first, second string, stats func() (uint64, uint64)) []prometheus.Collector {
	counter := func(value string, pick func(a, b uint64) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: prometheus.Labels{label: value}},
			func() float64 { return float64(pick(stats())) })
	}
	return []prometheus.Collector{
		counter(first, func(a, _ uint64) uint64 { return a }),
		counter(second, func(_, b uint64) uint64 { return b }),
	}
}

// writableDir makes sure dir exists and can be written.
func writableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data directory %s cannot be created: %v (choose another with --data-dir)", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %v (choose another with --data-dir)", dir, unwrapPath(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// oneLine folds a multi-line error (pgx lists every address it tried) into
// one line without repeats.
func oneLine(err error) string {
	var parts []string
	seen := map[string]bool{}
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !seen[l] {
			seen[l] = true
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
