// Package doctors is the device side of the doctors directory on the SDK:
// typed collections of doctors, clinics, the directors' doctor summaries
// and edit requests, and the optimistic "doctor.propose_edit" that checks
// an edit with the field template the server synced (rules/fields,
// the same code the server runs) before the write is queued.
package doctors

import (
	"strings"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
)

// Names the server uses (declared in the protos). The doctors' template is
// the one for the doctor collection.
const (
	TemplateCollection  = syncv1.FieldTemplateCollection
	DoctorTemplateID    = probasev1.DoctorCollection
	ProposeEditMutation = probasev1.ProposeEditMutation
)

// Doctors are the doctors the device holds: a rep's territories, or a
// doctor's own record. Columns: territory, name_key (lower-case full name,
// for sorting and prefix search), clinic, status.
var Doctors = sdk.ProtoCollection[*probasev1.Doctor](probasev1.DoctorCollection,
	sdk.ProtoColumn[*probasev1.Doctor]{Name: "territory", Type: sdk.Text, Value: func(d *probasev1.Doctor) any { return d.GetTerritoryId() }},
	sdk.ProtoColumn[*probasev1.Doctor]{Name: "name_key", Type: sdk.Text, Value: func(d *probasev1.Doctor) any { return NameKey(d.GetFullName()) }},
	sdk.ProtoColumn[*probasev1.Doctor]{Name: "clinic", Type: sdk.Text, Value: func(d *probasev1.Doctor) any { return d.GetClinicId() }},
	sdk.ProtoColumn[*probasev1.Doctor]{Name: "status", Type: sdk.Text, Value: func(d *probasev1.Doctor) any { return d.GetStatus() }},
)

// Summaries are what a director's phone holds of the doctors of the
// regions they follow: name, specialty, workplace, territory, reps, status
// and verification, never a phone, e-mail or address. Columns: territory,
// region, name_key, clinic, status, verification ("no_account",
// "not_submitted", "pending", "verified", "rejected").
var Summaries = sdk.ProtoCollection[*probasev1.DoctorSummary](probasev1.DoctorSummaryCollection,
	sdk.ProtoColumn[*probasev1.DoctorSummary]{Name: "territory", Type: sdk.Text, Value: func(d *probasev1.DoctorSummary) any { return d.GetTerritoryId() }},
	sdk.ProtoColumn[*probasev1.DoctorSummary]{Name: "region", Type: sdk.Text, Value: func(d *probasev1.DoctorSummary) any { return d.GetRegionId() }},
	sdk.ProtoColumn[*probasev1.DoctorSummary]{Name: "name_key", Type: sdk.Text, Value: func(d *probasev1.DoctorSummary) any { return NameKey(d.GetFullName()) }},
	sdk.ProtoColumn[*probasev1.DoctorSummary]{Name: "clinic", Type: sdk.Text, Value: func(d *probasev1.DoctorSummary) any { return d.GetClinicId() }},
	sdk.ProtoColumn[*probasev1.DoctorSummary]{Name: "status", Type: sdk.Text, Value: func(d *probasev1.DoctorSummary) any { return d.GetStatus() }},
	sdk.ProtoColumn[*probasev1.DoctorSummary]{Name: "verification", Type: sdk.Text, Value: func(d *probasev1.DoctorSummary) any { return VerificationName(d.GetVerification()) }},
)

// Clinics are the workplaces of the device's territories. Columns:
// territory, name_key.
var Clinics = sdk.ProtoCollection[*probasev1.Clinic](probasev1.ClinicCollection,
	sdk.ProtoColumn[*probasev1.Clinic]{Name: "territory", Type: sdk.Text, Value: func(c *probasev1.Clinic) any { return c.GetTerritoryId() }},
	sdk.ProtoColumn[*probasev1.Clinic]{Name: "name_key", Type: sdk.Text, Value: func(c *probasev1.Clinic) any { return NameKey(c.GetName()) }},
)

// EditRequests are the edits the device's user proposed. Columns: doctor,
// status ("pending", "approved", "rejected"), created (unix ms).
var EditRequests = sdk.ProtoCollection[*probasev1.EditRequest](probasev1.EditRequestCollection,
	sdk.ProtoColumn[*probasev1.EditRequest]{Name: "doctor", Type: sdk.Text, Value: func(r *probasev1.EditRequest) any { return r.GetDoctorId() }},
	sdk.ProtoColumn[*probasev1.EditRequest]{Name: "status", Type: sdk.Text, Value: func(r *probasev1.EditRequest) any { return StatusName(r.GetStatus()) }},
	sdk.ProtoColumn[*probasev1.EditRequest]{Name: "created", Type: sdk.Integer, Value: func(r *probasev1.EditRequest) any { return r.GetCreatedAtUnixMs() }},
)

// Templates are the field templates the server publishes to every device.
var Templates = sdk.ProtoCollection[*syncv1.FieldTemplate](TemplateCollection)

// Register adds the directory's collections and the optimistic
// "doctor.propose_edit" to a schema.
func Register(s *sdk.Schema) {
	s.AddCollection(Doctors.Collection)
	s.AddCollection(Clinics.Collection)
	s.AddCollection(Summaries.Collection)
	s.AddCollection(EditRequests.Collection)
	s.AddCollection(Templates.Collection)
	s.AddMutation(ProposeEditMutation, sdk.ProtoMutation(proposeEdit))
}

// NameKey is the search and sort form of a name: lower case, single
// spaces, ё folded to е.
func NameKey(name string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(strings.ToLower(name)), " "), "ё", "е")
}

// VerificationName is the column value of a doctor's verification.
func VerificationName(v probasev1.DoctorVerification) string {
	return strings.ToLower(strings.TrimPrefix(v.String(), "DOCTOR_VERIFICATION_"))
}

// StatusName is the column value of an edit status.
func StatusName(s probasev1.EditStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "EDIT_STATUS_"))
}
