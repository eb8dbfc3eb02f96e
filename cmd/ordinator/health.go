package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordinatorhq/ordinator/server/media"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// readyProbe is the object /readyz asks the blob store about: that the
// store answers "not found" proves it is reachable.
const readyProbe = "readyz/probe"

// readiness is what /readyz checks besides draining: the database answers,
// every migration of this binary is applied, and the object storage
// answers.
func readiness(store syncengine.Store, blobs media.BlobStore) func(context.Context) error {
	return func(ctx context.Context) error {
		err := store.View(ctx, func(q syncengine.Querier) error {
			var one int
			return q.QueryRow(ctx, `SELECT 1`).Scan(&one)
		})
		if err != nil {
			return fmt.Errorf("database unreachable: %s", oneLine(err))
		}
		if err := schemaCurrent(ctx, store); err != nil {
			return err
		}
		if _, err := blobs.Stat(ctx, readyProbe); err != nil && !errors.Is(err, media.ErrNotFound) {
			return fmt.Errorf("object storage unreachable: %s", oneLine(err))
		}
		return nil
	}
}
