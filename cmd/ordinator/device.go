package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// deviceFlags are the flags every device subcommand takes.
type deviceFlags struct {
	dir     string
	server  string
	token   string
	verbose bool
}

func (f *deviceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "dir", "./ordinator-device", "directory of the device's replica and session")
	fs.StringVar(&f.server, "server", "", "server URL (default: the one logged in to, else http://127.0.0.1:8080)")
	fs.StringVar(&f.token, "token", "", "access token to use instead of the logged-in session")
	fs.BoolVar(&f.verbose, "v", false, "log the sync loop's work to stderr")
}

func deviceCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := newFlagSet("device")
	return &ffcli.Command{
		Name:       "device",
		ShortUsage: "ordinator device <login|sync|status|list|mutate> [flags]",
		ShortHelp:  "act as a device: a replica synced with a server, from the terminal",
		LongHelp: "Runs the mobile SDK against a server so a person can watch a replica work: log in,\n" +
			"sync once or keep syncing, look at the sync status, list a collection, queue a mutation.\n" +
			"The replica and the session live in --dir. Before AuthService is deployed, pass\n" +
			"--token with an access token instead of logging in.",
		FlagSet: fs,
		Subcommands: []*ffcli.Command{
			deviceLoginCommand(stdout, stderr),
			deviceSyncCommand(stdout, stderr),
			deviceStatusCommand(stdout),
			deviceListCommand(stdout),
			deviceMutateCommand(stdout),
		},
	}
}

// interleaved parses flags that follow positional arguments ("list note
// --limit 5"), which the flag package leaves unparsed, and returns the
// positional arguments.
func interleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if strings.HasPrefix(args[0], "-") && args[0] != "-" {
			if err := fs.Parse(args); err != nil {
				return nil, err
			}
			args = fs.Args()
			continue
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	return pos, nil
}

// openDevice opens the replica in f.dir with the session's or the flag's
// credentials.
func openDevice(ctx context.Context, f *deviceFlags, stderr io.Writer) (*sdk.Replica, *sdk.Session, error) {
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("device directory %s cannot be created: %v (choose another with --dir)", f.dir, unwrapPath(err))
	}
	sess, err := sdk.OpenSession(sdk.SessionOptions{Dir: f.dir, ServerURL: f.server, HTTPClient: newCLIHTTPClient()})
	if errors.Is(err, sdk.ErrNoSession) {
		sess, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	server := f.server
	if server == "" && sess != nil {
		server = sess.Info().ServerURL
	}
	if server == "" {
		server = "http://127.0.0.1:8080"
	}
	var tokens sdk.TokenSource
	switch {
	case f.token != "":
		tokens = sdk.StaticToken(f.token)
	case sess != nil:
		tokens = sess
	default:
		return nil, nil, errors.New("not logged in: run 'ordinator device login' first, or pass --token")
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if f.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r, err := sdk.Open(ctx, sdk.Options{Dir: f.dir, ServerURL: server, Tokens: tokens, Logger: logger, ClientSchemaVersion: currentClientSchema})
	if err != nil {
		return nil, nil, err
	}
	return r, sess, nil
}

// afterWipe says what the wipe of a device the server revoked deleted,
// unsent work first.
func afterWipe(r *sdk.Replica, err error) error {
	if !errors.Is(err, sdk.ErrWiped) {
		return err
	}
	msg := "the server revoked this device: its replica, media and session were deleted"
	if st := r.Status(); st.WipedMutations > 0 || st.WipedPhotos > 0 {
		msg += fmt.Sprintf(", with %d mutations and %d photos that had not reached the server", st.WipedMutations, st.WipedPhotos)
	}
	return errors.New(msg + "; log in again")
}

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
			return nil
		},
	}
}

