package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/peterbourgon/ff/v3/ffcli"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
)

// session is what `ordinator device login` keeps in the device directory:
// the server, the tokens of the device's session, and who is signed in.
type session struct {
	Server               string `json:"server"`
	UserID               string `json:"user_id"`
	DisplayName          string `json:"display_name"`
	DeviceID             string `json:"device_id"`
	AccessToken          string `json:"access_token"`
	AccessExpiresUnixMs  int64  `json:"access_expires_unix_ms"`
	RefreshToken         string `json:"refresh_token"`
	RefreshExpiresUnixMs int64  `json:"refresh_expires_unix_ms"`
}

func sessionPath(dir string) string { return filepath.Join(dir, "session.json") }

// loadSession returns the saved session, or nil if there is none.
func loadSession(dir string) (*session, error) {
	b, err := os.ReadFile(sessionPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s session
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("the session in %s is damaged (%v): log in again", sessionPath(dir), err)
	}
	return &s, nil
}

// save writes the session atomically, readable by the user alone.
func (s *session) save(dir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := sessionPath(dir) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, sessionPath(dir))
}

func (s *session) setTokens(t *authv1.Tokens) {
	s.AccessToken, s.AccessExpiresUnixMs = t.GetAccessToken(), t.GetAccessExpiresAtUnixMs()
	if t.GetRefreshToken() != "" {
		s.RefreshToken, s.RefreshExpiresUnixMs = t.GetRefreshToken(), t.GetRefreshExpiresAtUnixMs()
	}
}

// sessionTokens gives the replica the session's access token, refreshing
// it through AuthService.Refresh (rotating the refresh token) when it is
// about to expire or the server refused it.
type sessionTokens struct {
	dir  string
	auth authv1connect.AuthServiceClient
	mu   sync.Mutex
	s    *session
}

func newSessionTokens(dir string, s *session) *sessionTokens {
	return &sessionTokens{dir: dir, s: s, auth: authv1connect.NewAuthServiceClient(newCLIHTTPClient(), s.Server)}
}

func (t *sessionTokens) Token(ctx context.Context, refresh bool) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	soon := t.s.AccessExpiresUnixMs != 0 && time.Until(time.UnixMilli(t.s.AccessExpiresUnixMs)) < 30*time.Second
	if !refresh && !soon {
		return t.s.AccessToken, nil
	}
	if t.s.RefreshToken == "" {
		return "", errors.New("the session cannot be refreshed: log in again")
	}
	res, err := t.auth.Refresh(ctx, connect.NewRequest(&authv1.RefreshRequest{RefreshToken: t.s.RefreshToken}))
	if err != nil {
		return "", fmt.Errorf("refreshing the session: %w", err)
	}
	t.s.setTokens(res.Msg.GetTokens())
	if err := t.s.save(t.dir); err != nil {
		return "", err
	}
	return t.s.AccessToken, nil
}

func deviceLoginCommand(stdout, stderr io.Writer) *ffcli.Command {
	var f deviceFlags
	var login, password, name string
	fs := newFlagSet("device login")
	f.register(fs)
	fs.StringVar(&login, "login", "", "e-mail or phone")
	fs.StringVar(&password, "password", "", "password (default: read a line from standard input)")
	fs.StringVar(&name, "device-name", "ordinator device (terminal)", "name of this device in the user's device list")
	return &ffcli.Command{
		Name:       "login",
		ShortUsage: "ordinator device login --server URL --login EMAIL [--password P] [flags]",
		ShortHelp:  "sign in (AuthService.Login) and keep the session in --dir",
		FlagSet:    fs,
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
			if password == "" {
				fmt.Fprint(stderr, "password: ")
				line, err := bufio.NewReader(os.Stdin).ReadString('\n')
				if err != nil && line == "" {
					return errors.New("no password given (use --password or type it)")
				}
				password = strings.TrimRight(line, "\r\n")
			}
			if err := os.MkdirAll(f.dir, 0o700); err != nil {
				return fmt.Errorf("device directory %s cannot be created: %v (choose another with --dir)", f.dir, unwrapPath(err))
			}
			auth := authv1connect.NewAuthServiceClient(newCLIHTTPClient(), strings.TrimRight(server, "/"))
			res, err := auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: login, Password: password, DeviceName: name, Platform: "cli"}))
			if err != nil {
				return fmt.Errorf("logging in to %s: %w", server, err)
			}
			s := &session{Server: strings.TrimRight(server, "/"), UserID: res.Msg.GetUser().GetId(), DisplayName: res.Msg.GetUser().GetDisplayName(), DeviceID: res.Msg.GetDeviceId()}
			s.setTokens(res.Msg.GetTokens())
			if err := s.save(f.dir); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "logged in as %s (%s) on %s; this device is %s\n", s.DisplayName, s.UserID, s.Server, s.DeviceID)
			return nil
		},
	}
}
