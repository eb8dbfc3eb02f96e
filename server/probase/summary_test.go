package probase_test

import (
	"bytes"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
	"github.com/ordinatorhq/ordinator/syncengine/storetest"
)

// contacts are distinctive contact details planted in the directory: no
// byte of them may reach a director.
var contacts = []string{"+79035550101", "+79035550202", "plant.mail@contact.test", "987654", "Плантоград", "Тайная", "17к3", "Ж-412",
	"Плантовая набережная, 5"}

// plantContacts adds a doctor of territory north with every contact field
// filled, a workplace with an address, and an approved edit that changes
// a phone.
func plantContacts(e *env) *probasev1.Doctor {
	e.t.Helper()
	_, err := e.dir.CreateClinic(e.ctx, auth.System, &probasev1.Clinic{Id: "quiet-clinic", Name: "Quiet Clinic", City: "Moscow",
		Address: "Плантовая набережная, 5", TerritoryId: "north"})
	must(e.t, err)
	d, err := e.dir.CreateDoctor(e.ctx, auth.System, "crm-plant", changes(
		"full_name", "Ольга Смирнова", "specialty", "cosmetology", "clinic_id", "quiet-clinic", "position", "cosmetologist",
		"phones", "+79035550101", "email", "plant.mail@contact.test", "delivery_address.postal_code", "987654",
		"delivery_address.city", "Плантоград", "delivery_address.street", "Тайная", "delivery_address.building", "17к3",
		"delivery_address.apartment", "Ж-412", "territory_id", "north"))
	must(e.t, err)
	rep := e.device(e.repA)
	out := propose(rep, d.Id, d.Version, changes("phones", "+79035550101", "phones", "+79035550202")...)
	if out.Status != syncengine.StatusApplied {
		e.t.Fatalf("propose: %+v", out.Error)
	}
	var res probasev1.ProposeEditResult
	must(e.t, proto.Unmarshal(out.Result, &res))
	_, d, err = e.dir.Approve(e.ctx, auth.Principal(e.moderator, "m"), res.RequestId, 0, nil)
	must(e.t, err)
	return d
}

// pulled is everything a device downloaded to its next checkpoint.
func pulled(d *servertest.Device) []byte {
	var all bytes.Buffer
	for _, c := range d.Sync().Changes {
		all.WriteString(string(c.Bucket) + " " + c.Collection + " " + c.RecordID + " ")
		all.Write(c.Payload)
	}
	return all.Bytes()
}

// leaked returns the planted contact details found in b.
func leaked(b []byte) []string {
	var out []string
	for _, c := range contacts {
		if bytes.Contains(b, []byte(c)) {
			out = append(out, c)
		}
	}
	return out
}

// TestDirectorsGetNoContactDetails: a director's pulls hold no phone,
// e-mail or address of a doctor or workplace, in any collection, and still
// say who the doctors are and how they stand; a rep of the territory gets
// the full records.
func TestDirectorsGetNoContactDetails(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		planted := plantContacts(e)
		dir, rep := e.device(e.director), e.device(e.repA)
		if got := leaked(pulled(dir)); len(got) != 0 {
			t.Fatalf("the director downloaded %v", got)
		}
		if got := leaked(pulled(rep)); len(got) != len(contacts) {
			t.Fatalf("the rep downloaded only %v of the contact details", got)
		}
		if d := doctorOf(rep, planted.Id); !slices.Equal(d.Phones, []string{"+79035550101", "+79035550202"}) || d.Email != "plant.mail@contact.test" {
			t.Fatalf("the rep holds %v", d)
		}
		for _, b := range dir.Replica.Buckets() {
			for k := range dir.Replica.Records(b) {
				if k.Collection == probase.DoctorCollection || k.Collection == probase.ClinicCollection {
					t.Fatalf("the director holds %s %s in %s", k.Collection, k.ID, b)
				}
			}
		}
		reps := []*probasev1.TerritoryRep{{UserId: e.repA.ID, Name: e.repA.Name}, {UserId: e.repB.ID, Name: e.repB.Name}}
		want := &probasev1.DoctorSummary{Id: planted.Id, FullName: "Ольга Смирнова", Specialty: "cosmetology", Position: "cosmetologist",
			ClinicId: "quiet-clinic", ClinicName: "Quiet Clinic", TerritoryId: "north", RegionId: "msk", Status: "active",
			Verification: probasev1.DoctorVerification_DOCTOR_VERIFICATION_NO_ACCOUNT, Reps: reps, Version: planted.Version,
			UpdatedAtUnixMs: planted.UpdatedAtUnixMs}
		if got := summaryOf(dir, planted.Id); !proto.Equal(got, want) {
			t.Fatalf("the director holds\n%v\nwant\n%v", got, want)
		}
		if got := summaryOf(dir, e.doctor.Id); got.FullName != "Анна Петрова" || got.UserId != e.doctorUser.ID ||
			got.Verification != probasev1.DoctorVerification_DOCTOR_VERIFICATION_NOT_SUBMITTED {
			t.Fatalf("the director holds %v", got)
		}
		// A rep reads no summaries: the full records are theirs.
		if summaryOf(rep, planted.Id) != nil {
			t.Fatal("a rep holds a director's summary")
		}
	})
}

