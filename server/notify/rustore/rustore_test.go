package rustore_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/notify/rustore"
)

// pushServer plays RuStore Push on loopback: it checks the project and the
// service token, records every message, and answers by token.
type pushServer struct {
	mu       sync.Mutex
	received map[string]map[string]any
	*httptest.Server
}

func startPushServer(t *testing.T) *pushServer {
	s := &pushServer{received: map[string]map[string]any{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/projects/proj-ru/messages:send" || r.Header.Get("Authorization") != "Bearer svc-token" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":401,"message":"bad token","status":"UNAUTHENTICATED"}}`))
			return
		}
		var body struct {
			Message map[string]any `json:"message"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		token, _ := body.Message["token"].(string)
		s.mu.Lock()
		s.received[token] = body.Message
		s.mu.Unlock()
		switch {
		case strings.HasPrefix(token, "gone"):
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"code":404,"message":"token not found","status":"NOT_FOUND"}}`))
		case strings.HasPrefix(token, "busy"):
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		case strings.HasPrefix(token, "broken"):
			w.WriteHeader(http.StatusServiceUnavailable)
		case strings.HasPrefix(token, "bad"):
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":{"code":400,"message":"invalid message","status":"INVALID_ARGUMENT"}}`))
		default:
			w.Write([]byte(`{}`))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestSendOutcomes(t *testing.T) {
	srv := startPushServer(t)
	s, err := rustore.New(rustore.Config{Project: "proj-ru", ServiceToken: "svc-token", Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	msgs := []notify.Message{
		{Token: "ok-1", Title: "Напоминание", Body: "Пора внести результаты", Data: map[string]string{"kind": "study.due", "id": "n1"}, Urgent: true},
		{Token: "gone-1", Title: "t", Body: "b"},
		{Token: "busy-1", Title: "t", Body: "b"},
		{Token: "broken-1", Title: "t", Body: "b"},
		{Token: "bad-1", Title: "t", Body: "b"},
		{Token: "silent-1", Silent: true, Data: map[string]string{"kind": notify.KindSyncWake}},
	}
	res, err := s.Send(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	want := []notify.Outcome{notify.Sent, notify.Unregistered, notify.Retry, notify.Retry, notify.Failed, notify.Sent}
	for i, r := range res {
		if r.Outcome != want[i] {
			t.Errorf("message %d (%s): %v (%v), want %v", i, msgs[i].Token, r.Outcome, r.Err, want[i])
		}
	}
	if res[2].RetryAfter != 7*time.Second || res[3].RetryAfter != 0 {
		t.Errorf("retry after %v and %v, want the 7 s asked and none (backoff)", res[2].RetryAfter, res[3].RetryAfter)
	}
	ok := srv.received["ok-1"]
	if n, _ := ok["notification"].(map[string]any); n["title"] != "Напоминание" || n["body"] != "Пора внести результаты" {
		t.Errorf("delivered %v", ok)
	}
	if d, _ := ok["data"].(map[string]any); d["kind"] != "study.due" || d["id"] != "n1" {
		t.Errorf("data %v", ok["data"])
	}
	silent := srv.received["silent-1"]
	if _, has := silent["notification"]; has {
		t.Errorf("a silent push carries a notification: %v", silent)
	}
	if d, _ := silent["data"].(map[string]any); len(d) != 1 || d["kind"] != notify.KindSyncWake {
		t.Errorf("a silent push carries %v, want only the wake hint", silent["data"])
	}
}

func TestWrongTokenAndUnreachable(t *testing.T) {
	srv := startPushServer(t)
	s, _ := rustore.New(rustore.Config{Project: "proj-ru", ServiceToken: "other", Endpoint: srv.URL})
	res, _ := s.Send(context.Background(), []notify.Message{{Token: "ok-1", Title: "t", Body: "b"}})
	if res[0].Outcome != notify.Failed || !strings.Contains(res[0].Err.Error(), "UNAUTHENTICATED") {
		t.Fatalf("a wrong service token: %+v", res[0])
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	s, _ = rustore.New(rustore.Config{Project: "proj-ru", ServiceToken: "svc-token", Endpoint: "http://" + addr})
	res, _ = s.Send(context.Background(), []notify.Message{{Token: "ok-1", Title: "t", Body: "b"}})
	if res[0].Outcome != notify.Retry {
		t.Fatalf("RuStore unreachable: %+v, want a retry", res[0])
	}
	if _, err := rustore.New(rustore.Config{Project: "proj-ru"}); err == nil || !strings.Contains(err.Error(), "service token") {
		t.Fatalf("no service token: %v", err)
	}
}
