package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"connectrpc.com/connect"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/api/ordinator/probase/v1/probasev1connect"
	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	sdkdoctors "github.com/ordinatorhq/ordinator/mobile-sdk/doctors"
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/servertest"
)

// directory is a platform with a moderator signed in to the directory and
// moderation RPCs, two clinics of territory north and a doctor there.
type directory struct {
	*platform
	moderatorToken string
	dir            probasev1connect.DirectoryServiceClient
	mod            probasev1connect.ModerationServiceClient
	doctor         *probasev1.Doctor
}

func startDirectory(t *testing.T) *directory {
	t.Helper()
	ctx := context.Background()
	d := &directory{platform: startPlatform(t, platformOptions{Postgres: true})}
	d.User(auth.RoleModerator, "moderator@directory.test")
	d.moderatorToken = d.Login("moderator@directory.test").Tokens.AccessToken
	d.dir = probasev1connect.NewDirectoryServiceClient(http.DefaultClient, d.URL, servertest.WithToken(&d.moderatorToken))
	d.mod = probasev1connect.NewModerationServiceClient(http.DefaultClient, d.URL, servertest.WithToken(&d.moderatorToken))
	for _, c := range []struct{ id, name string }{{"north-derm-1", "Derma Clinic One"}, {"north-derm-2", "Derma Clinic Two"}} {
		if _, err := d.dir.CreateClinic(ctx, connect.NewRequest(&probasev1.CreateClinicRequest{Id: c.id, Name: c.name, City: "Moscow", TerritoryId: "north"})); err != nil {
			t.Fatal(err)
		}
	}
	res, err := d.dir.CreateDoctor(ctx, connect.NewRequest(&probasev1.CreateDoctorRequest{ExternalId: "crm-1", Fields: []*probasev1.FieldChange{
		{Field: "full_name", Values: []string{"Анна Петрова"}}, {Field: "specialty", Values: []string{"dermatology"}},
		{Field: "clinic_id", Values: []string{"north-derm-1"}}, {Field: "phones", Values: []string{"+79161234567"}},
		{Field: "territory_id", Values: []string{"north"}},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	d.doctor = res.Msg.Doctor
	return d
}

// directorySchema is a device schema with the directory's collections.
func directorySchema() *sdk.Schema {
	s := sdk.NewSchema()
	sdkdoctors.Register(s)
	return s
}

func syncDevice(t *testing.T, r *sdk.Replica) {
	t.Helper()
	if err := r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func deviceDoctor(t *testing.T, r *sdk.Replica, id string) *probasev1.Doctor {
	t.Helper()
	d, ok, err := sdkdoctors.Doctors.Get(context.Background(), r, id)
	if err != nil || !ok {
		t.Fatalf("doctor %s is not on the device (%v)", id, err)
	}
	return d
}

func deviceRequest(t *testing.T, r *sdk.Replica, id string) (*probasev1.EditRequest, bool) {
	t.Helper()
	rec, ok, err := r.Get(context.Background(), sdkdoctors.EditRequests.Collection.Name, id)
	if err != nil || !ok {
		t.Fatalf("edit request %s is not on the device (%v)", id, err)
	}
	req, err := sdkdoctors.EditRequests.Decode(rec)
	if err != nil {
		t.Fatal(err)
	}
	return req, rec.Pending
}

// TestDirectoryEditFlow: a rep edits a doctor offline on a tablet; the
// template refuses an invalid edit on the device and queues a valid one as
// pending; a moderator approves it, and the tablet and the doctor's own
// phone get the new data.
func TestDirectoryEditFlow(t *testing.T) {
	ctx := context.Background()
	d := startDirectory(t)
	account := d.User(auth.RoleDoctor, "anna@directory.test")
	if _, err := d.dir.LinkAccount(ctx, connect.NewRequest(&probasev1.LinkAccountRequest{DoctorId: d.doctor.Id, UserId: account.ID})); err != nil {
		t.Fatal(err)
	}
	d.User(auth.RoleRep, "rep@directory.test")
	tablet := d.Device("rep@directory.test", directorySchema())
	phone := d.Device("anna@directory.test", directorySchema())
	syncDevice(t, tablet)
	syncDevice(t, phone)
	if doc := deviceDoctor(t, phone, d.doctor.Id); doc.Version != 2 || doc.UserId != account.ID {
		t.Fatalf("the doctor's phone holds %v", doc)
	}
	listed, err := sdkdoctors.Doctors.Query(ctx, tablet, sdk.Query{Where: []sdk.Filter{{Column: "territory", Op: sdk.Eq, Value: "north"}}, OrderBy: "name_key"})
	if err != nil || len(listed) != 1 || listed[0].Id != d.doctor.Id || listed[0].ClinicName != "Derma Clinic One" {
		t.Fatalf("the tablet lists %v (%v)", listed, err)
	}

	tablet.SetConnectivity(sdk.Offline)
	queued := tablet.Status().Pending
	_, err = sdkdoctors.ProposeEdit(ctx, tablet, d.doctor.Id, fields.Values{"phones": {"8 (916) 000-00-01"}, "clinic_id": {"north-derm-2"}}, "")
	var invalid *sdkdoctors.InvalidError
	if !errors.As(err, &invalid) || len(invalid.Violations) != 1 || invalid.Violations[0].Field != "phones" {
		t.Fatalf("an invalid phone: %v", err)
	}
	if _, err := sdkdoctors.ProposeEdit(ctx, tablet, d.doctor.Id, fields.Values{"clinic_id": {"no-such-clinic"}}, ""); !errors.As(err, &invalid) || invalid.Violations[0].Field != "clinic_id" {
		t.Fatalf("a workplace that does not exist: %v", err)
	}
	if n, _ := tablet.Count(ctx, sdk.Query{Collection: "edit_request"}); tablet.Status().Pending != queued || n != 0 {
		t.Fatalf("refused edits were queued: %d pending, %d requests", tablet.Status().Pending-queued, n)
	}
	reqID, err := sdkdoctors.ProposeEdit(ctx, tablet, d.doctor.Id, fields.Values{"phones": {"+79160000001"}, "clinic_id": {"north-derm-2"}}, "moved to clinic two")
	if err != nil {
		t.Fatal(err)
	}
	if req, pending := deviceRequest(t, tablet, reqID); !pending || req.Status != probasev1.EditStatus_EDIT_STATUS_PENDING || tablet.Status().Pending != queued+1 {
		t.Fatalf("the queued edit does not show as pending: %v (pending %v)", req, pending)
	}

	tablet.SetConnectivity(sdk.Online)
	syncDevice(t, tablet)
	if req, pending := deviceRequest(t, tablet, reqID); pending || req.Status != probasev1.EditStatus_EDIT_STATUS_PENDING || req.ProposerId == "" {
		t.Fatalf("after sync the server's request should replace the optimistic one: %v (pending %v)", req, pending)
	}
	if rej, _ := tablet.Rejections(ctx); len(rej) != 0 {
		t.Fatalf("the server rejected the edit: %+v", rej)
	}

	list, err := d.mod.ListEditRequests(ctx, connect.NewRequest(&probasev1.ListEditRequestsRequest{Status: probasev1.EditStatus_EDIT_STATUS_PENDING, TerritoryId: "north"}))
	if err != nil || len(list.Msg.Requests) != 1 || list.Msg.Requests[0].Id != reqID {
		t.Fatalf("the moderator's queue: %v (%v)", list.Msg.GetRequests(), err)
	}
	review, err := d.mod.GetEditRequest(ctx, connect.NewRequest(&probasev1.GetEditRequestRequest{Id: reqID}))
	if err != nil {
		t.Fatal(err)
	}
	wantFields := map[string][3][]string{
		"clinic_id": {{"north-derm-1"}, {"north-derm-1"}, {"north-derm-2"}},
		"phones":    {{"+79161234567"}, {"+79161234567"}, {"+79160000001"}},
	}
	if len(review.Msg.Fields) != len(wantFields) {
		t.Fatalf("review fields %v", review.Msg.Fields)
	}
	for _, f := range review.Msg.Fields {
		w := wantFields[f.Field]
		if !slices.Equal(f.Base, w[0]) || !slices.Equal(f.Current, w[1]) || !slices.Equal(f.Proposed, w[2]) || f.Conflict {
			t.Fatalf("review of %s: %v", f.Field, f)
		}
	}
	if _, err := d.mod.ApproveEditRequest(ctx, connect.NewRequest(&probasev1.ApproveEditRequestRequest{Id: reqID})); err != nil {
		t.Fatal(err)
	}

	syncDevice(t, tablet)
	syncDevice(t, phone)
	for name, r := range map[string]*sdk.Replica{"tablet": tablet, "phone": phone} {
		doc := deviceDoctor(t, r, d.doctor.Id)
		if doc.Version != 3 || !slices.Equal(doc.Phones, []string{"+79160000001"}) || doc.ClinicId != "north-derm-2" || doc.ClinicName != "Derma Clinic Two" {
			t.Fatalf("the %s holds %v after approval", name, doc)
		}
	}
	if req, pending := deviceRequest(t, tablet, reqID); pending || req.Status != probasev1.EditStatus_EDIT_STATUS_APPROVED {
		t.Fatalf("the tablet shows the request as %v (pending %v)", req.Status, pending)
	}
	if n, err := sdkdoctors.EditRequests.Query(ctx, tablet, sdk.Query{Where: []sdk.Filter{{Column: "status", Op: sdk.Eq, Value: "approved"}}}); err != nil || len(n) != 1 {
		t.Fatalf("approved requests on the tablet: %v (%v)", n, err)
	}
}

// TestDirectoryConcurrentEdits: two reps change the same field of one
// doctor offline; the moderator approves the first, and the second then
// shows a conflict that approval must resolve explicitly. Nothing is
// overwritten silently.
func TestDirectoryConcurrentEdits(t *testing.T) {
	ctx := context.Background()
	d := startDirectory(t)
	d.User(auth.RoleRep, "rep-a@directory.test")
	d.User(auth.RoleRep, "rep-b@directory.test")
	a, b := d.Device("rep-a@directory.test", directorySchema()), d.Device("rep-b@directory.test", directorySchema())
	ids := map[*sdk.Replica]string{}
	for r, phone := range map[*sdk.Replica]string{a: "+79160000001", b: "+79160000002"} {
		syncDevice(t, r)
		r.SetConnectivity(sdk.Offline)
		id, err := sdkdoctors.ProposeEdit(ctx, r, d.doctor.Id, fields.Values{"phones": {phone}}, "")
		if err != nil {
			t.Fatal(err)
		}
		ids[r] = id
	}
	for _, r := range []*sdk.Replica{a, b} {
		r.SetConnectivity(sdk.Online)
		syncDevice(t, r)
	}
	first, err := d.mod.GetEditRequest(ctx, connect.NewRequest(&probasev1.GetEditRequestRequest{Id: ids[a]}))
	if err != nil {
		t.Fatal(err)
	}
	if c := first.Msg.Concurrent; len(c) != 1 || c[0].Id != ids[b] {
		t.Fatalf("the moderator does not see the concurrent edit: %v", c)
	}
	if _, err := d.mod.ApproveEditRequest(ctx, connect.NewRequest(&probasev1.ApproveEditRequestRequest{Id: ids[a]})); err != nil {
		t.Fatal(err)
	}

	second, err := d.mod.GetEditRequest(ctx, connect.NewRequest(&probasev1.GetEditRequestRequest{Id: ids[b]}))
	if err != nil {
		t.Fatal(err)
	}
	f := second.Msg.Fields
	if len(f) != 1 || f[0].Field != "phones" || !f[0].Conflict || !slices.Equal(f[0].Base, []string{"+79161234567"}) ||
		!slices.Equal(f[0].Current, []string{"+79160000001"}) || !slices.Equal(f[0].Proposed, []string{"+79160000002"}) {
		t.Fatalf("the second edit's review: %v", f)
	}
	_, err = d.mod.ApproveEditRequest(ctx, connect.NewRequest(&probasev1.ApproveEditRequestRequest{Id: ids[b]}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("approving a conflicting edit without a resolution: %v", err)
	}
	syncDevice(t, b)
	if doc := deviceDoctor(t, b, d.doctor.Id); !slices.Equal(doc.Phones, []string{"+79160000001"}) || doc.Version != 2 {
		t.Fatalf("the refused approval changed the doctor: %v", doc)
	}
	if req, _ := deviceRequest(t, b, ids[b]); req.Status != probasev1.EditStatus_EDIT_STATUS_PENDING {
		t.Fatalf("the second request is %v, want still pending", req.Status)
	}

	// The moderator decides explicitly: the second rep's number wins.
	_, err = d.mod.ApproveEditRequest(ctx, connect.NewRequest(&probasev1.ApproveEditRequestRequest{Id: ids[b],
		Resolutions: []*probasev1.FieldResolution{{Field: "phones", Resolution: probasev1.Resolution_RESOLUTION_PROPOSED}}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*sdk.Replica{a, b} {
		syncDevice(t, r)
		if doc := deviceDoctor(t, r, d.doctor.Id); !slices.Equal(doc.Phones, []string{"+79160000002"}) || doc.Version != 3 {
			t.Fatalf("after the resolution a tablet holds %v", doc)
		}
		if req, _ := deviceRequest(t, r, ids[r]); req.Status != probasev1.EditStatus_EDIT_STATUS_APPROVED {
			t.Fatalf("request %s is %v", ids[r], req.Status)
		}
	}
	history, err := d.dir.GetDoctorHistory(ctx, connect.NewRequest(&probasev1.GetDoctorHistoryRequest{DoctorId: d.doctor.Id}))
	if err != nil {
		t.Fatal(err)
	}
	approved := 0
	for _, e := range history.Msg.Entries {
		if e.Action == "edit_approved" {
			approved++
		}
	}
	if approved != 2 {
		t.Fatalf("history has %d approvals: %v", approved, history.Msg.Entries)
	}
}
