package doctors_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/doctors"
	"github.com/ordinatorhq/ordinator/rules/fields"
)

// template is a doctor template as the server publishes it (a subset).
var template = fields.Template{Collection: "doctor", Version: 1, Rules: []fields.Rule{
	{Field: "full_name", Label: "Full name", Required: true, MinLen: 3},
	{Field: "clinic_id", Label: "Workplace", Ref: "clinic"},
	{Field: "phones", Label: "Phone", List: true, MaxItems: 2, Pattern: `\+[1-9][0-9]{7,14}`, PatternHint: "+79161234567"},
	{Field: "delivery_address.postal_code", Label: "Postal code", Pattern: `[0-9]{6}`},
	{Field: "territory_id", Label: "Territory", Required: true, Ref: "territory"},
}}

// open returns a replica that never reaches a server, with the template,
// a clinic and a doctor put in place by a seeding mutation standing in
// for a sync.
func open(t *testing.T, withTemplate bool) *sdk.Replica {
	t.Helper()
	return openWith(t, withTemplate, true)
}

// openWith is open, with or without clinics: a doctor's phone holds none.
func openWith(t *testing.T, withTemplate, withClinics bool) *sdk.Replica {
	t.Helper()
	s := sdk.NewSchema()
	doctors.Register(s)
	s.AddMutation("test.seed", func(tx *sdk.LocalTx, _ []byte) error {
		if withTemplate {
			if err := doctors.Templates.Put(tx, "doctor", template.Proto()); err != nil {
				return err
			}
		}
		if withClinics {
			if err := doctors.Clinics.Put(tx, "c1", &probasev1.Clinic{Id: "c1", Name: "Clinic One", TerritoryId: "north"}); err != nil {
				return err
			}
		}
		return doctors.Doctors.Put(tx, "d1", &probasev1.Doctor{Id: "d1", FullName: "Анна Петрова", ClinicId: "c1", TerritoryId: "north", Version: 3,
			Phones: []string{"+79161234567"}, Status: "active"})
	})
	r, err := sdk.Open(context.Background(), sdk.Options{Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	r.SetConnectivity(sdk.Offline)
	if _, err := r.Mutate(context.Background(), "test.seed", nil); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestProposeEditRefusesInvalidAndQueuesNothing(t *testing.T) {
	ctx := context.Background()
	r := open(t, true)
	queued := r.Status().Pending
	for _, tc := range []struct {
		name    string
		changes fields.Values
		field   string
	}{
		{"bad phone", fields.Values{"phones": {"8-916"}}, "phones"},
		{"required emptied", fields.Values{"full_name": {" "}}, "full_name"},
		{"nested field", fields.Values{"delivery_address.postal_code": {"12"}}, "delivery_address.postal_code"},
		{"workplace not on the device", fields.Values{"clinic_id": {"nowhere"}}, "clinic_id"},
		{"unknown field", fields.Values{"salary": {"1"}}, "salary"},
		{"no change", fields.Values{"phones": {" +79161234567 "}}, "changes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			viol, err := doctors.Check(ctx, r, "d1", tc.changes)
			if err != nil || len(viol) != 1 || viol[0].Field != tc.field {
				t.Fatalf("Check: %v, %v; want one violation of %s", viol, err, tc.field)
			}
			_, err = doctors.ProposeEdit(ctx, r, "d1", tc.changes, "")
			var inv *doctors.InvalidError
			if !errors.As(err, &inv) || len(inv.Violations) != 1 || inv.Violations[0].Field != tc.field {
				t.Fatalf("ProposeEdit: %v; want a refusal naming %s", err, tc.field)
			}
		})
	}
	if st := r.Status(); st.Pending != queued {
		t.Fatalf("refused edits queued %d mutations", st.Pending-queued)
	}
	if n, err := r.Count(ctx, sdk.Query{Collection: "edit_request"}); err != nil || n != 0 {
		t.Fatalf("refused edits left %d requests (%v)", n, err)
	}
	// The raw mutation is refused the same way.
	_, err := r.MutateProto(ctx, doctors.ProposeEditMutation, &probasev1.ProposeEditArgs{RequestId: "2b0f5b1e-7c1a-4a43-9d2a-3a6d0c6b8e11",
		DoctorId: "d1", BaseVersion: 4, Changes: []*probasev1.FieldChange{{Field: "phones", Values: []string{"+79160000000"}}}})
	var inv *doctors.InvalidError
	if !errors.As(err, &inv) || inv.Violations[0].Field != "base_version" {
		t.Fatalf("a future base version: %v", err)
	}
	_, err = r.MutateProto(ctx, doctors.ProposeEditMutation, &probasev1.ProposeEditArgs{RequestId: "req-1",
		DoctorId: "d1", BaseVersion: 3, Changes: []*probasev1.FieldChange{{Field: "phones", Values: []string{"+79160000000"}}}})
	if !errors.As(err, &inv) || inv.Violations[0].Field != "request_id" {
		t.Fatalf("a request id that is not a UUID: %v", err)
	}
	if _, err := doctors.ProposeEdit(ctx, r, "nobody", fields.Values{"phones": {"+79160000000"}}, ""); !errors.Is(err, doctors.ErrNoDoctor) {
		t.Fatalf("unknown doctor: %v", err)
	}
}

func TestProposeEditShowsPendingAtOnce(t *testing.T) {
	ctx := context.Background()
	r := open(t, true)
	queued := r.Status().Pending
	// The territory is not on the device: left to the server.
	changes := fields.Values{"phones": {"+79160000001", " +79160000002"}, "delivery_address.postal_code": {"101000"}, "full_name": {"Анна Петрова"}}
	if viol, err := doctors.Check(ctx, r, "d1", changes); err != nil || len(viol) != 0 {
		t.Fatalf("a valid edit: %v, %v", viol, err)
	}
	id, err := doctors.ProposeEdit(ctx, r, "d1", changes, "  new phones ")
	if err != nil {
		t.Fatal(err)
	}
	if st := r.Status(); st.Pending != queued+1 {
		t.Fatalf("pending %d, want %d", st.Pending, queued+1)
	}
	reqs, err := doctors.EditRequests.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "status", Op: sdk.Eq, Value: "pending"}, {Column: "doctor", Op: sdk.Eq, Value: "d1"}}})
	if err != nil || len(reqs) != 1 {
		t.Fatalf("pending requests %v, %v", reqs, err)
	}
	want := &probasev1.EditRequest{Id: id, DoctorId: "d1", DoctorName: "Анна Петрова", BaseVersion: 3, Comment: "new phones",
		Status: probasev1.EditStatus_EDIT_STATUS_PENDING, Changes: []*probasev1.FieldChange{
			{Field: "delivery_address.postal_code", Values: []string{"101000"}},
			{Field: "phones", Values: []string{"+79160000001", "+79160000002"}},
		}}
	if !proto.Equal(reqs[0], want) {
		t.Fatalf("request %v, want %v", reqs[0], want)
	}
	rec, _, err := r.Get(ctx, "edit_request", id)
	if err != nil || !rec.Pending {
		t.Fatalf("the request is not marked pending: %+v, %v", rec, err)
	}
	// Doctors are searchable by a folded name.
	got, err := doctors.Doctors.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "name_key", Op: sdk.Prefix, Value: doctors.NameKey("анна")}}})
	if err != nil || len(got) != 1 || got[0].Id != "d1" {
		t.Fatalf("search by name: %v, %v", got, err)
	}
}

