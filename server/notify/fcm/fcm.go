// Package fcm implements notify.Sender on Firebase Cloud Messaging through
// the Firebase Admin SDK (firebase.google.com/go/v4): each batch fans out
// with SendEach, and FCM's answers become outcomes the outbox acts on
// (unregistered tokens are deleted, 429 and 5xx are retried after their
// Retry-After or a backoff).
package fcm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"

	"github.com/ordinatorhq/ordinator/server/notify"
)

// Sender sends pushes through FCM.
type Sender struct {
	client  *messaging.Client
	project string
}

var _ notify.Sender = (*Sender)(nil)

// maxBatch is the most messages SendEach takes at once.
const maxBatch = 500

// New returns a sender for a Firebase project; opts carry the credentials
// (or, in tests, an endpoint and no authentication).
func New(ctx context.Context, projectID string, opts ...option.ClientOption) (*Sender, error) {
	if projectID == "" {
		return nil, errors.New("fcm: a Firebase project id is needed")
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("fcm: %w", err)
	}
	client, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("fcm: %w", err)
	}
	return &Sender{client: client, project: projectID}, nil
}

// FromCredentialsFile returns a sender authenticated by a service-account
// key file (as the Firebase console downloads it), for the key's project.
func FromCredentialsFile(ctx context.Context, path string) (*Sender, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the FCM credentials: %w", err)
	}
	var key struct {
		Type        string `json:"type"`
		ProjectID   string `json:"project_id"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal(data, &key); err != nil {
		return nil, fmt.Errorf("FCM credentials %s are not JSON: %v", path, err)
	}
	if key.Type != "service_account" || key.ProjectID == "" || key.ClientEmail == "" || key.PrivateKey == "" {
		return nil, fmt.Errorf("FCM credentials %s are not a service-account key (type, project_id, client_email and private_key are needed)", path)
	}
	return New(ctx, key.ProjectID, option.WithAuthCredentialsJSON(option.ServiceAccount, data))
}

// Project returns the Firebase project the sender sends for.
func (s *Sender) Project() string { return s.project }

// Send implements notify.Sender.
func (s *Sender) Send(ctx context.Context, msgs []notify.Message) ([]notify.Result, error) {
	out := make([]notify.Result, 0, len(msgs))
	for start := 0; start < len(msgs); start += maxBatch {
		chunk := msgs[start:min(start+maxBatch, len(msgs))]
		batch := make([]*messaging.Message, len(chunk))
		for i, m := range chunk {
			batch[i] = message(m)
		}
		res, err := s.client.SendEach(ctx, batch)
		if err != nil {
			// Nothing of this chunk was sent; what earlier chunks sent
			// stands, and the rest is retried.
			for range chunk {
				out = append(out, notify.Result{Outcome: notify.Retry, Err: err})
			}
			continue
		}
		for _, r := range res.Responses {
			out = append(out, result(r, time.Now()))
		}
	}
	return out, nil
}

// message builds the FCM message of a push.
func message(m notify.Message) *messaging.Message {
	fm := &messaging.Message{Token: m.Token, Data: m.Data}
	if m.Silent {
		fm.Android = &messaging.AndroidConfig{Priority: "high", CollapseKey: notify.KindSyncWake}
		fm.APNS = &messaging.APNSConfig{
			Headers: map[string]string{"apns-priority": "5", "apns-push-type": "background"},
			Payload: &messaging.APNSPayload{Aps: &messaging.Aps{ContentAvailable: true}},
		}
		return fm
	}
	fm.Notification = &messaging.Notification{Title: m.Title, Body: m.Body}
	priority := "normal"
	if m.Urgent {
		priority = "high"
	}
	fm.Android = &messaging.AndroidConfig{Priority: priority}
	return fm
}

// result turns FCM's answer to one message into an outcome. Only answers
// that say the message was not taken are retried: a 429, a 5xx, or no
// connection at all. A request that timed out or broke midway may have
// been delivered, so it is not sent again: a device never gets one
// notification twice.
func result(r *messaging.SendResponse, now time.Time) notify.Result {
	if r.Success {
		return notify.Result{Outcome: notify.Sent}
	}
	err := r.Error
	resp := errorutils.HTTPResponse(err)
	switch {
	case messaging.IsUnregistered(err), messaging.IsSenderIDMismatch(err):
		return notify.Result{Outcome: notify.Unregistered, Err: err}
	case resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500):
		return notify.Result{Outcome: notify.Retry, RetryAfter: retryAfter(err, now), Err: err}
	case resp == nil && errorutils.IsUnavailable(err): // the connection was refused
		return notify.Result{Outcome: notify.Retry, Err: err}
	case resp == nil:
		return notify.Result{Outcome: notify.Failed, Err: fmt.Errorf("not retried, FCM may have taken it: %w", err)}
	}
	return notify.Result{Outcome: notify.Failed, Err: err}
}

// retryAfter reads the Retry-After of an FCM answer: seconds or a date.
func retryAfter(err error, now time.Time) time.Duration {
	resp := errorutils.HTTPResponse(err)
	if resp == nil {
		return 0
	}
	h := resp.Header.Get("Retry-After")
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
