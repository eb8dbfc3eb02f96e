package probase_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	notifyv1 "github.com/ordinatorhq/ordinator/api/ordinator/notify/v1"
	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func forEachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range servertest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}

func TestEditThroughModeration(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		repA, repB, south, dir, phone := e.device(e.repA), e.device(e.repB), e.device(e.repSouth), e.device(e.director), e.device(e.doctorUser)
		for _, d := range []*servertest.Device{repA, repB, south, dir, phone} {
			d.Sync()
		}
		// Who holds the doctor: the reps of the territory, the doctor; not
		// a rep of another territory. The director of the region holds
		// the summary.
		for name, d := range map[string]*servertest.Device{"rep A": repA, "rep B": repB, "doctor": phone} {
			if doctorOf(d, e.doctor.Id) == nil {
				t.Fatalf("%s does not hold the doctor", name)
			}
		}
		if doctorOf(south, e.doctor.Id) != nil || doctorOf(dir, e.doctor.Id) != nil {
			t.Fatal("a rep of another territory or the director holds the doctor")
		}
		if summaryOf(dir, e.doctor.Id) == nil {
			t.Fatal("the director does not hold the doctor's summary")
		}
		// Every device holds the field templates.
		for _, d := range []*servertest.Device{repA, phone, dir} {
			if _, ok := d.Replica.Get(auth.GlobalBucket, probase.TemplateCollection, "doctor"); !ok {
				t.Fatal("the doctor template did not sync")
			}
		}

		out := propose(repA, e.doctor.Id, 2, changes("phones", "+79160000001", "clinic_id", "skin-center")...)
		if out.Status != syncengine.StatusApplied {
			t.Fatalf("propose: %+v", out.Error)
		}
		var res probasev1.ProposeEditResult
		must(t, proto.Unmarshal(out.Result, &res))
		repA.Sync()
		reqs := servertest.Records[probasev1.EditRequest](repA, probase.EditRequestCollection, syncengine.UserBucket(e.repA.ID))
		if len(reqs) != 1 {
			t.Fatalf("the rep's tablet shows %d pending requests", len(reqs))
		}
		if doctorOf(repA, e.doctor.Id).Phones[0] != "+79161234567" {
			t.Fatal("the doctor changed before moderation")
		}

		pending, err := e.dir.ListEditRequests(e.ctx, auth.Principal(e.moderator, "m"), probase.RequestFilter{Status: "pending", Territory: "north"})
		must(t, err)
		if len(pending) != 1 || pending[0].Id != res.RequestId {
			t.Fatalf("queue: %v", pending)
		}
		if _, err := e.dir.ListEditRequests(e.ctx, auth.Principal(e.repA, "x"), probase.RequestFilter{}); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("a rep reading the moderation queue: %v", err)
		}
		_, doc, err := e.dir.Approve(e.ctx, auth.Principal(e.moderator, "m"), res.RequestId, 0, nil)
		must(t, err)
		if doc.Version != 3 || doc.ClinicName != "Skin Center" {
			t.Fatalf("approved doctor %v", doc)
		}
		// The approved data reaches every replica that holds the doctor,
		// and the director's summary.
		for name, d := range map[string]*servertest.Device{"rep A": repA, "rep B": repB, "doctor": phone} {
			d.Sync()
			got := doctorOf(d, e.doctor.Id)
			if got.Version != 3 || !slices.Equal(got.Phones, []string{"+79160000001"}) || got.ClinicId != "skin-center" {
				t.Fatalf("%s holds %v", name, got)
			}
		}
		dir.Sync()
		if got := summaryOf(dir, e.doctor.Id); got.Version != 3 || got.ClinicId != "skin-center" || got.ClinicName != "Skin Center" {
			t.Fatalf("the director holds %v", got)
		}
		// The proposer learns the outcome through the inbox.
		if !inbox(t, repA, probase.NoticeEditApproved) {
			t.Fatal("no approval notice in the rep's inbox")
		}
		if req := servertest.Record[probasev1.EditRequest](repA, probase.EditRequestCollection, res.RequestId, syncengine.UserBucket(e.repA.ID)); req.GetStatus() != probasev1.EditStatus_EDIT_STATUS_APPROVED {
			t.Fatalf("request on the tablet: %v", req.GetStatus())
		}
		// The directors' summary counts the approval.
		var approved int64
		must(t, e.store.View(e.ctx, func(q syncengine.Querier) error {
			var err error
			approved, err = probase.CountApprovedEdits(e.ctx, q, "msk", e.clock.Now().Add(-time.Hour), e.clock.Now().Add(time.Hour))
			return err
		}))
		if approved != 1 {
			t.Fatalf("summary counts %d approved edits, want 1", approved)
		}
		// The audit trail says who proposed, who decided and when.
		hist, err := e.dir.History(e.ctx, auth.Principal(e.moderator, "m"), e.doctor.Id)
		must(t, err)
		var actions []string
		for _, h := range hist {
			actions = append(actions, h.Action+":"+h.ActorId)
		}
		want := []string{"created:system", "linked:system", "edit_proposed:" + e.repA.ID, "edit_approved:" + e.moderator.ID}
		if !slices.Equal(actions, want) {
			t.Fatalf("history %v, want %v", actions, want)
		}
	})
}

