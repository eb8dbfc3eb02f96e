package notify

import (
	"context"
	"log/slog"
	"time"
)

// KindSyncWake is the kind of the silent push that wakes an app to sync.
const KindSyncWake = "sync.wake"

// Message is one push to one device.
type Message struct {
	Token    string
	Platform string
	// UserID is the recipient's account id, for the log; it is not sent.
	UserID string
	Title  string
	Body   string
	// Data travels to the app: the notification's kind and id.
	Data map[string]string
	// Silent pushes carry no text: they wake the app to sync.
	Silent bool
	// Urgent pushes are delivered at high priority.
	Urgent bool
}

// Outcome is what became of one message.
type Outcome int

const (
	// Sent: the push service accepted the message.
	Sent Outcome = iota + 1
	// Unregistered: the token is no longer valid; it is deleted.
	Unregistered
	// Retry: the push service was overloaded or failed; try again later
	// (after RetryAfter if it said).
	Retry
	// Failed: the message was refused for good.
	Failed
)

func (o Outcome) String() string {
	switch o {
	case Sent:
		return "sent"
	case Unregistered:
		return "unregistered"
	case Retry:
		return "retry"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// Result is the outcome of one message.
type Result struct {
	Outcome    Outcome
	RetryAfter time.Duration // as the push service asked (429, 503), or 0
	Err        error
}

// Sender delivers pushes. Send returns one result per message, in order;
// an error means nothing could be sent and everything is retried.
type Sender interface {
	Send(ctx context.Context, msgs []Message) ([]Result, error)
}

// LogSender writes pushes to the log instead of sending them: the sender
// of the embedded mode. It logs what a push is (its kind, its
// notification's id, the recipient's account id), never its title, body
// or token: the texts may name the recipient, and logs leave the stack.
type LogSender struct{ Log *slog.Logger }

// Send implements Sender.
func (s LogSender) Send(ctx context.Context, msgs []Message) ([]Result, error) {
	out := make([]Result, len(msgs))
	for i, m := range msgs {
		s.Log.InfoContext(ctx, "push", "kind", m.Data["kind"], "id", m.Data["id"], "user", m.UserID, "silent", m.Silent, "platform", m.Platform)
		out[i] = Result{Outcome: Sent}
	}
	return out, nil
}
