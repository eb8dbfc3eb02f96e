// Command ordinator is the single binary of the platform: it serves the API
// (embedded on SQLite with no flags, or on PostgreSQL, MinIO and FCM),
// migrates databases and runs admin tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/peterbourgon/ff/v3/ffcli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line on the process's standard input.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWithInput(ctx, args, os.Stdin, stdout, stderr)
}

// runWithInput runs the command line and returns the exit code: 0, 1 when
// the command failed, 2 for a usage error. Passwords are read from stdin.
func runWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := rootCommand(stdin, stdout, stderr)
	if err := root.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usageOf(root, args))
			return 0
		}
		var noExec ffcli.NoExecError
		if errors.As(err, &noExec) {
			fmt.Fprintln(stdout, noExec.Command.UsageFunc(noExec.Command))
			return 2
		}
		msg := strings.TrimPrefix(err.Error(), "error parsing commandline arguments: ")
		fmt.Fprintf(stderr, "ordinator: %s (see 'ordinator %s -h')\n", msg, commandPath(root, args))
		return 2
	}
	if err := root.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "ordinator: %v\n", err)
		return 1
	}
	return 0
}

func rootCommand(stdin io.Reader, stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("ordinator", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &ffcli.Command{
		Name:       "ordinator",
		ShortUsage: "ordinator <command> [flags]",
		LongHelp:   "Ordinator is the offline-first backend of the doctors' platform.\nRun 'ordinator serve' to start it embedded (SQLite, local files, log notifications).",
		FlagSet:    fs,
		Subcommands: []*ffcli.Command{
			serveCommand(stdout, stderr),
			migrateCommand(stdout, stderr),
			importCommand(stdout, stderr),
			adminCommand(stdin, stdout, stderr),
			contentCommand(stdout, stderr),
			exportCommand(stdout, stderr),
			reportCommand(stdout, stderr),
			warehouseCommand(stdout, stderr),
			giftsCommand(stdout, stderr),
			deviceCommand(stdin, stdout, stderr),
			loadCommand(stdout, stderr),
			versionCommand(stdout),
			studiesCommand(stdout),
		},
	}
}

// newFlagSet returns a flag set that reports errors to run instead of
// printing them, so a bad flag is one clear line.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// selectedCommand follows args down the command tree and returns the
// command and its path ("warehouse receipt").
func selectedCommand(root *ffcli.Command, args []string) (*ffcli.Command, string) {
	c := root
	var path []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		var next *ffcli.Command
		for _, sub := range c.Subcommands {
			if sub.Name == a {
				next = sub
				break
			}
		}
		if next == nil {
			break
		}
		c = next
		path = append(path, c.Name)
	}
	if len(path) == 0 {
		return c, "<command>"
	}
	return c, strings.Join(path, " ")
}

func usageOf(root *ffcli.Command, args []string) string {
	c, _ := selectedCommand(root, args)
	if c.UsageFunc == nil {
		return ffcli.DefaultUsageFunc(c)
	}
	return c.UsageFunc(c)
}

func commandPath(root *ffcli.Command, args []string) string {
	_, path := selectedCommand(root, args)
	return path
}
