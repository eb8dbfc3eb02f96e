// Package fcmtest is an FCM-compatible HTTP server on loopback for tests
// and benchmarks: it answers POST /v1/projects/{project}/messages:send as
// Firebase Cloud Messaging's HTTP v1 API does, records what it delivered,
// and can answer a token with 404 UNREGISTERED, 429 with a Retry-After, or
// 500. The real firebase client talks to it through Options.
package fcmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/api/option"
)

// Project is the Firebase project the server serves.
const Project = "ordinator-test"

// Message is a push the server accepted.
type Message struct {
	Name            string
	Token           string
	Title, Body     string
	Data            map[string]string
	AndroidPriority string
	// ContentAvailable is the APNs flag of silent pushes.
	ContentAvailable bool
	At               time.Time
}

// Reply is a scripted answer to one request.
type Reply struct {
	Status     int    // 400 INVALID_ARGUMENT, 404 UNREGISTERED, 429 QUOTA_EXCEEDED, 503 UNAVAILABLE, others INTERNAL
	RetryAfter string // the Retry-After header, if any
}

// Server is the loopback FCM.
type Server struct {
	URL string

	mu           sync.Mutex
	now          func() time.Time
	delivered    []Message
	requests     int
	unregistered map[string]bool
	script       map[string][]Reply
	nextID       int
}

// Start runs a server until the test ends. now stamps deliveries (nil for
// time.Now).
func Start(t testing.TB, now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}
	s := &Server{now: now, unregistered: map[string]bool{}, script: map[string][]Reply{}}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// Options point a firebase client at the server, without authentication.
func (s *Server) Options() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.URL + "/v1"), option.WithoutAuthentication()}
}

// Unregister makes every later message to token fail with UNREGISTERED.
func (s *Server) Unregister(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unregistered[token] = true
}

// Script queues answers for the next requests to token; once they are used
// up, messages to it are delivered.
func (s *Server) Script(token string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[token] = append(s.script[token], replies...)
}

// Delivered returns the messages accepted so far.
func (s *Server) Delivered() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.delivered...)
}

// DeliveredTo returns the messages accepted for one token.
func (s *Server) DeliveredTo(token string) []Message {
	var out []Message
	for _, m := range s.Delivered() {
		if m.Token == token {
			out = append(out, m)
		}
	}
	return out
}

// Count returns how many messages were accepted.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.delivered)
}

// Requests returns how many send requests arrived, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

type request struct {
	ValidateOnly bool `json:"validate_only"`
	Message      struct {
		Token        string            `json:"token"`
		Data         map[string]string `json:"data"`
		Notification *struct {
			Title string `json:"title"`
			Body  string `json:"body"`
		} `json:"notification"`
		Android *struct {
			Priority string `json:"priority"`
		} `json:"android"`
		APNS *struct {
			Payload struct {
				Aps struct {
					ContentAvailable int `json:"content-available"`
				} `json:"aps"`
			} `json:"payload"`
		} `json:"apns"`
	} `json:"message"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/projects/")
	project, action, _ := strings.Cut(rest, "/")
	if r.Method != http.MethodPost || !ok || action != "messages:send" {
		fail(w, http.StatusNotFound, "NOT_FOUND", "", "no such method")
		return
	}
	if project != Project {
		fail(w, http.StatusForbidden, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "unknown project "+project)
		return
	}
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Message.Token == "" {
		fail(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "the message has no token")
		return
	}
	m := req.Message
	s.mu.Lock()
	s.requests++
	var reply *Reply
	if s.unregistered[m.Token] {
		reply = &Reply{Status: http.StatusNotFound}
	} else if q := s.script[m.Token]; len(q) > 0 {
		reply = &q[0]
		s.script[m.Token] = q[1:]
	}
	if reply != nil {
		s.mu.Unlock()
		if reply.RetryAfter != "" {
			w.Header().Set("Retry-After", reply.RetryAfter)
		}
		switch {
		case reply.Status == http.StatusNotFound:
			fail(w, reply.Status, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
		case reply.Status == http.StatusTooManyRequests:
			fail(w, reply.Status, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Sending rate exceeded.")
		case reply.Status == http.StatusBadRequest:
			fail(w, reply.Status, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token.")
		case reply.Status == http.StatusServiceUnavailable:
			fail(w, reply.Status, "UNAVAILABLE", "UNAVAILABLE", "The service is unavailable.")
		default:
			fail(w, reply.Status, "INTERNAL", "INTERNAL", "Internal error.")
		}
		return
	}
	s.nextID++
	msg := Message{Name: fmt.Sprintf("projects/%s/messages/%d", project, s.nextID), Token: m.Token, Data: m.Data, At: s.now()}
	if m.Notification != nil {
		msg.Title, msg.Body = m.Notification.Title, m.Notification.Body
	}
	if m.Android != nil {
		msg.AndroidPriority = m.Android.Priority
	}
	if m.APNS != nil {
		msg.ContentAvailable = m.APNS.Payload.Aps.ContentAvailable == 1
	}
	if !req.ValidateOnly {
		s.delivered = append(s.delivered, msg)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"name": msg.Name})
}

// fail writes an error as FCM's HTTP v1 API does.
func fail(w http.ResponseWriter, code int, status, fcmCode, message string) {
	body := map[string]any{"code": code, "message": message, "status": status}
	if fcmCode != "" {
		body["details"] = []map[string]string{{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcmCode}}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": body})
}
