package probase

import (
	"context"
	"encoding/json"
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
		// Permission first: what the caller may not touch they learn
		// nothing about, not even whether it exists or its version.
		d, current, err := reachDoctor(ctx, tx, p, a.DoctorId, true)
		if err != nil {
			return nil, err
		}
		direct, moderated, err := readEdit(ctx, tx, p, d, current, a)
		if err != nil {
			return nil, err
		}
		res := &probasev1.ProposeEditResult{}
		if len(direct) > 0 {
			if err := applyEdit(ctx, tx, p, d, current, direct, a.RequestId); err != nil {
				return nil, err
			}
			res.AppliedFields = slices.Sorted(maps.Keys(direct))
		}
		if len(moderated) > 0 {
			if err := fileEditRequest(ctx, tx, p, d, moderated, a); err != nil {
				return nil, err
			}
			res.RequestId = a.RequestId
		}
		return proto.Marshal(res)
	})

// readEdit checks an edit against the doctor as they are now (d and
// current) and splits it into the changes that apply at once and those
// that go to moderation. A proposed value that is already the doctor's is
// left out; an edit that changes nothing is refused.
func readEdit(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, d *probasev1.Doctor, current fields.Values,
	a *probasev1.ProposeEditArgs) (direct, moderated fields.Values, err error) {
	if a.BaseVersion > d.Version {
		return nil, nil, syncengine.Invalid("the edit names a future version", syncengine.Violation{Field: "base_version",
			Description: "doctor " + d.Id + " is at version " + strconv.FormatInt(d.Version, 10)})
	}
	changes, err := valuesFromChanges(a.Changes)
	if err != nil {
		return nil, nil, err
	}
	base, err := baseValues(ctx, tx, d.Id, a.BaseVersion)
	if err != nil {
		return nil, nil, err
	}
	direct, moderated, err = routeChanges(auth.ClaimsOf(p).Role, changes, base, current)
	if err != nil {
		return nil, nil, err
	}
	// Every change, direct or not, must leave a valid record.
	merged := maps.Clone(current)
	maps.Copy(merged, changes)
	if err := checkDoctor(ctx, tx, merged); err != nil {
		return nil, nil, err
	}
	for f, vals := range moderated {
		if same(vals, current[f]) {
			delete(moderated, f)
		}
	}
	if len(direct) == 0 && len(moderated) == 0 {
		return nil, nil, syncengine.Invalid("nothing to change", syncengine.Violation{Field: "changes", Description: "every value is the same as now"})
	}
	return direct, moderated, nil
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
// request, in the doctor's history and on the proposer's devices. A
// request id used before is refused.
func fileEditRequest(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, d *probasev1.Doctor, moderated fields.Values, a *probasev1.ProposeEditArgs) error {
	req := &probasev1.EditRequest{
		Id: a.RequestId, DoctorId: d.Id, DoctorName: d.FullName, ProposerId: p.UserID, BaseVersion: a.BaseVersion,
		Changes: changesOf(moderated), Comment: strings.TrimSpace(a.Comment), Status: probasev1.EditStatus_EDIT_STATUS_PENDING,
		CreatedAtUnixMs: tx.Now().UnixMilli(), TerritoryId: d.TerritoryId,
	}
	raw, err := json.Marshal(changesJSON(req.Changes))
	if err != nil {
		return err
	}
	n, err := tx.Exec(ctx, `INSERT INTO edit_requests (id, doctor_id, territory_id, proposer_id, base_version, changes, comment, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) ON CONFLICT (id) DO NOTHING`,
		req.Id, d.Id, d.TerritoryId, p.UserID, req.BaseVersion, string(raw), req.Comment, req.CreatedAtUnixMs)
	if err != nil {
		return err
	}
	if n == 0 {
		return syncengine.Invalid("request id already used", syncengine.Violation{Field: "request_id", Description: "an edit request " + req.Id + " already exists"})
	}
	if err := addHistory(ctx, tx, d.Id, d.Version, historyEntry{action: "edit_proposed", actor: p.UserID, address: p.Address, request: req.Id, note: req.Comment, changes: req.Changes}); err != nil {
		return err
	}
	return syncRequest(tx, req)
}
