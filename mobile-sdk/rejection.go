package sdk

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	commonv1 "github.com/ordinatorhq/ordinator/api/ordinator/common/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Violation names one field of a mutation's arguments that failed the
// server's validation, and why.
type Violation = syncengine.Violation

// Rejection is a mutation the server refused (or the SDK gave up on), after
// its optimistic effect has been rolled back.
type Rejection struct {
	// MutationID is the id Mutate returned for the mutation.
	MutationID int64
	// Seq is the mutation's number in the protocol; Mutation its name and
	// Args its arguments, so the app can offer to edit and resend.
	Seq      int64
	Mutation string
	Args     []byte
	// Code is one of the syncengine error codes (invalid, conflict,
	// permission_denied, ...); Reason is human-readable.
	Code       string
	Reason     string
	Violations []Violation
	DecidedAt  time.Time

	detail []byte
}

func (r Rejection) String() string {
	s := fmt.Sprintf("mutation %d (%s) rejected: %s: %s", r.Seq, r.Mutation, r.Code, r.Reason)
	for _, v := range r.Violations {
		s += fmt.Sprintf("; %s: %s", v.Field, v.Description)
	}
	return s
}

func newRejection(seq int64, name string, args, detail []byte, decided time.Time) Rejection {
	rej := Rejection{Seq: seq, Mutation: name, Args: args, DecidedAt: decided, detail: detail}
	var d commonv1.ErrorDetail
	if err := proto.Unmarshal(detail, &d); err != nil {
		rej.Code, rej.Reason = syncengine.EINTERNAL, "the rejection could not be decoded"
		return rej
	}
	rej.Code, rej.Reason = d.GetCode(), d.GetMessage()
	if rej.Code == "" {
		rej.Code = syncengine.EINTERNAL
	}
	for _, v := range d.GetViolations() {
		rej.Violations = append(rej.Violations, Violation{Field: v.GetField(), Description: v.GetDescription()})
	}
	return rej
}

// Rejections lists the rejections the app has not dismissed, oldest first.
func (r *Replica) Rejections(ctx context.Context) ([]Rejection, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	rows, err := r.db.r.QueryContext(ctx, `SELECT id, seq, name, args, detail, decided_at FROM sdk_rejections ORDER BY id`)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer rows.Close()
	var out []Rejection
	for rows.Next() {
		var id, seq, decided int64
		var name string
		var args, detail []byte
		if err := rows.Scan(&id, &seq, &name, &args, &detail, &decided); err != nil {
			return nil, err
		}
		rej := newRejection(seq, name, args, detail, time.UnixMilli(decided))
		rej.MutationID = id
		out = append(out, rej)
	}
	return out, r.wrap(rows.Err())
}

// DismissRejection forgets the rejection of a mutation once the app has
// shown it.
func (r *Replica) DismissRejection(ctx context.Context, mutationID int64) error {
	if err := r.check(); err != nil {
		return err
	}
	return r.wrap(r.db.update(ctx, func(tx *wtx) error {
		_, err := tx.exec(`DELETE FROM sdk_rejections WHERE id = ?`, mutationID)
		return err
	}))
}