func inbox(t *testing.T, d *servertest.Device, kind string) bool {
	for _, it := range servertest.Records[notifyv1.InboxItem](d, notify.InboxCollection, syncengine.UserBucket(d.P.UserID)) {
		if it.Kind == kind {
			return true
		}
	}
	return false
}

func TestConcurrentEdits(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		mod := auth.Principal(e.moderator, "m")
		repA, repB := e.device(e.repA), e.device(e.repB)
		a := propose(repA, e.doctor.Id, 2, changes("phones", "+79160000001")...)
		b := propose(repB, e.doctor.Id, 2, changes("phones", "+79160000002", "position", "chief physician")...)
		var ra, rb probasev1.ProposeEditResult
		must(t, proto.Unmarshal(a.Result, &ra))
		must(t, proto.Unmarshal(b.Result, &rb))

		rv, err := e.dir.GetEditRequest(e.ctx, mod, rb.RequestId)
		must(t, err)
		if len(rv.Concurrent) != 1 || rv.Concurrent[0].Id != ra.RequestId {
			t.Fatalf("the moderator does not see the concurrent request: %v", rv.Concurrent)
		}
		_, _, err = e.dir.Approve(e.ctx, mod, ra.RequestId, 0, nil)
		must(t, err)

		// B's phone was proposed on a base A's approval changed: it is a
		// conflict, shown field by field, and approval needs a decision.
		rv, err = e.dir.GetEditRequest(e.ctx, mod, rb.RequestId)
		must(t, err)
		byField := map[string]probase.Comparison{}
		for _, f := range rv.Fields {
			byField[f.Field] = f
		}
		ph := byField["phones"]
		if !ph.Conflict || ph.Base[0] != "+79161234567" || ph.Current[0] != "+79160000001" || ph.Proposed[0] != "+79160000002" {
			t.Fatalf("phones comparison %+v", ph)
		}
		if byField["position"].Conflict {
			t.Fatal("position is not a conflict")
		}
		_, _, err = e.dir.Approve(e.ctx, mod, rb.RequestId, 0, nil)
		var de *syncengine.Error
		if syncengine.ErrorCode(err) != syncengine.EPRECONDITION || !errorsAs(err, &de) || len(de.Violations) != 1 || de.Violations[0].Field != "phones" {
			t.Fatalf("approving over a conflict: %v", err)
		}
		// Nothing was written by the refused approval.
		rv2, err := e.dir.GetEditRequest(e.ctx, mod, rb.RequestId)
		must(t, err)
		if rv2.Current.Version != rv.Current.Version || rv2.Request.Status != probasev1.EditStatus_EDIT_STATUS_PENDING {
			t.Fatal("a refused approval changed something")
		}
		_, doc, err := e.dir.Approve(e.ctx, mod, rb.RequestId, 0, []probase.Resolution{{Field: "phones", Choice: probasev1.Resolution_RESOLUTION_CURRENT}})
		must(t, err)
		if doc.Phones[0] != "+79160000001" || doc.Position != "chief physician" {
			t.Fatalf("after resolving: %v", doc)
		}
		if _, _, err := e.dir.Approve(e.ctx, mod, rb.RequestId, 0, nil); syncengine.ErrorCode(err) != syncengine.EPRECONDITION {
			t.Fatalf("approving twice: %v", err)
		}
	})
}

