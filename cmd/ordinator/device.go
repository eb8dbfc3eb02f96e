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

func deviceCommand(stdin io.Reader, stdout, stderr io.Writer) *ffcli.Command {
	fs := newFlagSet("device")
	return &ffcli.Command{
		Name:       "device",
		ShortUsage: "ordinator device <login|sync|status|list|mutate> [flags]",
		ShortHelp:  "act as a device: a replica synced with a server, from the terminal",
		LongHelp: "Runs the mobile SDK, with the platform's domain modules, against a server so a person\n" +
			"can watch a replica work: log in, sync once or keep syncing, look at the sync status,\n" +
			"list a collection as JSON, queue a mutation given as JSON. The replica and the session\n" +
			"live in --dir; --token with an access token replaces the login.",
		FlagSet: fs,
		Subcommands: []*ffcli.Command{
			deviceLoginCommand(stdin, stdout, stderr),
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
	r, err := sdk.Open(ctx, sdk.Options{Dir: f.dir, ServerURL: server, Tokens: tokens, Logger: logger, Schema: deviceSchema(), ClientSchemaVersion: currentClientSchema})
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
