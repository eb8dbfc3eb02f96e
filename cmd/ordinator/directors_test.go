package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/probase/v1/probasev1connect"
	syncv1 "github.com/ordinatorhq/ordinator/api/ordinator/sync/v1"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkdoctors "github.com/ordinatorhq/ordinator/mobile-sdk/doctors"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// plantedContacts are contact details of a doctor, their account and their
// workplace, distinctive enough to find in any byte stream.
var plantedContacts = []string{"+79035550101", "plant.mail@contact.test", "987654", "Плантоград", "Тайная", "17к3", "Ж-412",
	"Плантовая набережная, 5", "anna.account@contact.test"}

// rawPulls pulls as a signed-in account from zero to a checkpoint over the
// wire, in small pages, and returns every response body as received.
func rawPulls(t *testing.T, url, token string) []byte {
	t.Helper()
	var all []byte
	var cursors []*syncv1.BucketCursor
	for range 1000 {
		body, err := proto.Marshal(&syncv1.PullRequest{ClientId: "raw", ClientSchemaVersion: currentClientSchema, Cursors: cursors, MaxRows: 3})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, url+"/ordinator.sync.v1.SyncService/Pull", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/proto")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("pull: %s %s (%v)", resp.Status, b, err)
		}
		all = append(all, b...)
		var page syncv1.PullResponse
		if err := proto.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		if page.Checkpoint != nil {
			return all
		}
		cursors = page.Cursors
	}
	t.Fatal("no checkpoint after 1000 pages")
	return nil
}

func plantsIn(b []byte) []string {
	var out []string
	for _, c := range plantedContacts {
		if bytes.Contains(b, []byte(c)) {
			out = append(out, c)
		}
	}
	return out
}

// TestDirectorsPhoneHoldsNoContactDetails: on the whole platform, on both
// stores, a director's pulls carry no phone, e-mail or address of a doctor
// (or of their account or workplace) in any collection, while the
// director's phone lists the doctors with their names, workplaces, reps
// and statuses; a rep of the territory gets the full records; and a phone
// that held the full records, as directors' phones did, loses them.
func TestDirectorsPhoneHoldsNoContactDetails(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p := startPlatform(t, platformOptions{Postgres: pg})
			p.User(auth.RoleModerator, "moderator@contacts.test")
			token := p.Login("moderator@contacts.test").Tokens.AccessToken
			dir := probasev1connect.NewDirectoryServiceClient(http.DefaultClient, p.URL, servertest.WithToken(&token))
			if _, err := dir.CreateClinic(ctx, connect.NewRequest(&probasev1.CreateClinicRequest{Id: "quiet-clinic", Name: "Quiet Clinic", City: "Moscow",
				Address: "Плантовая набережная, 5", TerritoryId: "north"})); err != nil {
				t.Fatal(err)
			}
			field := func(f string, v ...string) *probasev1.FieldChange { return &probasev1.FieldChange{Field: f, Values: v} }
			res, err := dir.CreateDoctor(ctx, connect.NewRequest(&probasev1.CreateDoctorRequest{ExternalId: "crm-plant", Fields: []*probasev1.FieldChange{
				field("full_name", "Ольга Смирнова"), field("specialty", "dermatology"), field("clinic_id", "quiet-clinic"),
				field("phones", "+79035550101"), field("email", "plant.mail@contact.test"), field("delivery_address.postal_code", "987654"),
				field("delivery_address.city", "Плантоград"), field("delivery_address.street", "Тайная"), field("delivery_address.building", "17к3"),
				field("delivery_address.apartment", "Ж-412"), field("territory_id", "north"),
			}}))
			if err != nil {
				t.Fatal(err)
			}
			doctor := res.Msg.Doctor
			account := p.User(auth.RoleDoctor, "anna.account@contact.test")
			if _, err := dir.LinkAccount(ctx, connect.NewRequest(&probasev1.LinkAccountRequest{DoctorId: doctor.Id, UserId: account.ID})); err != nil {
				t.Fatal(err)
			}
			rep := p.User(auth.RoleRep, "rep@contacts.test")
			p.User(auth.RoleDirector, "director@contacts.test")

			// A phone holding the territory's full records, as every
			// director's phone did before summaries.
			phoneDir := t.TempDir()
			open := func(email string) *sdk.Replica {
				r, err := sdk.Open(ctx, sdk.Options{Dir: phoneDir, ServerURL: p.URL, Tokens: p.Tokens(email), Schema: directorySchema(),
					ClientSchemaVersion: currentClientSchema, MinBackoff: 20 * time.Millisecond, MaxBackoff: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			old := open("rep@contacts.test")
			syncDevice(t, old)
			if n, err := old.Count(ctx, sdk.Query{Collection: sdkdoctors.Doctors.Collection.Name}); err != nil || n != 1 {
				t.Fatalf("the old phone holds %d doctors (%v)", n, err)
			}
			old.Close()
			phone := open("director@contacts.test")
			defer phone.Close()
			syncDevice(t, phone)
			for _, c := range []string{sdkdoctors.Doctors.Collection.Name, sdkdoctors.Clinics.Collection.Name} {
				if n, err := phone.Count(ctx, sdk.Query{Collection: c}); err != nil || n != 0 {
					t.Fatalf("the director's phone still holds %d of %s (%v)", n, c, err)
				}
			}
			listed, err := sdkdoctors.Summaries.Query(ctx, phone, sdk.Query{Where: []sdk.Filter{{Column: "territory", Op: sdk.Eq, Value: "north"}}, OrderBy: "name_key"})
			if err != nil || len(listed) != 1 {
				t.Fatalf("the director's phone lists %v (%v)", listed, err)
			}
			if s := listed[0]; s.FullName != "Ольга Смирнова" || s.ClinicName != "Quiet Clinic" || s.Status != "active" || s.RegionId != "msk" ||
				s.Verification != probasev1.DoctorVerification_DOCTOR_VERIFICATION_VERIFIED || len(s.Reps) != 1 || s.Reps[0].UserId != rep.ID {
				t.Fatalf("the director's phone shows %v", s)
			}

			directorToken := p.Login("director@contacts.test").Tokens.AccessToken
			if got := plantsIn(rawPulls(t, p.URL, directorToken)); len(got) != 0 {
				t.Fatalf("the director's pulls carry %v", got)
			}
			repToken := p.Login("rep@contacts.test").Tokens.AccessToken
			if got := plantsIn(rawPulls(t, p.URL, repToken)); len(got) != len(plantedContacts)-1 {
				t.Fatalf("the rep's pulls carry only %v", got)
			}
		})
	}
}