func errorsAs(err error, target **syncengine.Error) bool {
	e, ok := err.(*syncengine.Error)
	*target = e
	return ok
}

func TestBadEdits(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		repA, south := e.device(e.repA), e.device(e.repSouth)
		tests := []struct {
			name   string
			d      *servertest.Device
			args   *probasev1.ProposeEditArgs
			code   string
			fields string
		}{
			{"invalid phone", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: changes("phones", "8 916 123")}, syncengine.EINVALID, "phones"},
			{"invalid e-mail", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: changes("email", "anna.at.clinic")}, syncengine.EINVALID, "email"},
			{"unknown specialty", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: changes("specialty", "astrology")}, syncengine.EINVALID, "specialty"},
			{"unknown clinic", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: changes("clinic_id", "nowhere")}, syncengine.EINVALID, "clinic_id"},
			{"unknown field", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: changes("salary", "1")}, syncengine.EINVALID, "changes[0].field"},
			{"required emptied", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: []*probasev1.FieldChange{{Field: "full_name"}}}, syncengine.EINVALID, "full_name"},
			{"unknown doctor", repA, &probasev1.ProposeEditArgs{DoctorId: "nobody", BaseVersion: 1, Changes: changes("position", "x")}, syncengine.EPERMISSION, ""},
			{"future base", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 9, Changes: changes("position", "x")}, syncengine.EINVALID, "base_version"},
			{"oversized comment", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: changes("position", "x"), Comment: strings.Repeat("я", 1001)}, syncengine.EINVALID, "comment"},
			{"outside territory", south, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: changes("position", "x")}, syncengine.EPERMISSION, ""},
			{"nothing changes", repA, &probasev1.ProposeEditArgs{DoctorId: e.doctor.Id, BaseVersion: 2, Changes: changes("position", "head of department")}, syncengine.EINVALID, "changes"},
		}
		for _, tc := range tests {
			tc.args.RequestId = uuid.NewString()
			out := tc.d.Do("doctor.propose_edit", tc.args)
			if out.Status != syncengine.StatusRejected || out.Error.Code != tc.code {
				t.Fatalf("%s: %+v %+v", tc.name, out.Status, out.Error)
			}
			if tc.fields != "" && !slices.ContainsFunc(out.Error.Violations, func(v syncengine.Violation) bool { return v.Field == tc.fields }) {
				t.Fatalf("%s: violations %v, want one on %s", tc.name, out.Error.Violations, tc.fields)
			}
		}
		pending, err := e.dir.ListEditRequests(e.ctx, auth.System, probase.RequestFilter{})
		must(t, err)
		if len(pending) != 0 {
			t.Fatalf("refused edits left %d requests", len(pending))
		}
		repA.Sync()
		if doctorOf(repA, e.doctor.Id).Version != 2 {
			t.Fatal("refused edits changed the doctor")
		}
		// Moderation needs a moderator, and a rejection a reason.
		out := propose(repA, e.doctor.Id, 2, changes("position", "x")...)
		var res probasev1.ProposeEditResult
		must(t, proto.Unmarshal(out.Result, &res))
		if _, _, err := e.dir.Approve(e.ctx, repA.P, res.RequestId, 0, nil); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("a rep approving: %v", err)
		}
		if _, err := e.dir.Reject(e.ctx, auth.Principal(e.moderator, "m"), res.RequestId, 0, " "); syncengine.ErrorCode(err) != syncengine.EINVALID {
			t.Fatalf("rejection without a reason: %v", err)
		}
		if _, err := e.dir.Reject(e.ctx, auth.Principal(e.moderator, "m"), res.RequestId, 0, "the position is not real"); err != nil {
			t.Fatal(err)
		}
		repA.Sync()
		if !inbox(t, repA, probase.NoticeEditRejected) {
			t.Fatal("no rejection notice")
		}
	})
}

