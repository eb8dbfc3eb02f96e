package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/peterbourgon/ff/v3/ffcli"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// deviceLoginCommand signs in. The session is the SDK's (sdk.Session), in
// session.json in --dir beside the replica: it keeps every rotation of the
// refresh token on disk before using it, so a device killed mid-refresh, or
// whose refresh answer was lost, picks up where it stopped.
func deviceLoginCommand(stdin io.Reader, stdout, stderr io.Writer) *ffcli.Command {
	var f deviceFlags
	var login, name string
	var password passwordInput
	fs := newFlagSet("device login")
	f.register(fs)
	fs.StringVar(&login, "login", "", "e-mail or phone")
	password.register(fs)
	fs.StringVar(&name, "device-name", "ordinator device (terminal)", "name of this device in the user's device list")
	return &ffcli.Command{
		Name:       "login",
		ShortUsage: "ordinator device login --server URL --login EMAIL [--password-stdin] [flags]",
		LongHelp: "Asks the password at the terminal (not echoed); --password-stdin reads it from standard\n" +
			"input instead, or it comes from " + passwordEnv + ".",
		ShortHelp: "sign in (AuthService.Login) and keep the session in --dir",
		FlagSet:   fs,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("login takes no arguments, got %q", args)
			}
			if login == "" {
				return errors.New("--login is required")
			}
			server := f.server
			if server == "" {
				server = "http://127.0.0.1:8080"
			}
			pw, err := password.read(stdin, stderr, os.Getenv, false)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(f.dir, 0o700); err != nil {
				return fmt.Errorf("device directory %s cannot be created: %v (choose another with --dir)", f.dir, unwrapPath(err))
			}
			sess, err := sdk.Login(ctx, sdk.SessionOptions{Dir: f.dir, ServerURL: server, HTTPClient: newCLIHTTPClient()},
				sdk.Credentials{Login: login, Password: pw, DeviceName: name, Platform: "cli"})
			if err != nil {
				return fmt.Errorf("logging in to %s: %w", server, err)
			}
			s := sess.Info()
			fmt.Fprintf(stdout, "logged in as %s (%s) on %s; this device is %s\n", s.DisplayName, s.UserID, s.ServerURL, s.DeviceID)
			return nil
		},
	}
}
