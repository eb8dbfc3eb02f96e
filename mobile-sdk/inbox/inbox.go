// Package inbox gives a doctor's app the notification inbox on a replica
// (items, unread ones, marking them read on every device through the
// mutation inbox.mark_read), registers the device's push token with the
// server, and handles Ordinator's pushes: a silent "sync.wake" push makes
// the replica sync at once.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/notify/v1/notifyv1connect"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Names the server's notify module uses.
const (
	MutationMarkRead = notifyv1.MarkReadMutation
	// KindSyncWake is the kind of the silent push that asks the app to sync.
	KindSyncWake = "sync.wake"
	// MaxMarkRead is the most items one MarkRead takes.
	MaxMarkRead = 500
)

// Items is the inbox collection, synced to the user's bucket.
var Items = sdk.ProtoCollection[*notifyv1.InboxItem](notifyv1.InboxItemCollection,
	sdk.ProtoColumn[*notifyv1.InboxItem]{Name: "created_at", Type: sdk.Integer, Value: func(it *notifyv1.InboxItem) any { return it.GetCreatedAtUnixMs() }},
	sdk.ProtoColumn[*notifyv1.InboxItem]{Name: "read_at", Type: sdk.Integer, Value: func(it *notifyv1.InboxItem) any { return it.GetReadAtUnixMs() }},
	sdk.ProtoColumn[*notifyv1.InboxItem]{Name: "kind", Type: sdk.Text, Value: func(it *notifyv1.InboxItem) any { return it.GetKind() }},
)

// ErrNotInInbox: MarkRead was given an id the replica has no item for.
var ErrNotInInbox = errors.New("inbox: no such item in the inbox")

// Register adds the inbox collection and the optimistic mark-read to a
// schema, before sdk.Open.
func Register(s *sdk.Schema) {
	s.AddCollection(Items.Collection)
	s.AddMutation(MutationMarkRead, sdk.ProtoMutation(markRead))
}

// All returns the inbox, newest first (limit 0: all of it).
func All(ctx context.Context, r *sdk.Replica, limit int) ([]*notifyv1.InboxItem, error) {
	return Items.Query(ctx, r, sdk.Query{OrderBy: "created_at", Desc: true, Limit: limit})
}

// Unread returns the items not yet read on any device, newest first.
func Unread(ctx context.Context, r *sdk.Replica) ([]*notifyv1.InboxItem, error) {
	return Items.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "read_at", Op: sdk.Eq, Value: int64(0)}}, OrderBy: "created_at", Desc: true})
}

// UnreadCount counts the unread items (for a badge).
func UnreadCount(ctx context.Context, r *sdk.Replica) (int, error) {
	return r.Count(ctx, sdk.Query{Collection: Items.Collection.Name, Where: []sdk.Filter{{Column: "read_at", Op: sdk.Eq, Value: int64(0)}}})
}

// MarkRead marks items read: at once on this device, and on the user's
// other devices once the mutation has reached the server. An id the
// replica has no item for is refused and nothing is queued.
func MarkRead(ctx context.Context, r *sdk.Replica, ids ...string) (int64, error) {
	if len(ids) == 0 || len(ids) > MaxMarkRead {
		return 0, fmt.Errorf("inbox: mark 1 to %d items read at a time, not %d", MaxMarkRead, len(ids))
	}
	return r.MutateProto(ctx, MutationMarkRead, &notifyv1.MarkReadArgs{Ids: ids})
}

// markRead is the optimistic side of inbox.mark_read. The read time it
// shows is the device's until the server's replaces it.
func markRead(tx *sdk.LocalTx, a *notifyv1.MarkReadArgs) error {
	now := time.Now().UnixMilli()
	for i, id := range a.GetIds() {
		it, ok, err := Items.GetTx(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w (ids[%d]: %q)", ErrNotInInbox, i, id)
		}
		if it.GetReadAtUnixMs() != 0 {
			continue
		}
		it.ReadAtUnixMs = now
		if err := Items.Put(tx, id, it); err != nil {
			return err
		}
	}
	return nil
}

// Platform is a device's platform, as push tokens are registered.
type Platform = notifyv1.Platform

// Platforms a push token may be registered for.
const (
	Android = notifyv1.Platform_PLATFORM_ANDROID
	IOS     = notifyv1.Platform_PLATFORM_IOS
	Web     = notifyv1.Platform_PLATFORM_WEB
)

// RegisterPushToken records this device's FCM registration token with the
// server, as the replica's user (signing in again if the access token has
// expired), with the device's language (BCP 47, e.g. "ru-RU") and time zone
// (IANA, e.g. "Europe/Moscow") that pushes are written and timed in. Call
// it at start and whenever FCM issues a new token; a refused token comes
// back as a Connect InvalidArgument error naming the field.
func RegisterPushToken(ctx context.Context, r *sdk.Replica, token string, platform Platform, locale, timeZone string) error {
	req := &notifyv1.RegisterPushTokenRequest{Token: token, Platform: platform, Locale: locale, TimeZone: timeZone}
	return r.Call(ctx, func(ctx context.Context, c sdk.Conn) error {
		_, err := notifyv1connect.NewNotifyServiceClient(c.HTTPClient, c.ServerURL, c.Options...).RegisterPushToken(ctx, connect.NewRequest(req))
		return err
	})
}

// UnregisterPushToken forgets this device's push token (at sign-out).
func UnregisterPushToken(ctx context.Context, r *sdk.Replica) error {
	return r.Call(ctx, func(ctx context.Context, c sdk.Conn) error {
		_, err := notifyv1connect.NewNotifyServiceClient(c.HTTPClient, c.ServerURL, c.Options...).UnregisterPushToken(ctx, connect.NewRequest(&notifyv1.UnregisterPushTokenRequest{}))
		return err
	})
}

// HandlePush takes the data of a push from Ordinator (its "kind" and
// "id"). A silent "sync.wake" push makes the replica's running loop (see
// sdk.Replica.Start) sync at once, and HandlePush reports true: the app
// shows nothing. Other pushes are notifications for the app to show; their
// inbox item arrives with the sync they also trigger.
func HandlePush(r *sdk.Replica, data map[string]string) (wake bool) {
	kind := data["kind"]
	if kind == "" {
		return false
	}
	r.SyncNow()
	return kind == KindSyncWake
}
