// Package notify is the notification outbox and its delivery by push: an
// event that tells a user something writes a notification in its own
// transaction, which becomes an inbox item synced to the user's devices at
// once and a push that workers of any server process claim, send through a
// Sender (Firebase Cloud Messaging, or the log) to the user's registered
// devices in their language, retry and never send twice. Beside it: device
// push tokens, quiet hours in each user's time zone, a scheduler of
// periodic jobs shared by server processes, the directors' daily summary,
// and silent pushes that wake devices to sync.
package notify

import (
	"context"
	"embed"
	"encoding/json"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Service is the module's device side: push tokens and the inbox.
type Service struct {
	store syncengine.Store
}

// New returns the service.
func New(store syncengine.Store) *Service { return &Service{store: store} }

// Register adds the module's mutations to r.
func (s *Service) Register(r *syncengine.Registry) {
	r.Register(MutationMarkRead, markRead)
}

// InboxCollection is the collection inbox items sync under.
const InboxCollection = notifyv1.InboxItemCollection

// Notification is something to tell one user.
type Notification struct {
	UserID string
	// Kind selects the text template, e.g. "diploma.verified".
	Kind   string
	Params map[string]string
	// DedupeKey identifies the event: enqueuing the same key again does
	// nothing, so a replayed event never notifies twice.
	DedupeKey string
	// Urgent notifications may be pushed during quiet hours.
	Urgent bool
}

// Enqueue writes a notification into the outbox and the user's inbox, in
// tx. It reports whether it was new.
func Enqueue(ctx context.Context, tx syncengine.Tx, n Notification) (bool, error) {
	if n.UserID == "" || n.Kind == "" || n.DedupeKey == "" {
		return false, syncengine.Errorf(syncengine.EINTERNAL, "notification without user, kind or dedupe key")
	}
	var locale string
	if err := tx.QueryRow(ctx, `SELECT locale FROM users WHERE id = $1`, n.UserID).Scan(&locale); err != nil {
		return false, err
	}
	title, body := Render(n.Kind, locale, n.Params)
	params, err := json.Marshal(n.Params)
	if err != nil {
		return false, err
	}
	id := uuid.NewString()
	now := tx.Now().UnixMilli()
	inserted, err := tx.Exec(ctx, `INSERT INTO notifications (id, user_id, kind, params, title, body, dedupe_key, urgent, created_at, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (dedupe_key) DO NOTHING`,
		id, n.UserID, n.Kind, string(params), title, body, n.DedupeKey, n.Urgent, now)
	if err != nil || inserted == 0 {
		return false, err
	}
	payload, err := proto.Marshal(&notifyv1.InboxItem{Id: id, Kind: n.Kind, Params: n.Params, Title: title, Body: body, CreatedAtUnixMs: now})
	if err != nil {
		return false, err
	}
	tx.Put(InboxCollection, id, payload, syncengine.UserBucket(n.UserID))
	return true, nil
}
