package rpc_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ordinatorhq/ordinator/api/ordinator/sync/v1/syncv1connect"
	"github.com/ordinatorhq/ordinator/server/rpc"
)

// TestProfilesOnlyOnMetricsListener checks that Go profiles are served
// next to /metrics and never by the API handler.
func TestProfilesOnlyOnMetricsListener(t *testing.T) {
	e := newEnv(t, rpc.Config{Auth: tokens{}})
	rec := httptest.NewRecorder()
	e.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/goroutine?debug=1", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "goroutine profile:") {
		t.Fatalf("metrics listener GET /debug/pprof/goroutine: %d %.200s", rec.Code, rec.Body)
	}
	res, err := http.Get(e.url + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusOK || strings.Contains(string(body), "goroutine profile:") {
		t.Fatalf("the API listener served a profile: %s", res.Status)
	}
}

// TestSmallResponsesUncompressed checks that a response of a few bytes is
// sent as it is even to a client that accepts gzip: compressing it costs
// more than it saves (a live event to 10,000 streams spent a third of its
// time resetting gzip writers).
func TestSmallResponsesUncompressed(t *testing.T) {
	e := newEnv(t, rpc.Config{Auth: tokens{}})
	req, _ := http.NewRequest(http.MethodPost, e.url+syncv1connect.SyncServicePushProcedure, strings.NewReader(`{"clientId":"client-1","mutations":[{"seq":"1","name":"note.put"}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer user-1")
	// A transport that does not add or undo gzip by itself.
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("push: %s", res.Status)
	}
	if enc := res.Header.Get("Content-Encoding"); enc != "" {
		t.Errorf("a %d-byte answer was sent with Content-Encoding %q", res.ContentLength, enc)
	}
}
