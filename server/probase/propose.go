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
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// proposeEdit is the mutation "doctor.propose_edit". A rep's changes to a
// doctor of their territory become a pending request for moderators. A
// doctor's own contact details apply at once unless someone changed them
// since the version the doctor saw; specialty and workplace go through
// moderation; other fields are not theirs to change.
var proposeEdit = mutator.New(func() *probasev1.ProposeEditArgs { return &probasev1.ProposeEditArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *probasev1.ProposeEditArgs) ([]byte, error) {
		p := call.Principal
		// The version the caller saw is read with the first of the
		// permission's reads; what they may not touch they learn nothing
		// about, not even whether it exists or its version.
		base := queueBaseValues(ctx, tx, a.DoctorId, a.BaseVersion)
		d, current, err := reachDoctor(ctx, tx, p, a.DoctorId, true)
		if err != nil {
			return nil, err
		}
		direct, moderated, checked, err := readEdit(ctx, tx, p, d, current, a, base)
		if err != nil {
			return nil, err
		}
		res := &probasev1.ProposeEditResult{}
		if len(direct) > 0 {
			if err := checked(); err != nil {
				return nil, err
			}
			if err := applyEdit(ctx, tx, p, d, current, direct, a.RequestId); err != nil {
				return nil, err
			}
			res.AppliedFields = slices.Sorted(maps.Keys(direct))
		}
		if len(moderated) > 0 {
			filed := fileEditRequest(ctx, tx, p, d, moderated, a)
			if len(direct) == 0 {
				// The request's insert travels with the check's reads;
				// an invalid edit undoes it with the mutation.
				if err := checked(); err != nil {
					return nil, err
				}
			}
			if err := filed(); err != nil {
				return nil, err
			}
			res.RequestId = a.RequestId
		}
		return proto.Marshal(res)
	})

// readEdit checks an edit against the doctor as they are now (d and
// current) and the version the caller saw (base), and splits it into the
// changes that apply at once and those that go to moderation. A proposed
// value that is already the doctor's is left out; an edit that changes
// nothing is refused. Every change, direct or not, must leave a valid
// record: checked says whether it does, its reads queued
// (queueCheckDoctor) so that the caller's next statement goes with them.
func readEdit(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, d *probasev1.Doctor, current fields.Values, a *probasev1.ProposeEditArgs,
	base func() (fields.Values, error)) (direct, moderated fields.Values, checked func() error, err error) {
	if a.BaseVersion > d.Version {
		return nil, nil, nil, syncengine.Invalid("the edit names a future version", syncengine.Violation{Field: "base_version",
			Description: "doctor " + d.Id + " is at version " + strconv.FormatInt(d.Version, 10)})
	}
	changes, err := valuesFromChanges(a.Changes)
	if err != nil {
		return nil, nil, nil, err
	}
	saw, err := base()
	if err != nil {
		return nil, nil, nil, err
	}
	direct, moderated, err = routeChanges(auth.ClaimsOf(p).Role, changes, saw, current)
	if err != nil {
		return nil, nil, nil, err
	}
	merged := maps.Clone(current)
	maps.Copy(merged, changes)
	checked = queueCheckDoctor(ctx, tx, merged)
	for f, vals := range moderated {
		if same(vals, current[f]) {
			delete(moderated, f)
		}
	}
	if len(direct) == 0 && len(moderated) == 0 {
		// An invalid record is the first thing to hear about.
		if err := checked(); err != nil {
			return nil, nil, nil, err
		}
		return nil, nil, nil, syncengine.Invalid("nothing to change", syncengine.Violation{Field: "changes", Description: "every value is the same as now"})
	}
	return direct, moderated, checked, nil
}

// routeChanges decides who changes each field. A rep's changes all go to
// moderation. A doctor's own contact details apply at once if they are
// still as the doctor saw them (base) and go to moderation if someone
// changed them since; the doctor's specialty and workplace go to
// moderation; any other field is refused.
func routeChanges(role auth.Role, changes, base, current fields.Values) (direct, moderated fields.Values, err error) {
	if role == auth.RoleRep {
		return fields.Values{}, changes, nil
	}
	direct, moderated = fields.Values{}, fields.Values{}
	var refused []syncengine.Violation
	for f, vals := range changes {
		switch {
		case slices.Contains(contactFields, f) && same(base[f], current[f]):
			direct[f] = vals
		case slices.Contains(contactFields, f) || slices.Contains(doctorModerated, f):
			moderated[f] = vals
		default:
			refused = append(refused, syncengine.Violation{Field: f, Description: "is changed by your representative or a moderator"})
		}
	}
	if len(refused) > 0 {
		return nil, nil, &syncengine.Error{Code: syncengine.EPERMISSION, Message: "you cannot change some of these fields", Violations: refused}
	}
	return direct, moderated, nil
}

// applyEdit writes the changes that apply at once as the doctor's next
// version.
func applyEdit(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, d *probasev1.Doctor, current, direct fields.Values, requestID string) error {
	next := maps.Clone(current)
	maps.Copy(next, direct)
	d.Version++
	return saveDoctor(ctx, tx, d, next, historyEntry{action: "profile_updated", actor: p.UserID, address: p.Address, request: requestID, changes: changesOf(direct)})
}

// fileEditRequest records the changes that need a moderator as a pending
// request, in the doctor's history and on the proposer's devices. The
// insert is queued (syncengine.Tx.QueueScan) to travel with the caller's
// next statement; filed answers it, refusing a request id used before.
func fileEditRequest(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, d *probasev1.Doctor, moderated fields.Values, a *probasev1.ProposeEditArgs) (filed func() error) {
	req := &probasev1.EditRequest{
		Id: a.RequestId, DoctorId: d.Id, DoctorName: d.FullName, ProposerId: p.UserID, BaseVersion: a.BaseVersion,
		Changes: changesOf(moderated), Comment: strings.TrimSpace(a.Comment), Status: probasev1.EditStatus_EDIT_STATUS_PENDING,
		CreatedAtUnixMs: tx.Now().UnixMilli(), TerritoryId: d.TerritoryId,
	}
	raw, err := json.Marshal(changesJSON(req.Changes))
	if err != nil {
		return func() error { return err }
	}
	var id string
	inserted := tx.QueueScan(ctx, []any{&id}, `INSERT INTO edit_requests (id, doctor_id, territory_id, proposer_id, base_version, changes, comment, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
		req.Id, d.Id, d.TerritoryId, p.UserID, req.BaseVersion, string(raw), req.Comment, req.CreatedAtUnixMs)
	return func() error {
		if err := inserted(); errors.Is(err, sql.ErrNoRows) {
			return syncengine.Invalid("request id already used", syncengine.Violation{Field: "request_id", Description: "an edit request " + req.Id + " already exists"})
		} else if err != nil {
			return err
		}
		if err := addHistory(ctx, tx, d.Id, d.Version, historyEntry{action: "edit_proposed", actor: p.UserID, address: p.Address, request: req.Id, note: req.Comment, changes: req.Changes}); err != nil {
			return err
		}
		return syncRequest(tx, req)
	}
}
