package sdk

import (
	"context"

	"connectrpc.com/connect"
)

// Conn is what an app's own Connect clients need to call the server as the
// replica's user: the replica's HTTP client (one HTTP/2 connection with the
// sync calls), the server URL, and client options that send the access
// token the replica holds. Build a client from it, for example:
//
//	err := r.Call(ctx, func(ctx context.Context, c sdk.Conn) error {
//		_, err := notifyv1connect.NewNotifyServiceClient(c.HTTPClient, c.ServerURL, c.Options...).
//			RegisterPushToken(ctx, connect.NewRequest(req))
//		return err
//	})
type Conn struct {
	HTTPClient connect.HTTPClient
	ServerURL  string
	Options    []connect.ClientOption
}

// Call runs fn with the replica's connection to the server, and once more
// with a refreshed token if the server answers Unauthenticated, as the
// sync loop does. A device the server revoked gets a *RevokedError (the
// next sync wipes the replica).
func (r *Replica) Call(ctx context.Context, fn func(ctx context.Context, c Conn) error) error {
	if err := r.check(); err != nil {
		return err
	}
	c := Conn{HTTPClient: r.opts.HTTPClient, ServerURL: r.opts.ServerURL,
		Options: []connect.ClientOption{connect.WithInterceptors(&bearer{c: r.api})}}
	return r.wrap(r.api.call(ctx, func(ctx context.Context) error { return fn(ctx, c) }))
}
