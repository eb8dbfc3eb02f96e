package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
)

// sessionFile is where a Session keeps its tokens, in the replica's
// directory: a wipe deletes it with the replica.
const sessionFile = "session.json"

// ErrNoSession: no session is kept in the directory; sign in with Login.
var ErrNoSession = errors.New("sdk: not signed in: no session in this directory")

// SessionOptions configure a Session.
type SessionOptions struct {
	// Dir is the replica's directory, which keeps the session too.
	Dir string
	// ServerURL is the server to sign in to. OpenSession takes the one the
	// session was opened on when it is empty.
	ServerURL string
	// HTTPClient makes the AuthService calls (default: as Options.HTTPClient).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Credentials sign a user in on a new device.
type Credentials struct {
	Login      string // e-mail or phone
	Password   string
	DeviceName string // shown in the user's list of devices
	Platform   string // "android", "ios", "cli"...
}

// SessionInfo is who a session signed in, where.
type SessionInfo struct {
	ServerURL   string
	UserID      string
	DisplayName string
	DeviceID    string
}

// Session is a TokenSource over an AuthService device session, kept in the
// replica's directory. Refreshing rotates the refresh token, and the session
// keeps every rotation on disk (written whole and synced) before it hands
// out the access token that came with it: a refresh token is used only once
// it is safely kept, and until then the one before it stays on disk. An app
// killed mid-refresh, or a refresh whose answer was lost, retries with the
// previous token, which the server answers with the same rotation again, so
// a lost answer never signs the device out or wipes it.
type Session struct {
	path string
	now  func() time.Time
	auth authv1connect.AuthServiceClient

	mu sync.Mutex
	st sessionState
}

// sessionState is the file's content.
type sessionState struct {
	Server               string `json:"server"`
	UserID               string `json:"user_id"`
	DisplayName          string `json:"display_name"`
	DeviceID             string `json:"device_id"`
	AccessToken          string `json:"access_token"`
	AccessExpiresUnixMs  int64  `json:"access_expires_unix_ms"`
	RefreshToken         string `json:"refresh_token"`
	RefreshExpiresUnixMs int64  `json:"refresh_expires_unix_ms"`
}

func (st *sessionState) setTokens(t *authv1.Tokens) {
	st.AccessToken, st.AccessExpiresUnixMs = t.GetAccessToken(), t.GetAccessExpiresAtUnixMs()
	if t.GetRefreshToken() != "" {
		st.RefreshToken, st.RefreshExpiresUnixMs = t.GetRefreshToken(), t.GetRefreshExpiresAtUnixMs()
	}
}

func newSession(o SessionOptions, st sessionState) (*Session, error) {
	if o.Dir == "" {
		return nil, errors.New("sdk: SessionOptions.Dir is required")
	}
	if o.ServerURL != "" {
		st.Server = o.ServerURL
	}
	st.Server = strings.TrimRight(st.Server, "/")
	if !strings.HasPrefix(st.Server, "http://") && !strings.HasPrefix(st.Server, "https://") {
		return nil, fmt.Errorf("sdk: server URL %q must start with http:// or https://", st.Server)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = defaultHTTPClient(st.Server)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Session{path: filepath.Join(o.Dir, sessionFile), now: o.Now, st: st,
		auth: authv1connect.NewAuthServiceClient(o.HTTPClient, st.Server)}, nil
}

// Login signs a user in on a new device (AuthService.Login) and keeps the
// session in o.Dir, replacing any kept there.
func Login(ctx context.Context, o SessionOptions, c Credentials) (*Session, error) {
	s, err := newSession(o, sessionState{})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("sdk: creating the replica directory: %w", err)
	}
	res, err := s.auth.Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: c.Login, Password: c.Password, DeviceName: c.DeviceName, Platform: c.Platform}))
	if err != nil {
		return nil, err
	}
	s.st.UserID, s.st.DisplayName, s.st.DeviceID = res.Msg.GetUser().GetId(), res.Msg.GetUser().GetDisplayName(), res.Msg.GetDeviceId()
	s.st.setTokens(res.Msg.GetTokens())
	if err := s.st.save(s.path); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenSession returns the session kept in o.Dir, or ErrNoSession.
func OpenSession(o SessionOptions) (*Session, error) {
	if o.Dir == "" {
		return nil, errors.New("sdk: SessionOptions.Dir is required")
	}
	b, err := os.ReadFile(filepath.Join(o.Dir, sessionFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("sdk: reading the session: %w", err)
	}
	var st sessionState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("sdk: the session in %s is damaged (%v): sign in again", filepath.Join(o.Dir, sessionFile), err)
	}
	return newSession(o, st)
}

// Info says who the session signed in, where.
func (s *Session) Info() SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SessionInfo{ServerURL: s.st.Server, UserID: s.st.UserID, DisplayName: s.st.DisplayName, DeviceID: s.st.DeviceID}
}

// Token implements TokenSource: the access token, refreshed (and the
// refresh token rotated) when asked to or within 30 s of its expiry. A
// revoked device gets a *RevokedError, on which the replica wipes itself.
func (s *Session) Token(ctx context.Context, refresh bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	valid := s.st.AccessToken != "" && (s.st.AccessExpiresUnixMs == 0 || now.Before(time.UnixMilli(s.st.AccessExpiresUnixMs)))
	soon := s.st.AccessExpiresUnixMs != 0 && now.Add(30*time.Second).After(time.UnixMilli(s.st.AccessExpiresUnixMs))
	if !refresh && valid && !soon {
		return s.st.AccessToken, nil
	}
	if s.st.RefreshToken == "" {
		return "", errors.New("sdk: the session cannot be refreshed: sign in again")
	}
	res, err := s.auth.Refresh(ctx, connect.NewRequest(&authv1.RefreshRequest{RefreshToken: s.st.RefreshToken}))
	if rev := revoked(err); rev != nil {
		return "", rev
	}
	if err != nil {
		if !refresh && valid {
			return s.st.AccessToken, nil // still good for a few seconds
		}
		return "", fmt.Errorf("sdk: refreshing the session: %w", err)
	}
	next := s.st
	next.setTokens(res.Msg.GetTokens())
	if err := next.save(s.path); err != nil {
		// The rotation is not kept, so its token is not used: the refresh
		// token kept gets the same rotation again at the next try.
		return "", err
	}
	s.st = next
	return s.st.AccessToken, nil
}

// save writes the session whole (a new file renamed over the old one) and
// syncs file and directory, so neither a crash nor a power loss can leave a
// rotation half kept or lose it once Token has returned its access token.
func (st *sessionState) save(path string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("sdk: keeping the session: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sdk: keeping the session: %w", err)
	}
	return nil
}

// syncDir makes a rename in dir durable (Windows cannot open a directory
// to sync it).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
