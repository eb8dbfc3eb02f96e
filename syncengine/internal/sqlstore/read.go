package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Fetch returns, for each cursor, up to limit changes of its bucket with
// After < seq <= horizon in seq order that are Sendable to it.
type Fetch func(ctx context.Context, q syncengine.Querier, cursors []syncengine.Cursor, horizon int64, limit int) ([]syncengine.Change, error)

// ErrBehind is Read's answer, on a replica, to a cursor past its bucket's
// newest change in the snapshot: the client has seen a commit the replica
// has not replayed yet, so the page must come from somewhere that has it.
var ErrBehind = errors.New("the replica has not reached the client's cursors")

// Read assembles one pull page from q, which must be a consistent snapshot.
// head is the store's query for the newest seq handed out, which bounds
// the cursors a client may send; an empty head means q is a replica's
// snapshot, where no such query can be trusted (a standby's sequence
// shows values logged ahead of use): there every cursor must be within
// its bucket's newest change in the snapshot, else Read returns ErrBehind. pages, if not nil, serves shared buckets'
// ranges that another pull already read (see Pages).
//
// A bucket's cursor moves to the newest change of that bucket the page
// covers, never to a seq of the log at large: the stores keep each
// bucket's seqs in commit order, not the log's (see syncengine/postgres),
// so a seq past a bucket's newest visible change may still be taken by a
// commit in flight.
func Read(ctx context.Context, q syncengine.Querier, r syncengine.ReadRequest, head string, fetch Fetch, pages *Pages) (*syncengine.ReadResult, error) {
	horizon := int64(math.MaxInt64) // a replica's snapshot bounds its ranges itself
	if head != "" {
		if err := q.QueryRow(ctx, head).Scan(&horizon); err != nil {
			return nil, err
		}
	}
	buckets := make([]syncengine.Bucket, len(r.Cursors))
	for i, c := range r.Cursors {
		buckets[i] = c.Bucket
	}
	meta, err := bucketMeta(ctx, q, buckets)
	if err != nil {
		return nil, err
	}
	res := &syncengine.ReadResult{}
	cursors := slices.Clone(r.Cursors)
	for i, c := range cursors {
		if head == "" && c.After > meta[c.Bucket].top() {
			return nil, ErrBehind
		}
		if c.After > horizon {
			return nil, syncengine.Invalid("invalid pull", syncengine.Violation{
				Field:       "cursors[" + strconv.Itoa(i) + "].after",
				Description: "cursor " + strconv.FormatInt(c.After, 10) + " for " + string(c.Bucket) + " is ahead of the server's log (" + strconv.FormatInt(horizon, 10) + ")",
			})
		}
		if !c.FromZero && c.After > 0 && c.After < meta[c.Bucket].resetBefore {
			cursors[i] = syncengine.Cursor{Bucket: c.Bucket, FromZero: true}
			res.Reset = append(res.Reset, c.Bucket)
		}
	}
	if r.Estimate {
		for _, c := range cursors {
			var n int64
			if err := q.QueryRow(ctx, `SELECT count(*) FROM sync_changes WHERE bucket = $1 AND seq > $2 AND seq <= $3 AND `+Sendable("$2"),
				string(c.Bucket), c.After, horizon).Scan(&n); err != nil {
				return nil, err
			}
			res.Remaining += n
		}
	}
	changes, err := pages.fetchThrough(ctx, q, fetch, cursors, horizon, r.MaxRows+1, meta)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(changes, func(a, b syncengine.Change) int { return cmp.Compare(a.Seq, b.Seq) })
	n, size := 0, 0
	for n < len(changes) && n < r.MaxRows {
		size += ChangeSize(changes[n])
		if n > 0 && size > r.MaxBytes {
			break
		}
		n++
	}
	res.Changes = changes[:n:n]
	res.HasMore = n < len(changes)
	res.Cursors = cursors
	if res.HasMore {
		upto := changes[n-1].Seq
		for i, c := range cursors {
			cursors[i].After = max(c.After, min(upto, meta[c.Bucket].top()))
		}
		return res, nil
	}
	cp := &syncengine.Checkpoint{}
	for i, c := range cursors {
		cursors[i].After, cursors[i].FromZero = max(c.After, meta[c.Bucket].top()), false
		cp.Seq = max(cp.Seq, cursors[i].After)
	}
	for _, b := range buckets {
		m := meta[b]
		cp.Buckets = append(cp.Buckets, syncengine.BucketChecksum{Bucket: b, Checksum: syncengine.Checksum{Sum: m.sum, Count: m.count}})
	}
	if r.ClientID != "" {
		var owner string
		err := q.QueryRow(ctx, `SELECT user_id, last_seq FROM sync_clients WHERE client_id = $1`, r.ClientID).Scan(&owner, &cp.LastMutationSeq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, err
		case owner != r.UserID:
			return nil, syncengine.Errorf(syncengine.EPERMISSION, "client %s belongs to another user", r.ClientID)
		}
	}
	res.Checkpoint = cp
	return res, nil
}

// Sendable is the SQL condition a change must meet to be sent to a cursor
// at after (a column or placeholder): tombstones are left out when after is
// 0, since a client at zero holds nothing of the bucket for a delete to
// remove (a reset or mismatched bucket is cleared first). A cursor past
// zero gets them all, even one starting from zero: it may hold, staged from
// an earlier page, the very record a tombstone removes.
func Sendable(after string) string {
	return "(" + after + " > 0 OR op <> " + strconv.Itoa(int(syncengine.OpDelete)) + ")"
}

// ChangeSize is what a change counts against a page's byte budget.
func ChangeSize(c syncengine.Change) int {
	return len(c.Payload) + len(c.RecordID) + len(c.Collection) + len(c.Bucket) + 16
}

type meta struct {
	sum         uint64
	count       int64
	resetBefore int64
	newest      int64 // the seq of the bucket's newest change in the log
}

// top is the furthest a cursor of the bucket may move in this snapshot:
// its newest change, or the newest tombstone compaction removed from it.
// Both were committed, so every commit still to come into the bucket
// takes a later seq.
func (m meta) top() int64 { return max(m.newest, m.resetBefore) }

func bucketMeta(ctx context.Context, q syncengine.Querier, buckets []syncengine.Bucket) (map[syncengine.Bucket]meta, error) {
	out := make(map[syncengine.Bucket]meta, len(buckets))
	for chunk := range slices.Chunk(buckets, 500) {
		args := make([]any, len(chunk))
		for i, b := range chunk {
			args[i] = string(b)
		}
		rows, err := q.Query(ctx, `SELECT bucket, checksum, count, reset_before,
			COALESCE((SELECT max(c.seq) FROM sync_changes c WHERE c.bucket = sync_buckets.bucket), 0)
			FROM sync_buckets WHERE bucket IN (`+sqlq.Placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var b string
			var sum int64
			var m meta
			if err := rows.Scan(&b, &sum, &m.count, &m.resetBefore, &m.newest); err != nil {
				rows.Close()
				return nil, err
			}
			m.sum = uint64(sum)
			out[syncengine.Bucket(b)] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func millis(ms int64) time.Time { return time.UnixMilli(ms) }
