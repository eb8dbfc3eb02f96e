package syncengine

import "context"

// Principal is the authenticated caller. The engine needs only the user (for
// the user bucket and client ownership); Claims carries what the application
// knows about them (role, region...) for its mutators and resolvers.
type Principal struct {
	UserID   string
	DeviceID string
	Claims   any
	// Address is the host the call came from, for audit records ("" for
	// the server's own tasks).
	Address string
}

// Resolver computes the buckets a principal may read. It runs on the server
// at every pull and subscribe; nothing the client says widens it.
type Resolver interface {
	Buckets(ctx context.Context, q Querier, p Principal) ([]Bucket, error)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(ctx context.Context, q Querier, p Principal) ([]Bucket, error)

// Buckets implements Resolver.
func (f ResolverFunc) Buckets(ctx context.Context, q Querier, p Principal) ([]Bucket, error) {
	return f(ctx, q, p)
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