func TestDoctorOwnProfile(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		phone, repA := e.device(e.doctorUser), e.device(e.repA)
		out := propose(phone, e.doctor.Id, 2, changes("phones", "+79165550000", "email", "anna@clinic.ru", "specialty", "cosmetology")...)
		if out.Status != syncengine.StatusApplied {
			t.Fatalf("own edit: %+v", out.Error)
		}
		var res probasev1.ProposeEditResult
		must(t, proto.Unmarshal(out.Result, &res))
		if !slices.Equal(res.AppliedFields, []string{"email", "phones"}) || res.RequestId == "" {
			t.Fatalf("result %v: contact fields apply at once, specialty waits", &res)
		}
		repA.Sync()
		got := doctorOf(repA, e.doctor.Id)
		if got.Email != "anna@clinic.ru" || got.Specialty != "dermatology" {
			t.Fatalf("the rep's tablet holds %v", got)
		}
		// Only their own record, and not every field.
		if o := propose(phone, e.doctor.Id, 3, changes("territory_id", "south")...); o.Error == nil || o.Error.Code != syncengine.EPERMISSION || o.Error.Violations[0].Field != "territory_id" {
			t.Fatalf("doctor moving territory: %+v", o.Error)
		}
		other, err := e.dir.CreateDoctor(e.ctx, auth.System, "", changes("full_name", "Иван Сидоров", "specialty", "oncology", "territory_id", "north"))
		must(t, err)
		if o := propose(phone, other.Id, 1, changes("position", "x")...); o.Error == nil || o.Error.Code != syncengine.EPERMISSION {
			t.Fatalf("doctor editing another doctor: %+v", o.Error)
		}
		// A contact field someone changed since the doctor's version goes
		// to moderation instead of overwriting.
		rep := propose(repA, e.doctor.Id, 3, changes("phones", "+79167770000")...)
		var rr probasev1.ProposeEditResult
		must(t, proto.Unmarshal(rep.Result, &rr))
		_, _, err = e.dir.Approve(e.ctx, auth.Principal(e.moderator, "m"), rr.RequestId, 0, nil)
		must(t, err)
		stale := propose(phone, e.doctor.Id, 3, changes("phones", "+79168880000")...)
		var sr probasev1.ProposeEditResult
		must(t, proto.Unmarshal(stale.Result, &sr))
		if len(sr.AppliedFields) != 0 || sr.RequestId == "" {
			t.Fatalf("stale own edit applied directly: %v", &sr)
		}
	})
}

func TestRequestUpdate(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		repA, phone, south := e.device(e.repA), e.device(e.doctorUser), e.device(e.repSouth)
		out := repA.Do("doctor.request_update", &probasev1.RequestUpdateArgs{RequestId: uuid.NewString(), DoctorId: e.doctor.Id, Kind: "update_data", Message: "Please check your workplace."})
		if out.Status != syncengine.StatusApplied {
			t.Fatalf("request: %+v", out.Error)
		}
		phone.Sync()
		if !inbox(t, phone, probase.NoticeUpdateRequested) {
			t.Fatal("the doctor did not get the request")
		}
		if o := south.Do("doctor.request_update", &probasev1.RequestUpdateArgs{RequestId: uuid.NewString(), DoctorId: e.doctor.Id, Kind: "update_data"}); o.Error == nil || o.Error.Code != syncengine.EPERMISSION {
			t.Fatalf("request from another territory: %+v", o.Error)
		}
		other, err := e.dir.CreateDoctor(e.ctx, auth.System, "", changes("full_name", "Иван Сидоров", "specialty", "oncology", "territory_id", "north"))
		must(t, err)
		if o := repA.Do("doctor.request_update", &probasev1.RequestUpdateArgs{RequestId: uuid.NewString(), DoctorId: other.Id, Kind: "update_data"}); o.Error == nil || o.Error.Code != syncengine.EPRECONDITION {
			t.Fatalf("request to a doctor without an account: %+v", o.Error)
		}
		if o := repA.Do("doctor.request_update", &probasev1.RequestUpdateArgs{RequestId: uuid.NewString(), DoctorId: e.doctor.Id, Kind: "gossip"}); o.Error == nil || o.Error.Code != syncengine.EINVALID {
			t.Fatalf("unknown kind: %+v", o.Error)
		}
	})
}