// watchDevice runs the sync loop and prints what happens until ctx ends.
func watchDevice(ctx context.Context, r *sdk.Replica, stdout, stderr io.Writer) error {
	bar := newSyncProgress(r, stderr)
	defer bar.finish()
	stopChanges := r.Observe("", func(c string) { fmt.Fprintf(stdout, "%s  %s changed\n", time.Now().Format("15:04:05"), c) })
	defer stopChanges()
	stopRejections := r.ObserveRejections(func(rj sdk.Rejection) {
		fmt.Fprintf(stdout, "%s  %s\n", time.Now().Format("15:04:05"), rj)
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

func deviceStatusCommand(stdout io.Writer) *ffcli.Command {
	var f deviceFlags
	fs := newFlagSet("device status")
	f.register(fs)
	return &ffcli.Command{
		Name:       "status",
		ShortUsage: "ordinator device status [flags]",
		ShortHelp:  "show the replica: session, outbox, buckets, checkpoint, rejections",
		FlagSet:    fs,
		Exec: func(ctx context.Context, args []string) error {
			r, sess, err := openDevice(ctx, &f, io.Discard)
			if err != nil {
				return err
			}
			defer r.Close()
			if sess != nil {
				i := sess.Info()
				fmt.Fprintf(stdout, "user       %s (%s) on %s, device %s\n", i.DisplayName, i.UserID, i.ServerURL, i.DeviceID)
			}
			fmt.Fprintf(stdout, "client     %s\n", r.ClientID())
			printStatus(stdout, r)
			sums, err := r.Checksums(ctx)
			if err != nil {
				return err
			}
			for _, b := range sortedKeys(sums) {
				fmt.Fprintf(stdout, "bucket     %-30s %7d rows  checksum %016x\n", b, sums[b].Count, sums[b].Sum)
			}
			for _, c := range r.Collections() {
				n, err := r.Count(ctx, sdk.Query{Collection: c})
				if err != nil {
					return err
				}
				pending, err := r.Count(ctx, sdk.Query{Collection: c, Where: []sdk.Filter{{Column: "pending", Op: sdk.Eq, Value: true}}})
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "collection %-30s %7d records, %d pending\n", c, n, pending)
			}
			rejections, err := r.Rejections(ctx)
			if err != nil {
				return err
			}
			for _, rj := range rejections {
				fmt.Fprintf(stdout, "rejected   %s\n", rj)
			}
			return nil
		},
	}
}

func printStatus(w io.Writer, r *sdk.Replica) {
	s := r.Status()
	cp := "never"
	if !s.LastCheckpoint.IsZero() {
		cp = s.LastCheckpoint.Local().Format(time.DateTime)
	}
	fmt.Fprintf(w, "synced     %s, last checkpoint %s\n", onlineWord(s), cp)
	fmt.Fprintf(w, "outbox     %d pending mutations, %d photos queued\n", s.Pending, s.MediaQueued)
	if s.LastError != "" {
		fmt.Fprintf(w, "last error %s\n", s.LastError)
	}
}

func onlineWord(s sdk.Status) string {
	if s.Online {
		return "online"
	}
	return "offline"
}

func deviceListCommand(stdout io.Writer) *ffcli.Command {
	var f deviceFlags
	var limit int
	var where, order string
	fs := newFlagSet("device list")
	f.register(fs)
	fs.IntVar(&limit, "limit", 50, "how many records to show (0: all)")
	fs.StringVar(&where, "prefix", "", "only records whose column starts with a value: column=value")
	fs.StringVar(&order, "order", "", "column to order by (default id)")
	return &ffcli.Command{
		Name:       "list",
		ShortUsage: "ordinator device list [flags] <collection>",
		ShortHelp:  "list a collection as the app sees it (pending local writes included)",
		FlagSet:    fs,
		Exec: func(ctx context.Context, args []string) error {
			args, err := interleaved(fs, args)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return errors.New("list takes one collection, e.g. 'ordinator device list note'")
			}
			r, _, err := openDevice(ctx, &f, io.Discard)
			if err != nil {
				return err
			}
			defer r.Close()
			q := sdk.Query{Collection: args[0], Limit: limit, OrderBy: order}
			if where != "" {
				col, val, ok := strings.Cut(where, "=")
				if !ok {
					return fmt.Errorf("--prefix %q: write column=value", where)
				}
				q.Where = append(q.Where, sdk.Filter{Column: col, Op: sdk.Prefix, Value: val})
			}
			recs, err := r.Query(ctx, q)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				mark := " "
				if rec.Pending {
					mark = "*"
				}
				fmt.Fprintf(stdout, "%s %s  %s\n", mark, rec.ID, printable(rec.Payload))
			}
			total, err := r.Count(ctx, sdk.Query{Collection: args[0], Where: q.Where})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%d of %d records (* pending)\n", len(recs), total)
			return nil
		},
	}
}

func deviceMutateCommand(stdout io.Writer) *ffcli.Command {
	var f deviceFlags
	fs := newFlagSet("device mutate")
	f.register(fs)
	return &ffcli.Command{
		Name:       "mutate",
		ShortUsage: "ordinator device mutate [flags] <name> <args>",
		ShortHelp:  "queue a mutation in the outbox (it goes at the next sync)",
		LongHelp: "Queues a mutation with its arguments as given (JSON for the test collections,\n" +
			"e.g. ordinator device mutate note.put '{\"id\":\"n1\",\"text\":\"hello\",\"buckets\":[\"user:42\"]}').\n" +
			"Arguments starting with @ are read from that file.",
		FlagSet: fs,
		Exec: func(ctx context.Context, args []string) error {
			args, err := interleaved(fs, args)
			if err != nil {
				return err
			}
			if len(args) != 2 {
				return errors.New("mutate takes a mutation name and its arguments")
			}
			payload := []byte(args[1])
			if file, ok := strings.CutPrefix(args[1], "@"); ok {
				var err error
				if payload, err = os.ReadFile(file); err != nil {
					return err
				}
			}
			r, _, err := openDevice(ctx, &f, io.Discard)
			if err != nil {
				return err
			}
			defer r.Close()
			id, err := r.Mutate(ctx, args[0], payload)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "queued %s as mutation %d; %d in the outbox (run 'ordinator device sync')\n", args[0], id, r.Status().Pending)
			return nil
		},
	}
}
