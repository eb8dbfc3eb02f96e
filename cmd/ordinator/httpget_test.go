package main

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"

	authv1 "github.com/ordinatorhq/ordinator/api/ordinator/auth/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/auth/v1/authv1connect"
	contentv1 "github.com/ordinatorhq/ordinator/api/ordinator/content/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/content/v1/contentv1connect"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// methods records the HTTP method of every request it carries.
type methods struct {
	seen []string
}

func (m *methods) RoundTrip(r *http.Request) (*http.Response, error) {
	m.seen = append(m.seen, r.Method)
	return http.DefaultTransport.RoundTrip(r)
}

// TestReadRPCsOverGET: read RPCs have no side effects, so a Connect client
// may send them as HTTP GET (cacheable by a CDN) and the server, its
// interceptors and gates included, answers them as it answers POST.
func TestReadRPCsOverGET(t *testing.T) {
	p := start(t, t.TempDir(), "--demo")
	ctx := context.Background()
	res, err := authv1connect.NewAuthServiceClient(http.DefaultClient, p.url()).Login(ctx, connect.NewRequest(&authv1.LoginRequest{Login: "admin@demo.ordinator", Password: demoPassword}))
	if err != nil {
		t.Fatal(err)
	}
	token := res.Msg.GetTokens().GetAccessToken()
	rec := &methods{}
	get := &http.Client{Transport: rec}
	regions, err := authv1connect.NewAdminServiceClient(get, p.url(), connect.WithHTTPGet(), servertest.WithToken(&token)).ListRegions(ctx, connect.NewRequest(&authv1.ListRegionsRequest{}))
	if err != nil || len(regions.Msg.GetRegions()) == 0 {
		t.Fatalf("ListRegions over GET: %v (%v)", regions, err)
	}
	if _, err := contentv1connect.NewContentServiceClient(get, p.url(), connect.WithHTTPGet(), servertest.WithToken(&token)).ListItems(ctx, connect.NewRequest(&contentv1.ListItemsRequest{})); err != nil {
		t.Fatalf("content ListItems over GET: %v", err)
	}
	if len(rec.seen) != 2 || rec.seen[0] != http.MethodGet || rec.seen[1] != http.MethodGet {
		t.Fatalf("methods sent: %v, want two GETs", rec.seen)
	}
}