func TestProposeEditNeedsTheTemplate(t *testing.T) {
	r := open(t, false)
	if _, err := doctors.ProposeEdit(context.Background(), r, "d1", fields.Values{"phones": {"+79160000000"}}, ""); !errors.Is(err, doctors.ErrNoTemplate) {
		t.Fatalf("without a template: %v", err)
	}
}

// TestWorkplaceOnAPhoneWithoutClinics: a doctor's phone holds no clinics,
// so a new workplace is left to the server to check instead of refused.
func TestWorkplaceOnAPhoneWithoutClinics(t *testing.T) {
	ctx := context.Background()
	r := openWith(t, true, false)
	changes := fields.Values{"clinic_id": {"c2"}}
	if viol, err := doctors.Check(ctx, r, "d1", changes); err != nil || len(viol) != 0 {
		t.Fatalf("Check: %v, %v; want no violation", viol, err)
	}
	if _, err := doctors.ProposeEdit(ctx, r, "d1", changes, "moved"); err != nil {
		t.Fatal(err)
	}
	// Rules that need no reference are still checked on the phone.
	if viol, err := doctors.Check(ctx, r, "d1", fields.Values{"phones": {"8-916"}}); err != nil || len(viol) != 1 {
		t.Fatalf("Check of a bad phone: %v, %v; want one violation", viol, err)
	}
}

// TestSummariesOnADirectorsPhone: the directors' summaries are listed by
// territory and verification, as a director's phone filters them.
func TestSummariesOnADirectorsPhone(t *testing.T) {
	ctx := context.Background()
	s := sdk.NewSchema()
	doctors.Register(s)
	s.AddMutation("test.seed", func(tx *sdk.LocalTx, _ []byte) error {
		for _, d := range []*probasev1.DoctorSummary{
			{Id: "d1", FullName: "Анна Петрова", TerritoryId: "north", RegionId: "msk", Status: "active", Verification: probasev1.DoctorVerification_DOCTOR_VERIFICATION_VERIFIED},
			{Id: "d2", FullName: "Ёлка Борисова", TerritoryId: "north", RegionId: "msk", Status: "on_leave", Verification: probasev1.DoctorVerification_DOCTOR_VERIFICATION_PENDING},
			{Id: "d3", FullName: "Иван Сидоров", TerritoryId: "south", RegionId: "msk", Status: "active", Verification: probasev1.DoctorVerification_DOCTOR_VERIFICATION_VERIFIED},
		} {
			if err := doctors.Summaries.Put(tx, d.Id, d); err != nil {
				return err
			}
		}
		return nil
	})
	r, err := sdk.Open(ctx, sdk.Options{Dir: t.TempDir(), ServerURL: "http://127.0.0.1:1", Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	r.SetConnectivity(sdk.Offline)
	if _, err := r.Mutate(ctx, "test.seed", nil); err != nil {
		t.Fatal(err)
	}
	got, err := doctors.Summaries.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "territory", Op: sdk.Eq, Value: "north"},
		{Column: "verification", Op: sdk.Eq, Value: "verified"}}})
	if err != nil || len(got) != 1 || got[0].Id != "d1" {
		t.Fatalf("verified doctors of north: %v (%v)", got, err)
	}
	got, err = doctors.Summaries.Query(ctx, r, sdk.Query{Where: []sdk.Filter{{Column: "name_key", Op: sdk.Prefix, Value: doctors.NameKey("елка")}}})
	if err != nil || len(got) != 1 || got[0].Id != "d2" {
		t.Fatalf("search by name: %v (%v)", got, err)
	}
}
