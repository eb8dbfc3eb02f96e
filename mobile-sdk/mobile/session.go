package mobile

import (
	"context"
	"errors"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Session is the device's sign-in, kept by the SDK in the replica's
// directory: a TokenSource to pass to Open. Each refresh rotates the
// refresh token and is written to disk before its access token is used, so
// an app killed mid-refresh, or a refresh whose answer was lost, retries
// safely and is never signed out or wiped for it (see sdk.Session).
type Session struct{ s *sdk.Session }

// Login signs a user in on a new device (by e-mail or phone) and keeps the
// session in dir, the replica's directory. deviceName is shown in the
// user's list of devices; platform is "android" or "ios".
func Login(dir, serverURL, login, password, deviceName, platform string) (s *Session, err error) {
	defer recoverInto(&err)
	ss, err := sdk.Login(context.Background(), sdk.SessionOptions{Dir: dir, ServerURL: serverURL},
		sdk.Credentials{Login: login, Password: password, DeviceName: deviceName, Platform: platform})
	if err != nil {
		return nil, err
	}
	return &Session{ss}, nil
}

// OpenSession returns the session kept in dir, or null when nobody has
// signed in on this device (or its replica was wiped). serverURL may be
// empty: the session's own is used.
func OpenSession(dir, serverURL string) (s *Session, err error) {
	defer recoverInto(&err)
	ss, err := sdk.OpenSession(sdk.SessionOptions{Dir: dir, ServerURL: serverURL})
	if errors.Is(err, sdk.ErrNoSession) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Session{ss}, nil
}

// Token implements TokenSource.
func (s *Session) Token(refresh bool) (token string, err error) {
	defer recoverInto(&err)
	return s.s.Token(context.Background(), refresh)
}

// UserID is the signed-in user.
func (s *Session) UserID() string { return s.s.Info().UserID }

// DisplayName is the signed-in user's name.
func (s *Session) DisplayName() string { return s.s.Info().DisplayName }

// DeviceID is this device's session, as the user's list of devices shows it.
func (s *Session) DeviceID() string { return s.s.Info().DeviceID }
