package probase

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Notice kinds of this module.
const (
	NoticeEditApproved    = "edit.approved"
	NoticeEditRejected    = "edit.rejected"
	NoticeUpdateRequested = "doctor.update_requested"
)

func itoa(i int) string { return strconv.Itoa(i) }

type changeJSON struct {
	Field  string   `json:"field"`
	Values []string `json:"values"`
}

func changesJSON(cs []*probasev1.FieldChange) []changeJSON {
	out := make([]changeJSON, len(cs))
	for i, c := range cs {
		out[i] = changeJSON{c.Field, c.Values}
	}
	return out
}

func changesFromJSON(s string) ([]*probasev1.FieldChange, error) {
	var cs []changeJSON
	if err := json.Unmarshal([]byte(s), &cs); err != nil {
		return nil, err
	}
	out := make([]*probasev1.FieldChange, len(cs))
	for i, c := range cs {
		out[i] = &probasev1.FieldChange{Field: c.Field, Values: c.Values}
	}
	return out, nil
}

// changesOf lists values as field changes, sorted by field.
func changesOf(v fields.Values) []*probasev1.FieldChange {
	out := make([]*probasev1.FieldChange, 0, len(v))
	for _, f := range slices.Sorted(maps.Keys(v)) {
		out = append(out, &probasev1.FieldChange{Field: f, Values: v[f]})
	}
	return out
}

func same(a, b []string) bool { return slices.Equal(a, b) || (len(a) == 0 && len(b) == 0) }

// baseValues returns the doctor's values at a past version.
func baseValues(ctx context.Context, q syncengine.Querier, doctorID string, version int64) (fields.Values, error) {
	var raw string
	return decodeBase(doctorID, version, &raw, q.QueryRow(ctx, baseValuesSQL, doctorID, version).Scan(&raw))
}

// queueBaseValues is baseValues queued (syncengine.Tx.QueueScan); the
// function it returns answers it.
func queueBaseValues(ctx context.Context, tx syncengine.Tx, doctorID string, version int64) func() (fields.Values, error) {
	var raw string
	wait := tx.QueueScan(ctx, []any{&raw}, baseValuesSQL, doctorID, version)
	return func() (fields.Values, error) { return decodeBase(doctorID, version, &raw, wait()) }
}

const baseValuesSQL = `SELECT fields FROM doctor_versions WHERE doctor_id = $1 AND version = $2`

func decodeBase(doctorID string, version int64, raw *string, err error) (fields.Values, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, syncengine.Invalid("unknown base version", syncengine.Violation{Field: "base_version", Description: "doctor " + doctorID + " has no version " + strconv.FormatInt(version, 10)})
	}
	if err != nil {
		return nil, err
	}
	return decodeValues(*raw)
}

// syncRequest shows a request on its proposer's devices.
func syncRequest(tx syncengine.Tx, r *probasev1.EditRequest) error {
	payload, err := proto.Marshal(r)
	if err != nil {
		return err
	}
	tx.Put(EditRequestCollection, r.Id, payload, syncengine.UserBucket(r.ProposerId))
	return nil
}

const requestColumns = `r.id, r.doctor_id, d.full_name, r.proposer_id, r.base_version, r.changes, r.comment, r.status, r.decided_by, r.reason, r.created_at, r.decided_at, r.territory_id`

func scanRequest(row syncengine.Row) (*probasev1.EditRequest, error) {
	r := &probasev1.EditRequest{}
	var changes, status string
	if err := row.Scan(&r.Id, &r.DoctorId, &r.DoctorName, &r.ProposerId, &r.BaseVersion, &changes, &r.Comment, &status, &r.DecidedBy, &r.Reason, &r.CreatedAtUnixMs, &r.DecidedAtUnixMs, &r.TerritoryId); err != nil {
		return nil, err
	}
	r.Status = statusProto(status)
	var err error
	r.Changes, err = changesFromJSON(changes)
	return r, err
}

