package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

func deviceSyncCommand(stdout, stderr io.Writer) *ffcli.Command {
	var f deviceFlags
	var watch bool
	fs := newFlagSet("device sync")
	f.register(fs)
	fs.BoolVar(&watch, "watch", false, "keep syncing (live), printing changes, until interrupted")
	return &ffcli.Command{
		Name:       "sync",
		ShortUsage: "ordinator device sync [--watch] [flags]",
		ShortHelp:  "push the outbox and pull to a checkpoint (once, or live with --watch)",
		FlagSet:    fs,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("sync takes no arguments, got %q", args)
			}
			r, _, err := openDevice(ctx, &f, stderr)
			if err != nil {
				return err
			}
			defer r.Close()
			if watch {
				return afterWipe(r, watchDevice(ctx, r, stdout, stderr))
			}
			return syncOnce(ctx, r, stdout, stderr)
		},
	}
}

// syncOnce pushes and pulls to a checkpoint, uploads queued photos, and
// prints the rejections this run brought: a run in which the server
// rejected a mutation fails, so scripts notice.
func syncOnce(ctx context.Context, r *sdk.Replica, stdout, stderr io.Writer) error {
	known, err := r.Rejections(ctx)
	if err != nil {
		return err
	}
	bar := newSyncProgress(r, stderr)
	err = r.Sync(ctx)
	bar.finish()
	if err == nil {
		err = r.UploadMedia(ctx)
	}
	if err != nil {
		return afterWipe(r, err)
	}
	printStatus(stdout, r)
	fresh, err := newRejections(ctx, r, known)
	if err != nil {
		return err
	}
	for _, rj := range fresh {
		printRejection(stdout, rj)
	}
	switch {
	case len(fresh) == 1:
		return errors.New("the server rejected 1 mutation of this sync")
	case len(fresh) > 1:
		return fmt.Errorf("the server rejected %d mutations of this sync", len(fresh))
	}
	return nil
}

// newRejections are the replica's rejections that known did not hold.
func newRejections(ctx context.Context, r *sdk.Replica, known []sdk.Rejection) ([]sdk.Rejection, error) {
	all, err := r.Rejections(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, rj := range known {
		seen[rj.MutationID] = true
	}
	var out []sdk.Rejection
	for _, rj := range all {
		if !seen[rj.MutationID] {
			out = append(out, rj)
		}
	}
	return out, nil
}

// printRejection shows a rejection with its code, its reason and each
// field at fault on a line of its own.
func printRejection(w io.Writer, rj sdk.Rejection) {
	fmt.Fprintf(w, "rejected   mutation %d %s: %s: %s\n", rj.MutationID, rj.Mutation, rj.Code, rj.Reason)
	for _, v := range rj.Violations {
		fmt.Fprintf(w, "             %s: %s\n", v.Field, v.Description)
	}
}

// watchDevice runs the sync loop and prints what happens until ctx ends.
func watchDevice(ctx context.Context, r *sdk.Replica, stdout, stderr io.Writer) error {
	bar := newSyncProgress(r, stderr)
	defer bar.finish()
	stopChanges := r.Observe("", func(c string) { fmt.Fprintf(stdout, "%s  %s changed\n", time.Now().Format("15:04:05"), c) })
	defer stopChanges()
	var rejected atomic.Int64
	stopRejections := r.ObserveRejections(func(rj sdk.Rejection) {
		rejected.Add(1)
		fmt.Fprintf(stdout, "%s  ", time.Now().Format("15:04:05"))
		printRejection(stdout, rj)
	})
	defer stopRejections()
	last := ""
	wiped := make(chan struct{})
	stopStatus := r.ObserveStatus(func(s sdk.Status) {
		line := statusLine(s)
		if line != last {
			last = line
			fmt.Fprintf(stdout, "%s  %s\n", time.Now().Format("15:04:05"), line)
		}
		if s.Wiped {
			select {
			case <-wiped:
			default:
				close(wiped)
			}
		}
	})
	defer stopStatus()
	if err := r.Start(); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		if n := rejected.Load(); n > 0 {
			return fmt.Errorf("the server rejected %d mutations while watching", n)
		}
		return nil
	case <-wiped:
		return sdk.ErrWiped
	}
}

func statusLine(s sdk.Status) string {
	var parts []string
	switch {
	case s.Wiped:
		return "wiped: " + s.LastError
	case s.Live:
		parts = append(parts, "live")
	case s.Online:
		parts = append(parts, "online")
	default:
		parts = append(parts, "offline")
	}
	parts = append(parts, fmt.Sprintf("%d pending", s.Pending))
	if s.MediaQueued > 0 {
		parts = append(parts, fmt.Sprintf("%d photos queued", s.MediaQueued))
	}
	if !s.LastCheckpoint.IsZero() {
		parts = append(parts, "checkpoint "+s.LastCheckpoint.Format("15:04:05"))
	}
	if s.LastError != "" {
		parts = append(parts, "error: "+s.LastError)
	}
	return strings.Join(parts, ", ")
}
