// Package points is the append-only points ledger doctors earn into
// (trainings, published cases, accepted study results, admin adjustments)
// and spend from (gift orders). Every entry is unique by its source, so a
// replayed event never pays twice; the balance is kept beside the ledger in
// the same transaction, can never go below zero, and syncs to the doctor.
package points

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"strconv"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	pointsv1 "github.com/ordinatorhq/ordinator/api/ordinator/points/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Sources of ledger entries.
const (
	SourceTraining    = "training"
	SourceCase        = "case"
	SourceStudy       = "study"
	SourceOrder       = "order"
	SourceOrderRefund = "order_refund"
	SourceAdjustment  = "adjustment"
)

// Collections the ledger syncs to the doctor's bucket (their names are
// declared in the protos).
const (
	BalanceCollection = pointsv1.PointsBalanceCollection
	EntryCollection   = pointsv1.PointsEntryCollection
)

// Entry is a ledger posting.
type Entry struct {
	ID       string
	UserID   string
	Amount   int64 // positive earns, negative spends
	Source   string
	SourceID string // with Source, identifies the event: posting it again is a no-op
	Reason   string
	ActorID  string // who caused it ("" for the doctor themself or the system)
}

// Posted is the result of Post.
type Posted struct {
	Entry   Entry
	Balance int64
	// New is false when the source had already been posted; Entry is then
	// the earlier one.
	New bool
}

// Post appends an entry in tx and moves the balance with it. A debit larger
// than the balance is refused with EPRECONDITION saying how many points the
// doctor has; nothing is written then.
//
// The common case takes two statements: the balance moves only if the
// source has not been posted (a conditional UPDATE), then the entry is
// appended. A replay, a doctor's first credit and a refusal take a look at
// what stopped the UPDATE.
func Post(ctx context.Context, tx syncengine.Tx, e Entry) (Posted, error) {
	return Begin(ctx, tx, e).Finish(ctx, e.Reason)
}

// Posting is a Post whose balance move has been queued
// (syncengine.Tx.QueueScan) and not yet answered, so that it can travel
// in one round trip with the caller's other statements.
type Posting struct {
	tx      syncengine.Tx
	e       Entry
	now     int64
	balance int64
	wait    func() error
}

// Begin queues e's balance move; Finish completes the Post. The caller
// may send other statements in between (they run after the move, in the
// order issued) and learn the entry's reason meanwhile.
func Begin(ctx context.Context, tx syncengine.Tx, e Entry) *Posting {
	p := &Posting{tx: tx, e: e, now: tx.Now().UnixMilli()}
	if e.UserID == "" || e.Source == "" || e.SourceID == "" || e.Amount == 0 {
		err := syncengine.Errorf(syncengine.EINTERNAL, "ledger entry without user, source or amount")
		p.wait = func() error { return err }
		return p
	}
	p.wait = tx.QueueScan(ctx, []any{&p.balance}, `UPDATE points_balances SET balance = balance + $1, updated_at = $2
		WHERE user_id = $3 AND balance + $1 >= 0 AND NOT EXISTS (SELECT 1 FROM points_ledger WHERE source = $4 AND source_id = $5)
		RETURNING balance`, e.Amount, p.now, e.UserID, e.Source, e.SourceID)
	return p
}

// Finish waits for the balance move and appends the entry with reason,
// or answers as Post does when the move did not happen.
func (p *Posting) Finish(ctx context.Context, reason string) (Posted, error) {
	err := p.wait()
	tx, e, now, balance := p.tx, p.e, p.now, p.balance
	e.Reason = reason
	if errors.Is(err, sql.ErrNoRows) {
		if prior, err := find(ctx, tx, e.Source, e.SourceID); err == nil {
			bal, err := Balance(ctx, tx, prior.UserID)
			return Posted{Entry: prior, Balance: bal}, err
		} else if !errors.Is(err, sql.ErrNoRows) {
			return Posted{}, err
		}
		have, berr := Balance(ctx, tx, e.UserID)
		if berr != nil {
			return Posted{}, berr
		}
		if have+e.Amount < 0 {
			return Posted{}, &syncengine.Error{Code: syncengine.EPRECONDITION,
				Message:    "not enough points: you have " + strconv.FormatInt(have, 10) + ", this needs " + strconv.FormatInt(-e.Amount, 10),
				Violations: []syncengine.Violation{{Field: "points", Description: "balance " + strconv.FormatInt(have, 10) + ", needed " + strconv.FormatInt(-e.Amount, 10)}}}
		}
		// The doctor's first points: the balance row starts at zero.
		if _, ierr := tx.Exec(ctx, `INSERT INTO points_balances (user_id, balance, updated_at) VALUES ($1, 0, $2) ON CONFLICT (user_id) DO NOTHING`, e.UserID, now); ierr != nil {
			return Posted{}, ierr
		}
		err = tx.QueryRow(ctx, `UPDATE points_balances SET balance = balance + $1, updated_at = $2
			WHERE user_id = $3 AND balance + $1 >= 0 RETURNING balance`, e.Amount, now, e.UserID).Scan(&balance)
	}
	if err != nil {
		return Posted{}, err
	}
	e.ID = uuid.NewString()
	// Queued: nothing here reads its result. A second entry for the same
	// source (two posts racing past the NOT EXISTS) fails on the key, a
	// race the store answers by running the transaction again.
	tx.Queue(ctx, `INSERT INTO points_ledger (id, user_id, amount, source, source_id, reason, actor_id, balance_after, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.ID, e.UserID, e.Amount, e.Source, e.SourceID, e.Reason, e.ActorID, balance, now)
	entry, err := proto.Marshal(&pointsv1.PointsEntry{Id: e.ID, UserId: e.UserID, Amount: e.Amount, Source: e.Source, SourceId: e.SourceID, Reason: e.Reason, CreatedAtUnixMs: now, BalanceAfter: balance})
	if err != nil {
		return Posted{}, err
	}
	bal, err := proto.Marshal(&pointsv1.PointsBalance{UserId: e.UserID, Balance: balance, UpdatedAtUnixMs: now})
	if err != nil {
		return Posted{}, err
	}
	tx.Put(EntryCollection, e.ID, entry, syncengine.UserBucket(e.UserID))
	tx.Put(BalanceCollection, e.UserID, bal, syncengine.UserBucket(e.UserID))
	return Posted{Entry: e, Balance: balance, New: true}, nil
}

func find(ctx context.Context, q syncengine.Querier, source, sourceID string) (Entry, error) {
	e := Entry{Source: source, SourceID: sourceID}
	err := q.QueryRow(ctx, `SELECT id, user_id, amount, reason, actor_id FROM points_ledger WHERE source = $1 AND source_id = $2`,
		source, sourceID).Scan(&e.ID, &e.UserID, &e.Amount, &e.Reason, &e.ActorID)
	return e, err
}

// Balance returns a doctor's balance (0 for none).
func Balance(ctx context.Context, q syncengine.Querier, userID string) (int64, error) {
	var b int64
	err := q.QueryRow(ctx, `SELECT balance FROM points_balances WHERE user_id = $1`, userID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return b, err
}

// Drift lists users whose cached balance differs from the sum of their
// ledger entries; it is empty unless something wrote around Post.
func Drift(ctx context.Context, q syncengine.Querier) ([]string, error) {
	return sqlq.Strings(ctx, q, `SELECT b.user_id FROM points_balances b
		LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM points_ledger GROUP BY user_id) l ON l.user_id = b.user_id
		WHERE b.balance <> COALESCE(l.total, 0)`)
}
