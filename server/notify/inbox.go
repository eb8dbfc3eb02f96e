package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// MutationMarkRead marks inbox items read on every device of their user.
const MutationMarkRead = notifyv1.MarkReadMutation

// markRead is the mutation "inbox.mark_read". An item read before its push
// went out is not pushed any more.
var markRead = mutator.New(func() *notifyv1.MarkReadArgs { return &notifyv1.MarkReadArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *notifyv1.MarkReadArgs) ([]byte, error) {
		user := call.Principal.UserID
		now := tx.Now().UnixMilli()
		for i, id := range a.Ids {
			item, readAt, err := inboxItem(ctx, tx, user, id)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, &syncengine.Error{Code: syncengine.ENOTFOUND, Message: "there is no item " + id + " in your inbox",
					Violations: []syncengine.Violation{{Field: fmt.Sprintf("ids[%d]", i), Description: "not in your inbox"}}}
			}
			if err != nil {
				return nil, err
			}
			if readAt != 0 {
				continue
			}
			// Queued: it travels with the next item's read or the commit.
			tx.Queue(ctx, `UPDATE notifications SET read_at = $1,
					state = CASE WHEN state = 'pending' THEN 'skipped' ELSE state END,
					last_error = CASE WHEN state = 'pending' THEN 'read before it was pushed' ELSE last_error END
				WHERE id = $2`, now, id)
			item.ReadAtUnixMs = now
			payload, err := proto.Marshal(item)
			if err != nil {
				return nil, err
			}
			tx.Put(InboxCollection, id, payload, syncengine.UserBucket(user))
		}
		return nil, nil
	})

// inboxItem loads a user's inbox item (silent pushes have none).
func inboxItem(ctx context.Context, q syncengine.Querier, userID, id string) (*notifyv1.InboxItem, int64, error) {
	it := &notifyv1.InboxItem{Id: id}
	var params string
	var readAt int64
	err := q.QueryRow(ctx, `SELECT kind, params, title, body, created_at, read_at FROM notifications WHERE id = $1 AND user_id = $2 AND NOT silent`,
		id, userID).Scan(&it.Kind, &params, &it.Title, &it.Body, &it.CreatedAtUnixMs, &readAt)
	if err != nil {
		return nil, 0, err
	}
	if err := json.Unmarshal([]byte(params), &it.Params); err != nil {
		return nil, 0, err
	}
	return it, readAt, nil
}