// TestDirectorReplicaLosesFullRecords: a replica that holds a territory's
// full records, as every director's phone did before summaries, is told
// to drop them at its next pull and gets the summaries instead.
func TestDirectorReplicaLosesFullRecords(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		plantContacts(e)
		old := e.device(e.repA)
		old.Sync()
		north := auth.TerritoryBucket("north")
		if len(old.Replica.Records(north)) == 0 {
			t.Fatal("the replica holds no full records to begin with")
		}
		old.P = auth.Principal(e.director, "phone")
		if got := old.Sync().Dropped; !slices.Contains(got, north) {
			t.Fatalf("dropped %v, want %s", got, north)
		}
		for _, b := range old.Replica.Buckets() {
			if b.Kind() == auth.KindTerritory {
				t.Fatalf("the director's replica still holds %s", b)
			}
		}
		if got := leaked(bytesOf(old.Replica)); len(got) != 0 {
			t.Fatalf("the director's replica still holds %v", got)
		}
		if summaryOf(old, e.doctor.Id) == nil {
			t.Fatal("the director's replica has no summaries")
		}
	})
}

func bytesOf(r *storetest.Replica) []byte {
	var all []byte
	for _, b := range r.Buckets() {
		for _, p := range r.Records(b) {
			all = append(all, p...)
		}
	}
	return all
}

// TestSummaryFollowsTheDoctor: the summary changes in the transaction of
// every change it shows: the account's verification, the territory's
// reps, a move to another territory; a director of another region never
// gets it.
func TestSummaryFollowsTheDoctor(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		dir := e.device(e.director)
		_, err := e.accounts.CreateRegion(e.ctx, auth.System, auth.Region{ID: "spb", Name: "St Petersburg", TimeZone: "Europe/Moscow"})
		must(t, err)
		_, err = e.accounts.CreateTerritory(e.ctx, auth.System, auth.Territory{ID: "spb-1", RegionID: "spb", Name: "spb-1"})
		must(t, err)
		other, err := e.accounts.CreateUser(e.ctx, auth.System, auth.NewUser{Role: auth.RoleDirector, Email: "spb@dir.test", Password: "long enough pw", Name: "spb", RegionID: "spb"})
		must(t, err)
		_, err = e.accounts.AssignRegion(e.ctx, auth.System, other.ID, "spb", true)
		must(t, err)
		elsewhere := e.device(other)
		verification := func(want probasev1.DoctorVerification) {
			t.Helper()
			dir.Sync()
			if got := summaryOf(dir, e.doctor.Id).GetVerification(); got != want {
				t.Fatalf("verification %v, want %v", got, want)
			}
		}
		doctor := auth.Principal(e.doctorUser, "phone")
		_, err = e.accounts.AttachDiploma(e.ctx, doctor, "diploma-1")
		must(t, err)
		verification(probasev1.DoctorVerification_DOCTOR_VERIFICATION_PENDING)
		_, err = e.accounts.ReviewDiploma(e.ctx, auth.Principal(e.moderator, "m"), e.doctorUser.ID, false, "unreadable")
		must(t, err)
		verification(probasev1.DoctorVerification_DOCTOR_VERIFICATION_REJECTED)
		_, err = e.accounts.AttachDiploma(e.ctx, doctor, "diploma-2")
		must(t, err)
		_, err = e.accounts.ReviewDiploma(e.ctx, auth.Principal(e.moderator, "m"), e.doctorUser.ID, true, "")
		must(t, err)
		verification(probasev1.DoctorVerification_DOCTOR_VERIFICATION_VERIFIED)

		// Reps come and go.
		_, err = e.accounts.AssignTerritory(e.ctx, auth.System, e.repB.ID, "north", false)
		must(t, err)
		_, err = e.accounts.AssignTerritory(e.ctx, auth.System, e.repSouth.ID, "north", true)
		must(t, err)
		dir.Sync()
		var names []string
		for _, r := range summaryOf(dir, e.doctor.Id).GetReps() {
			names = append(names, r.Name)
		}
		if want := []string{e.repA.Name, e.repSouth.Name}; !slices.Equal(names, want) {
			t.Fatalf("reps %v, want %v", names, want)
		}

		// The doctor moves south: the summary leaves north's bucket.
		rep := e.device(e.repA)
		rep.Sync()
		out := propose(rep, e.doctor.Id, doctorOf(rep, e.doctor.Id).Version, changes("territory_id", "south")...)
		if out.Status != syncengine.StatusApplied {
			t.Fatalf("propose: %+v", out.Error)
		}
		var res probasev1.ProposeEditResult
		must(t, proto.Unmarshal(out.Result, &res))
		_, _, err = e.dir.Approve(e.ctx, auth.Principal(e.moderator, "m"), res.RequestId, 0, nil)
		must(t, err)
		dir.Sync()
		if _, ok := dir.Replica.Get(auth.TerritorySummaryBucket("north"), probase.DoctorSummaryCollection, e.doctor.Id); ok {
			t.Fatal("the summary stayed in the territory the doctor left")
		}
		if got := summaryOf(dir, e.doctor.Id); got.GetTerritoryId() != "south" || len(got.GetReps()) != 1 || got.Reps[0].UserId != e.repSouth.ID {
			t.Fatalf("after the move the director holds %v", got)
		}

		elsewhere.Sync()
		if summaryOf(elsewhere, e.doctor.Id) != nil {
			t.Fatal("a director of another region holds the summary")
		}
	})
}
