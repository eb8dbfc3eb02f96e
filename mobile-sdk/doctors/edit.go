package doctors

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/rules/fields"
)

// Violation is one field that fails the template, for an inline form
// error.
type Violation struct {
	Field       string
	Description string
}

// InvalidError refuses an edit on the device: nothing was queued.
type InvalidError struct {
	DoctorID   string
	Violations []Violation
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return "doctors: the edit of doctor " + e.DoctorID + " is not valid: " + strings.Join(parts, "; ")
}

// ErrNoTemplate: the device has not synced the doctor template yet, so it
// cannot check an edit; sync once online first.
var ErrNoTemplate = errors.New("doctors: the doctor field template has not synced to this device yet")

// ErrNoDoctor: the doctor is not in the replica.
var ErrNoDoctor = errors.New("doctors: the doctor is not on this device")

// reader is what a check reads: the replica, or a mutator's transaction.
type reader struct {
	get   func(collection, id string) ([]byte, bool, error)
	holds func(collection string) (bool, error)
}

// refCollections are the referenced collections a device may hold and so
// can check; references to others (territory), and to a collection this
// device holds none of (a doctor's phone has no clinics), are the server's
// to check.
var refCollections = []string{probasev1.ClinicCollection}

// check merges changes over the doctor's values and checks the result
// with the synced template. It returns the normalised changes that differ
// from now and the violations.
func check(rd reader, doctor *probasev1.Doctor, changes fields.Values) (fields.Values, []Violation, error) {
	raw, ok, err := rd.get(TemplateCollection, DoctorTemplateID)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, ErrNoTemplate
	}
	tp, err := decodeTemplate(raw)
	if err != nil {
		return nil, nil, err
	}
	t := fields.FromProto(tp)
	var out []Violation
	for _, f := range slices.Sorted(maps.Keys(changes)) {
		if _, ok := t.Rule(f); !ok {
			out = append(out, Violation{Field: f, Description: f + " is not a doctor field"})
		}
	}
	if len(out) > 0 {
		return nil, out, nil
	}
	changes = t.Normalize(changes)
	current := fields.MessageValues(doctor, t)
	merged := maps.Clone(current)
	maps.Copy(merged, changes)
	exists := func(collection, id string) (bool, error) {
		if !slices.Contains(refCollections, collection) {
			return true, nil
		}
		if held, err := rd.holds(collection); err != nil || !held {
			return true, err
		}
		_, ok, err := rd.get(collection, id)
		return ok, err
	}
	viol, err := t.Check(merged, exists)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range viol {
		out = append(out, Violation{Field: v.Field, Description: v.Description})
	}
	changed := fields.Values{}
	for f, vals := range changes {
		if !same(vals, current[f]) {
			changed[f] = vals
		}
	}
	if len(out) == 0 && len(changed) == 0 {
		out = append(out, Violation{Field: "changes", Description: "every value is the same as now"})
	}
	return changed, out, nil
}

func same(a, b []string) bool { return slices.Equal(a, b) || (len(a) == 0 && len(b) == 0) }

// proposeEdit is the optimistic "doctor.propose_edit": an edit that fails
// the template is refused (nothing is queued); a valid one shows at once as
// a pending request.
func proposeEdit(tx *sdk.LocalTx, a *probasev1.ProposeEditArgs) error {
	d, ok, err := Doctors.GetTx(tx, a.GetDoctorId())
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoDoctor, a.GetDoctorId())
	}
	if !isUUID(a.GetRequestId()) {
		return &InvalidError{DoctorID: d.Id, Violations: []Violation{{Field: "request_id", Description: "must be a UUID"}}}
	}
	if a.GetBaseVersion() <= 0 || a.GetBaseVersion() > d.GetVersion() {
		return &InvalidError{DoctorID: d.Id, Violations: []Violation{{Field: "base_version",
			Description: fmt.Sprintf("doctor %s is at version %d", d.Id, d.GetVersion())}}}
	}
	changes, dup := fields.Values{}, []Violation(nil)
	for _, c := range a.GetChanges() {
		if _, seen := changes[c.GetField()]; seen {
			dup = append(dup, Violation{Field: c.GetField(), Description: c.GetField() + " is given twice"})
		}
		changes[c.GetField()] = c.GetValues()
	}
	if len(dup) > 0 {
		return &InvalidError{DoctorID: d.Id, Violations: dup}
	}
	holds := func(collection string) (bool, error) {
		recs, err := tx.Query(sdk.Query{Collection: collection, Limit: 1})
		return len(recs) > 0, err
	}
	changed, viol, err := check(reader{get: tx.Get, holds: holds}, d, changes)
	if err != nil {
		return err
	}
	if len(viol) > 0 {
		return &InvalidError{DoctorID: d.Id, Violations: viol}
	}
	req := &probasev1.EditRequest{
		Id: a.GetRequestId(), DoctorId: d.Id, DoctorName: d.GetFullName(), BaseVersion: a.GetBaseVersion(),
		Comment: strings.TrimSpace(a.GetComment()), Status: probasev1.EditStatus_EDIT_STATUS_PENDING,
	}
	for _, f := range slices.Sorted(maps.Keys(changed)) {
		req.Changes = append(req.Changes, &probasev1.FieldChange{Field: f, Values: changed[f]})
	}
	return EditRequests.Put(tx, req.Id, req)
}

// Check returns the violations an edit of a doctor would have, for inline
// form errors, without queuing anything.
func Check(ctx context.Context, r *sdk.Replica, doctorID string, changes fields.Values) ([]Violation, error) {
	d, ok, err := Doctors.Get(ctx, r, doctorID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoDoctor, doctorID)
	}
	rd := reader{
		get: func(collection, id string) ([]byte, bool, error) {
			rec, ok, err := r.Get(ctx, collection, id)
			return rec.Payload, ok, err
		},
		holds: func(collection string) (bool, error) {
			n, err := r.Count(ctx, sdk.Query{Collection: collection, Limit: 1})
			return n > 0, err
		},
	}
	_, viol, err := check(rd, d, changes)
	return viol, err
}

// ProposeEdit queues an edit of a doctor on the version the replica holds
// and returns the request's id; the request shows at once as pending in
// EditRequests. An invalid edit returns an *InvalidError and queues
// nothing.
func ProposeEdit(ctx context.Context, r *sdk.Replica, doctorID string, changes fields.Values, comment string) (string, error) {
	d, ok, err := Doctors.Get(ctx, r, doctorID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrNoDoctor, doctorID)
	}
	a := &probasev1.ProposeEditArgs{RequestId: uuid.NewString(), DoctorId: doctorID, BaseVersion: d.GetVersion(), Comment: comment}
	for _, f := range slices.Sorted(maps.Keys(changes)) {
		a.Changes = append(a.Changes, &probasev1.FieldChange{Field: f, Values: changes[f]})
	}
	if _, err := r.MutateProto(ctx, ProposeEditMutation, a); err != nil {
		return "", err
	}
	return a.RequestId, nil
}
