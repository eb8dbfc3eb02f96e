package sdk

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/media/v1/mediav1connect"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TokenSource supplies the access token the replica sends as
// "Authorization: Bearer <token>". The app owns sign-in: it implements
// this over its session (AuthService.Login and Refresh).
type TokenSource interface {
	// Token returns the access token. With refresh set, the server refused
	// the last one: obtain a new one (rotate the refresh token). An error
	// with refresh set means the user must sign in again.
	Token(ctx context.Context, refresh bool) (string, error)
}

// StaticToken is a TokenSource with a fixed token, for tools and tests.
type StaticToken string

// Token implements TokenSource.
func (t StaticToken) Token(context.Context, bool) (string, error) { return string(t), nil }

// TokenFunc adapts a function to TokenSource.
type TokenFunc func(ctx context.Context, refresh bool) (string, error)

// Token implements TokenSource.
func (f TokenFunc) Token(ctx context.Context, refresh bool) (string, error) { return f(ctx, refresh) }

// defaultHTTPClient speaks HTTP/2 to the server (over TLS, or cleartext for
// http:// URLs, which Ordinator serves with h2c), so the live subscription
// and the calls share one connection.
func defaultHTTPClient(serverURL string) *http.Client {
	protocols := new(http.Protocols)
	if strings.HasPrefix(serverURL, "http://") {
		protocols.SetUnencryptedHTTP2(true)
	} else {
		protocols.SetHTTP1(true)
		protocols.SetHTTP2(true)
	}
	return &http.Client{Transport: &http.Transport{
		Protocols:           protocols,
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		HTTP2: &http.HTTP2Config{
			SendPingTimeout: 20 * time.Second,
			PingTimeout:     10 * time.Second,
		},
	}}
}

// client is the replica's connection to the server.
type client struct {
	sync   syncv1connect.SyncServiceClient
	media  mediav1connect.MediaServiceClient
	http   *http.Client
	tokens TokenSource

	mu    sync.Mutex
	token string
}

func newClient(o Options, clientID string) *client {
	c := &client{http: o.HTTPClient, tokens: o.Tokens}
	opts := []connect.ClientOption{connect.WithInterceptors(&bearer{c: c})}
	c.sync = syncv1connect.NewSyncServiceClient(o.HTTPClient, o.ServerURL, opts...)
	c.media = mediav1connect.NewMediaServiceClient(o.HTTPClient, o.ServerURL, opts...)
	return c
}

// currentToken returns the cached token, asking the source when there is
// none or refresh is set.
func (c *client) currentToken(ctx context.Context, refresh bool) (string, error) {
	if c.tokens == nil {
		return "", nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && !refresh {
		return c.token, nil
	}
	t, err := c.tokens.Token(ctx, refresh)
	if err != nil {
		return "", &authError{err: err}
	}
	c.token = t
	return t, nil
}

// call runs fn, and once more with a refreshed token if the server says
// Unauthenticated. A revoked device comes back as *RevokedError.
func (c *client) call(ctx context.Context, fn func(ctx context.Context) error) error {
	err := fn(ctx)
	if connect.CodeOf(err) != connect.CodeUnauthenticated {
		return err
	}
	if rev := revoked(err); rev != nil {
		return rev
	}
	if _, terr := c.currentToken(ctx, true); terr != nil {
		return terr
	}
	err = fn(ctx)
	if rev := revoked(err); rev != nil {
		return rev
	}
	if connect.CodeOf(err) == connect.CodeUnauthenticated {
		return &authError{err: err}
	}
	return err
}

// bearer adds the access token to every call and stream.
type bearer struct{ c *client }

func (b *bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		t, err := b.c.currentToken(ctx, false)
		if err != nil {
			return nil, err
		}
		if t != "" {
			req.Header().Set("Authorization", "Bearer "+t)
		}
		return next(ctx, req)
	}
}

func (b *bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if t, err := b.c.currentToken(ctx, false); err == nil && t != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+t)
		}
		return conn
	}
}

func (b *bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// RevokedError is returned when the server has revoked this device.
type RevokedError struct{ DeviceID string }

func (e *RevokedError) Error() string {
	return "sdk: the server revoked this device (" + e.DeviceID + ")"
}

// revoked returns a *RevokedError if err carries a DeviceRevoked detail.
func revoked(err error) *RevokedError {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return nil
	}
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if derr != nil {
			continue
		}
		if dr, ok := v.(*syncv1.DeviceRevoked); ok {
			return &RevokedError{DeviceID: dr.GetDeviceId()}
		}
	}
	return nil
}

// authError: the credentials were refused even after a refresh, or the
// token source failed. The loop waits for the app to fix the session.
type authError struct{ err error }

func (e *authError) Error() string { return "sdk: not signed in: " + e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

// detailOf returns the ErrorDetail of a Connect error, if it has one.
func detailOf(err error) *commonv1.ErrorDetail {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return nil
	}
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if ed, ok := v.(*commonv1.ErrorDetail); ok {
				return ed
			}
		}
	}
	return nil
}

// errorKind says what to do about a failed call.
type errorKind int

const (
	retryLater errorKind = iota // network, server busy, internal: back off and retry
	poison                      // the request's content is refused: isolate the mutation
	blocked                     // needs the app or user (upgrade, permission): back off long
	signedOut                   // credentials refused after a refresh
	wiped                       // device revoked
)

// classify maps an error from a call to what the loop does about it.
func classify(err error) errorKind {
	var rev *RevokedError
	var auth *authError
	var moved *CountryError
	switch {
	case errors.As(err, &rev), errors.As(err, &moved), otherCountry(err) != nil:
		return wiped
	case errors.As(err, &auth) && unreachable(auth.err):
		return retryLater // a refresh that did not get through (or back) is retried
	case errors.As(err, &auth):
		return signedOut
	}
	switch connect.CodeOf(err) {
	case connect.CodeInvalidArgument, connect.CodeOutOfRange:
		return poison
	case connect.CodeResourceExhausted:
		if d := detailOf(err); d != nil && d.GetCode() == syncengine.ERATELIMIT {
			return retryLater
		}
		return poison // the request is too large
	case connect.CodeFailedPrecondition, connect.CodePermissionDenied, connect.CodeUnimplemented:
		return blocked
	case connect.CodeUnauthenticated:
		return signedOut
	}
	return retryLater
}

// unreachable reports whether a call failed for want of an answer (no
// connection, a dropped or timed-out exchange, a server restarting) rather
// than the server refusing it.
func unreachable(err error) bool {
	var ce *connect.Error
	if errors.As(err, &ce) {
		switch ce.Code() {
		case connect.CodeUnavailable, connect.CodeDeadlineExceeded, connect.CodeAborted:
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// describe turns an error into the one line Status.LastError shows.
func describe(err error) string {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return fmt.Sprintf("%s: %s", ce.Code(), ce.Message())
	}
	return err.Error()
}