func statusProto(s string) probasev1.EditStatus {
	switch s {
	case "pending":
		return probasev1.EditStatus_EDIT_STATUS_PENDING
	case "approved":
		return probasev1.EditStatus_EDIT_STATUS_APPROVED
	case "rejected":
		return probasev1.EditStatus_EDIT_STATUS_REJECTED
	}
	return probasev1.EditStatus_EDIT_STATUS_UNSPECIFIED
}

func loadRequest(ctx context.Context, q syncengine.Querier, id string) (*probasev1.EditRequest, error) {
	r, err := scanRequest(q.QueryRow(ctx, `SELECT `+requestColumns+` FROM edit_requests r JOIN doctors d ON d.id = r.doctor_id WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, syncengine.Errorf(syncengine.ENOTFOUND, "there is no edit request %s", id)
	}
	return r, err
}

// RequestFilter narrows ListEditRequests.
type RequestFilter struct {
	Status     string // pending, approved, rejected; "" for any
	Territory  string
	DoctorID   string
	ProposerID string
	// CreatedBefore keeps requests proposed before this time (unix ms): the
	// queue's age filter. 0 for any.
	CreatedBefore int64
	Limit         int
	Offset        int
}

// where is the filter as SQL over edit_requests r, with its
// arguments; the status is left to the caller.
func (f RequestFilter) where() (string, []any) {
	return `($1 = '' OR r.territory_id = $1) AND ($2 = '' OR r.doctor_id = $2) AND ($3 = '' OR r.proposer_id = $3) AND (CAST($4 AS BIGINT) = 0 OR r.created_at < $4)`,
		[]any{f.Territory, f.DoctorID, f.ProposerID, f.CreatedBefore}
}

// ListEditRequests lists edit requests, oldest first; moderators may.
func (s *Service) ListEditRequests(ctx context.Context, p syncengine.Principal, f RequestFilter) ([]*probasev1.EditRequest, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	f.Offset = max(f.Offset, 0)
	var out []*probasev1.EditRequest
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		where, args := f.where()
		rows, err := q.Query(ctx, `SELECT `+requestColumns+` FROM edit_requests r JOIN doctors d ON d.id = r.doctor_id
			WHERE `+where+` AND ($5 = '' OR r.status = $5) ORDER BY r.created_at, r.id LIMIT $6 OFFSET $7`, append(args, f.Status, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, scanRequest)
		return err
	})
	return out, err
}

// CountEditRequests counts the requests a filter matches, per status
// (pending, approved, rejected; the filter's own status is ignored, so a
// queue can show every status's count); moderators may.
func (s *Service) CountEditRequests(ctx context.Context, p syncengine.Principal, f RequestFilter) (map[string]int64, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	out := map[string]int64{"pending": 0, "approved": 0, "rejected": 0}
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		where, args := f.where()
		rows, err := q.Query(ctx, `SELECT r.status, count(*) FROM edit_requests r WHERE `+where+` GROUP BY r.status`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var status string
			var n int64
			if err := rows.Scan(&status, &n); err != nil {
				return err
			}
			out[status] = n
		}
		return rows.Err()
	})
	return out, err
}

// Comparison is one field of a request seen three ways.
type Comparison struct {
	Field                   string
	Base, Current, Proposed []string
	// Conflict: the field changed since the proposer saw it, and the
	// proposal differs from the value now.
	Conflict bool
}

// Review is what a moderator sees of a request.
type Review struct {
	Request    *probasev1.EditRequest
	Current    *probasev1.Doctor
	Fields     []Comparison
	Concurrent []*probasev1.EditRequest
}

func compare(r *probasev1.EditRequest, base, current fields.Values) []Comparison {
	out := make([]Comparison, 0, len(r.Changes))
	for _, c := range r.Changes {
		cmp := Comparison{Field: c.Field, Base: base[c.Field], Current: current[c.Field], Proposed: c.Values}
		cmp.Conflict = !same(cmp.Base, cmp.Current) && !same(cmp.Proposed, cmp.Current)
		out = append(out, cmp)
	}
	return out
}

// GetEditRequest shows a request with base, current and proposed values
// per field, and the other pending requests for the same doctor.
func (s *Service) GetEditRequest(ctx context.Context, p syncengine.Principal, id string) (*Review, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	var rv Review
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		r, err := loadRequest(ctx, q, id)
		if err != nil {
			return err
		}
		d, current, err := loadDoctor(ctx, q, r.DoctorId)
		if err != nil {
			return err
		}
		base, err := baseValues(ctx, q, r.DoctorId, r.BaseVersion)
		if err != nil {
			return err
		}
		rv = Review{Request: r, Current: d, Fields: compare(r, base, current)}
		rows, err := q.Query(ctx, `SELECT `+requestColumns+` FROM edit_requests r JOIN doctors d ON d.id = r.doctor_id
			WHERE r.doctor_id = $1 AND r.status = 'pending' AND r.id <> $2 ORDER BY r.created_at, r.id`, r.DoctorId, r.Id)
		if err != nil {
			return err
		}
		rv.Concurrent, err = sqlq.Collect(rows, scanRequest)
		return err
	})
	return &rv, err
}

// Resolution is a moderator's choice for one field.
type Resolution struct {
	Field  string
	Choice probasev1.Resolution
	Values []string // for RESOLUTION_CUSTOM
}

// Approve applies a request field by field. A field someone changed since
// the proposer saw it is never overwritten silently: unless the moderator
// resolves it, approval is refused with the conflicting fields listed.
// doctorVersion is the doctor version the moderator reviewed (0: not
// checked): if the doctor changed since, the decision is refused, since the
// moderator chose between values that are no longer the current ones.
func (s *Service) Approve(ctx context.Context, p syncengine.Principal, id string, doctorVersion int64, resolutions []Resolution) (*probasev1.EditRequest, *probasev1.Doctor, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, nil, err
	}
	var req *probasev1.EditRequest
	var doc *probasev1.Doctor
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		r, d, current, err := s.pending(ctx, tx, id, doctorVersion)
		if err != nil {
			return err
		}
		base, err := baseValues(ctx, tx, r.DoctorId, r.BaseVersion)
		if err != nil {
			return err
		}
		chosen := map[string]Resolution{}
		for _, res := range resolutions {
			if !slices.ContainsFunc(r.Changes, func(c *probasev1.FieldChange) bool { return c.Field == res.Field }) {
				return syncengine.Invalid("resolution for a field the request does not change", syncengine.Violation{Field: res.Field, Description: "is not part of this request"})
			}
			chosen[res.Field] = res
		}
		next := maps.Clone(current)
		applied := fields.Values{}
		var conflicts []syncengine.Violation
		for _, cmp := range compare(r, base, current) {
			res, ok := chosen[cmp.Field]
			switch {
			case !ok && cmp.Conflict:
				conflicts = append(conflicts, syncengine.Violation{Field: cmp.Field, Description: "changed from " + show(cmp.Base) + " to " + show(cmp.Current) +
					" since the proposal, which says " + show(cmp.Proposed) + ": choose which to keep"})
				continue
			case !ok || res.Choice == probasev1.Resolution_RESOLUTION_PROPOSED:
				next[cmp.Field] = cmp.Proposed
			case res.Choice == probasev1.Resolution_RESOLUTION_CURRENT:
				next[cmp.Field] = cmp.Current
			default:
				next[cmp.Field] = res.Values
			}
			if !same(next[cmp.Field], cmp.Current) {
				applied[cmp.Field] = next[cmp.Field]
			}
		}
		if len(conflicts) > 0 {
			return &syncengine.Error{Code: syncengine.EPRECONDITION, Message: "the doctor's data changed since this edit was proposed; resolve the conflicting fields", Violations: conflicts}
		}
		next = DoctorTemplate.Normalize(next)
		if err := checkDoctor(ctx, tx, next); err != nil {
			return err
		}
		if len(applied) > 0 {
			d.Version++
			if err := saveDoctor(ctx, tx, d, next, historyEntry{action: "edit_approved", actor: p.UserID, address: p.Address, request: r.Id, note: "proposed by " + r.ProposerId, changes: changesOf(applied)}); err != nil {
				return err
			}
		}
		if err := s.decide(ctx, tx, r, p, "approved", ""); err != nil {
			return err
		}
		req, doc = r, d
		return nil
	})
	return req, doc, err
}

func show(v []string) string {
	if len(v) == 0 {
		return "empty"
	}
	return strconv.Quote(strings.Join(v, ", "))
}

// Reject refuses a request with a reason the proposer sees; doctorVersion
// is checked as Approve checks it.
func (s *Service) Reject(ctx context.Context, p syncengine.Principal, id string, doctorVersion int64, reason string) (*probasev1.EditRequest, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, syncengine.Invalid("a rejection needs a reason", syncengine.Violation{Field: "reason", Description: "tell the proposer why"})
	}
	var req *probasev1.EditRequest
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		r, d, _, err := s.pending(ctx, tx, id, doctorVersion)
		if err != nil {
			return err
		}
		if err := addHistory(ctx, tx, d.Id, d.Version, historyEntry{action: "edit_rejected", actor: p.UserID, address: p.Address, request: r.Id, note: reason, changes: r.Changes}); err != nil {
			return err
		}
		req = r
		return s.decide(ctx, tx, r, p, "rejected", reason)
	})
	return req, err
}

// pending loads a request that waits for a decision, and its doctor at the
// version the moderator reviewed (doctorVersion, 0 for any).
func (s *Service) pending(ctx context.Context, tx syncengine.Tx, id string, doctorVersion int64) (*probasev1.EditRequest, *probasev1.Doctor, fields.Values, error) {
	r, err := loadRequest(ctx, tx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if r.Status != probasev1.EditStatus_EDIT_STATUS_PENDING {
		return nil, nil, nil, syncengine.Errorf(syncengine.EPRECONDITION, "edit request %s was already %s", id, strings.ToLower(strings.TrimPrefix(r.Status.String(), "EDIT_STATUS_")))
	}
	d, current, err := lockDoctor(ctx, tx, r.DoctorId)
	if err != nil {
		return nil, nil, nil, err
	}
	if doctorVersion != 0 && d.Version != doctorVersion {
		return nil, nil, nil, syncengine.Errorf(syncengine.ECONFLICT, "%s's data changed since you opened this request (version %d, now %d); open it again to see the current values",
			d.FullName, doctorVersion, d.Version)
	}
	return r, d, current, nil
}

// decide records a moderator's decision, syncs it to the proposer and
// notifies them.
func (s *Service) decide(ctx context.Context, tx syncengine.Tx, r *probasev1.EditRequest, p syncengine.Principal, status, reason string) error {
	now := tx.Now().UnixMilli()
	n, err := tx.Exec(ctx, `UPDATE edit_requests SET status = $1, decided_by = $2, reason = $3, decided_at = $4 WHERE id = $5 AND status = 'pending'`,
		status, p.UserID, reason, now, r.Id)
	if err != nil {
		return err
	}
	if n == 0 {
		return syncengine.Errorf(syncengine.ECONFLICT, "edit request %s was decided meanwhile", r.Id)
	}
	r.Status, r.DecidedBy, r.Reason, r.DecidedAtUnixMs = statusProto(status), p.UserID, reason, now
	if err := syncRequest(tx, r); err != nil {
		return err
	}
	kind := NoticeEditApproved
	if status == "rejected" {
		kind = NoticeEditRejected
	}
	_, err = notify.Enqueue(ctx, tx, notify.Notification{UserID: r.ProposerId, Kind: kind, DedupeKey: kind + ":" + r.Id,
		Params: map[string]string{"doctor": r.DoctorName, "reason": reason, "request_id": r.Id}})
	return err
}
