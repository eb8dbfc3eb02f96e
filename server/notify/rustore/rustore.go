// Package rustore implements notify.Sender on RuStore Push, the push
// service a Russian stack may have to use instead of FCM: its HTTP API
// takes FCM-style messages at /v1/projects/<project>/messages:send with
// the project's service token as a bearer token.
package rustore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ordinatorhq/ordinator/server/notify"
)

// Endpoint is RuStore Push's API.
const Endpoint = "https://vkpns.rustore.ru"

// parallel bounds the requests in flight: RuStore takes one message per
// request.
const parallel = 8

// Sender sends through RuStore Push.
type Sender struct {
	project  string
	token    string
	endpoint string
	client   *http.Client
	now      func() time.Time
}

var _ notify.Sender = (*Sender)(nil)

// Config says which RuStore project to send for.
type Config struct {
	// Project is the push project id and ServiceToken its service token,
	// both from the RuStore console.
	Project, ServiceToken string
	// Endpoint replaces RuStore's (tests: a loopback server).
	Endpoint string
	// Client makes the requests (default: a client with a 30 s timeout).
	Client *http.Client
}

// New returns a sender, or an error naming what is missing.
func New(c Config) (*Sender, error) {
	if strings.TrimSpace(c.Project) == "" || strings.TrimSpace(c.ServiceToken) == "" {
		return nil, errors.New("RuStore Push needs a project id and a service token (RuStore console, Push notifications, Projects)")
	}
	if c.Endpoint == "" {
		c.Endpoint = Endpoint
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 30 * time.Second}
	}
	return &Sender{project: c.Project, token: strings.TrimSpace(c.ServiceToken), endpoint: strings.TrimRight(c.Endpoint, "/"), client: c.Client, now: time.Now}, nil
}

// Project returns the project the sender sends for.
func (s *Sender) Project() string { return s.project }

// Send implements notify.Sender.
func (s *Sender) Send(ctx context.Context, msgs []notify.Message) ([]notify.Result, error) {
	out := make([]notify.Result, len(msgs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(parallel, len(msgs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = s.send(ctx, msgs[i])
			}
		}()
	}
	for i := range msgs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, nil
}

// wire is the FCM-style message RuStore takes.
type wire struct {
	Message struct {
		Token        string            `json:"token"`
		Data         map[string]string `json:"data,omitempty"`
		Notification *notification     `json:"notification,omitempty"`
		Android      *android          `json:"android,omitempty"`
	} `json:"message"`
}

type notification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

type android struct {
	TTL string `json:"ttl,omitempty"`
}

// message builds the request body of a push: a silent one carries only
// its data (the wake hint), never a notification.
func message(m notify.Message) []byte {
	var w wire
	w.Message.Token, w.Message.Data = m.Token, m.Data
	if !m.Silent {
		w.Message.Notification = &notification{Title: m.Title, Body: m.Body}
	} else {
		w.Message.Android = &android{TTL: "3600s"} // a wake-up older than that is moot
	}
	b, err := json.Marshal(w)
	if err != nil {
		panic(err) // strings always marshal
	}
	return b
}

// apiError is RuStore's error answer (as FCM's).
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

func (s *Sender) send(ctx context.Context, m notify.Message) notify.Result {
	url := s.endpoint + "/v1/projects/" + s.project + "/messages:send"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(message(m)))
	if err != nil {
		return notify.Result{Outcome: notify.Failed, Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return notify.Result{Outcome: notify.Retry, Err: err} // never reached RuStore
		}
		// A request that timed out or broke midway may have been
		// delivered: not sent again, so no device gets one push twice.
		return notify.Result{Outcome: notify.Failed, Err: fmt.Errorf("not retried, RuStore may have taken it: %w", err)}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode == http.StatusOK {
		return notify.Result{Outcome: notify.Sent}
	}
	var ae apiError
	json.Unmarshal(body, &ae)
	err = fmt.Errorf("RuStore Push answered %s: %s %s", res.Status, ae.Error.Status, ae.Error.Message)
	switch {
	case res.StatusCode == http.StatusNotFound, ae.Error.Status == "UNREGISTERED", ae.Error.Status == "NOT_FOUND":
		return notify.Result{Outcome: notify.Unregistered, Err: err}
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return notify.Result{Outcome: notify.Retry, RetryAfter: retryAfter(res.Header.Get("Retry-After"), s.now()), Err: err}
	}
	return notify.Result{Outcome: notify.Failed, Err: err}
}

// retryAfter reads a Retry-After header: seconds or a date.
func retryAfter(h string, now time.Time) time.Duration {
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
