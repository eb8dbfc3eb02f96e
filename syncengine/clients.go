package syncengine

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Client is one installation of the app (a sync client id) as the server
// last saw it: what support looks at when a user says their device is
// missing something.
type Client struct {
	ClientID string
	// DeviceID is the device session of its last recorded pull ("" when
	// none is recorded).
	DeviceID string
	// SchemaVersion is the client schema of its last recorded pull (0 when
	// none is recorded).
	SchemaVersion int32
	// LastPull is accurate to pullNoteEvery; LastPush is exact. Zero: never.
	LastPull, LastPush time.Time
	// LastMutationSeq is the last of its mutations the server applied.
	LastMutationSeq int64
}

// pullNoteEvery bounds how often a client's pulls are written: the first
// pull a process serves for a client is recorded, then at most one a minute
// (or at once when the client's schema or session changed). A device that
// pulls every few seconds while live thus costs one small write a minute,
// not one per pull; the price is a last pull up to a minute old.
const pullNoteEvery = time.Minute

// maxPullNotes bounds the clients a process remembers for the throttle;
// past it, notes older than pullNoteEvery are forgotten (which only means
// their next pull is written).
const maxPullNotes = 100_000

type pullNote struct {
	at           time.Time
	user, device string
	schema       int32
}

// pullNotes remembers when this process last recorded each client's pull.
type pullNotes struct {
	mu   sync.Mutex
	last map[string]pullNote
}

// due reports whether n should be written, and if so remembers it.
func (ns *pullNotes) due(clientID string, n pullNote) bool {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	prev, ok := ns.last[clientID]
	if ok && prev.user == n.user && prev.device == n.device && prev.schema == n.schema &&
		!n.at.Before(prev.at) && n.at.Sub(prev.at) < pullNoteEvery {
		return false
	}
	if ns.last == nil {
		ns.last = map[string]pullNote{}
	}
	if len(ns.last) >= maxPullNotes {
		for id, old := range ns.last {
			if n.at.Sub(old.at) >= pullNoteEvery {
				delete(ns.last, id)
			}
		}
	}
	ns.last[clientID] = n
	return true
}

func (ns *pullNotes) forget(clientID string) {
	ns.mu.Lock()
	delete(ns.last, clientID)
	ns.mu.Unlock()
}

// notePull records a served pull, throttled (see pullNoteEvery). A failure
// to record is logged and does not fail the pull. A client id another user
// already pulled with keeps its owner's row.
func (e *Engine) notePull(ctx context.Context, p Principal, req PullRequest) {
	if req.ClientID == "" {
		return
	}
	n := pullNote{at: e.cfg.Now(), user: p.UserID, device: p.DeviceID, schema: req.SchemaVersion}
	if !e.pulls.due(req.ClientID, n) {
		return
	}
	err := e.store.Update(ctx, func(tx Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sync_client_pulls (client_id, user_id, device_id, schema_version, last_pull_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (client_id) DO UPDATE SET device_id = excluded.device_id, schema_version = excluded.schema_version, last_pull_at = excluded.last_pull_at
			WHERE sync_client_pulls.user_id = excluded.user_id`,
			req.ClientID, n.user, n.device, int64(n.schema), n.at.UnixMilli())
		return err
	})
	if err != nil {
		e.pulls.forget(req.ClientID)
		e.log.Warn("recording a pull", "client", req.ClientID, "err", err)
	}
}

// UserClients returns the clients of a user that pushed or pulled, the
// most recently active first.
func UserClients(ctx context.Context, q Querier, userID string) ([]Client, error) {
	byID := map[string]*Client{}
	get := func(id string) *Client {
		if c, ok := byID[id]; ok {
			return c
		}
		c := &Client{ClientID: id}
		byID[id] = c
		return c
	}
	rows, err := q.Query(ctx, `SELECT client_id, last_seq, updated_at FROM sync_clients WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var seq, at int64
		if err := rows.Scan(&id, &seq, &at); err != nil {
			rows.Close()
			return nil, err
		}
		c := get(id)
		c.LastMutationSeq, c.LastPush = seq, time.UnixMilli(at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT client_id, device_id, schema_version, last_pull_at FROM sync_client_pulls WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, device string
		var schema, at int64
		if err := rows.Scan(&id, &device, &schema, &at); err != nil {
			rows.Close()
			return nil, err
		}
		c := get(id)
		c.DeviceID, c.SchemaVersion, c.LastPull = device, int32(schema), time.UnixMilli(at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Client, 0, len(byID))
	for _, c := range byID {
		out = append(out, *c)
	}
	latest := func(c Client) int64 { return max(c.LastPull.UnixMilli(), c.LastPush.UnixMilli()) }
	slices.SortFunc(out, func(a, b Client) int {
		return cmp.Or(cmp.Compare(latest(b), latest(a)), cmp.Compare(a.ClientID, b.ClientID))
	})
	return out, nil
}

// Rejections returns up to limit of the newest rejected mutations of a
// user's clients, with their reasons, as long as compaction keeps their
// outcomes.
func Rejections(ctx context.Context, q Querier, userID string, limit int) ([]Outcome, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT o.client_id, o.seq, o.name, o.code, o.message, o.violations, o.decided_at
		FROM sync_outcomes o JOIN sync_clients c ON c.client_id = o.client_id
		WHERE c.user_id = $1 AND o.status = $2
		ORDER BY o.decided_at DESC, o.client_id, o.seq DESC LIMIT $3`, userID, int64(StatusRejected), int64(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		o := Outcome{Status: StatusRejected, Error: &Error{}}
		var violations string
		var at int64
		if err := rows.Scan(&o.ClientID, &o.Seq, &o.Name, &o.Error.Code, &o.Error.Message, &violations, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(violations), &o.Error.Violations); err != nil {
			return nil, fmt.Errorf("decoding the violations of %s/%d: %w", o.ClientID, o.Seq, err)
		}
		o.DecidedAt = time.UnixMilli(at)
		out = append(out, o)
	}
	return out, rows.Err()
}
