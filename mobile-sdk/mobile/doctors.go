package mobile

import (
	"context"
	"errors"

	"github.com/ordinatorhq/ordinator/mobile-sdk/doctors"
	"github.com/ordinatorhq/ordinator/rules/fields"
)

// FieldValues is an edit of a doctor: new values by field, as the field
// template names them ("phones", "clinic_id",
// "delivery_address.postal_code").
type FieldValues struct{ v fields.Values }

// NewFieldValues returns an empty edit.
func NewFieldValues() *FieldValues { return &FieldValues{v: fields.Values{}} }

// Add adds a value to a field; a list field ("phones") takes several.
func (f *FieldValues) Add(field, value string) {
	if f.v == nil {
		f.v = fields.Values{}
	}
	f.v[field] = append(f.v[field], value)
}

// Clear sets a field to no value (emptying an optional field).
func (f *FieldValues) Clear(field string) {
	if f.v == nil {
		f.v = fields.Values{}
	}
	f.v[field] = []string{}
}

// Len is the number of fields given.
func (f *FieldValues) Len() int { return len(f.v) }

func (f *FieldValues) values() (fields.Values, error) {
	if f == nil || len(f.v) == 0 {
		return nil, errors.New("mobile: an edit needs at least one field (FieldValues.Add)")
	}
	return f.v, nil
}

// Violation is one field at fault, for an inline form error.
type Violation struct {
	Field       string
	Description string
}

// Violations is a list of fields at fault (empty: none).
type Violations struct{ items []*Violation }

// Len is the number of violations.
func (l *Violations) Len() int { return len(l.items) }

// Get returns the i-th violation (nil out of range).
func (l *Violations) Get(i int) *Violation {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return l.items[i]
}

// CheckDoctorEdit returns what is wrong with an edit of a doctor, checked
// with the field template the server synced (the server's own code),
// without queuing anything: an empty list means the edit would be accepted
// by the device. It fails if the doctor or the template is not on the
// device yet.
func (r *Replica) CheckDoctorEdit(doctorID string, changes *FieldValues) (list *Violations, err error) {
	defer recoverInto(&err)
	if err := r.needs(moduleDoctors, "CheckDoctorEdit"); err != nil {
		return nil, err
	}
	v, err := changes.values()
	if err != nil {
		return nil, err
	}
	viol, err := doctors.Check(context.Background(), r.r, doctorID, v)
	if err != nil {
		return nil, err
	}
	list = &Violations{items: make([]*Violation, len(viol))}
	for i, x := range viol {
		list.items[i] = &Violation{Field: x.Field, Description: x.Description}
	}
	return list, nil
}

// ProposeDoctorEdit queues an edit of a doctor, on the version the device
// holds, for moderation, and returns the edit request's id; the request
// shows at once as pending in "edit_request". An edit that fails the
// template is refused with an error naming every field at fault
// ("phones: ...") and nothing is queued.
func (r *Replica) ProposeDoctorEdit(doctorID string, changes *FieldValues, comment string) (requestID string, err error) {
	defer recoverInto(&err)
	if err := r.needs(moduleDoctors, "ProposeDoctorEdit"); err != nil {
		return "", err
	}
	v, err := changes.values()
	if err != nil {
		return "", err
	}
	return doctors.ProposeEdit(context.Background(), r.r, doctorID, v, comment)
}
