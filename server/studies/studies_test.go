package studies_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// study creates a study through the admin RPC and enrols the doctor.
func (e *env) study(admin, doc *app, weeks []int32, start string) (*studiesv1.Study, []*studiesv1.StudyResult) {
	e.t.Helper()
	st, err := admin.studies.CreateStudy(e.ctx, connect.NewRequest(&studiesv1.CreateStudyRequest{
		Title: "DERM-7: rosacea under azelaic acid", VisitWeeks: weeks, Fields: []string{"iga", "erythema"}, PointsPerResult: 50}))
	if err != nil {
		e.t.Fatal(err)
	}
	en, err := admin.studies.EnrolDoctor(e.ctx, connect.NewRequest(&studiesv1.EnrolDoctorRequest{StudyId: st.Msg.Study.Id, DoctorId: doc.user.Id, StartDate: start}))
	if err != nil {
		e.t.Fatal(err)
	}
	return st.Msg.Study, en.Msg.Results
}

// TestDueTomorrowRemindsAtNine: a result due tomorrow brings one reminder
// at 09:00 in the doctor's time zone, in the language of their phone.
func TestDueTomorrowRemindsAtNine(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		admin, doc := e.account(auth.RoleAdmin), e.account(auth.RoleDoctor)
		doc.registerPush("en-US", "Asia/Yekaterinburg")
		ekb, _ := time.LoadLocation("Asia/Yekaterinburg")
		// Now is 2026-03-01 14:00 in Yekaterinburg; visit 1 is due on the
		// 3rd, visit 2 four weeks later.
		_, results := e.study(admin, doc, []int32{0, 4}, "2026-03-03")
		if len(results) != 2 || results[0].DueDate != "2026-03-03" || results[1].DueDate != "2026-03-31" {
			t.Fatalf("schedule %v", results)
		}
		doc.Sync()
		owed := doc.results(syncengine.UserBucket(doc.user.Id))
		if len(owed) != 2 || owed[results[0].Id].Status != studiesv1.ResultStatus_RESULT_STATUS_OWED {
			t.Fatalf("the doctor's phone shows %v", owed)
		}
		e.tick()
		e.at(time.Date(2026, 3, 2, 8, 59, 0, 0, ekb))
		e.tick()
		if len(doc.pushes()) != 0 {
			t.Fatalf("reminded before 09:00: %+v", doc.pushes())
		}
		e.clock.Advance(time.Minute)
		e.tick()
		got := doc.pushes()
		if len(got) != 1 {
			t.Fatalf("%d pushes at 09:00, want 1", len(got))
		}
		if got[0].At.In(ekb).Format("2006-01-02 15:04") != "2026-03-02 09:00" || got[0].Title != "A study result is due" ||
			!strings.Contains(got[0].Body, "visit 1") || !strings.Contains(got[0].Body, "tomorrow, 2026-03-03") {
			t.Fatalf("reminder %+v", got[0])
		}
		for range 3 {
			e.clock.Advance(30 * time.Minute)
			e.tick()
		}
		if len(doc.pushes()) != 1 {
			t.Fatalf("%d reminders, want exactly one", len(doc.pushes()))
		}
		doc.Sync()
		if n := len(doc.inbox()); n != 1 {
			t.Fatalf("%d inbox items", n)
		}
	})
}

// TestOverdueReachesRepAndReminderReachesDoctor: an overdue result shows on
// the tablet of the doctor's rep (and no other rep's) and on the phone of
// the region's director, the rep's reminder reaches the doctor's phone by
// push (in the morning: it was sent at night), and the submitted result
// leaves the rep's tablet and the director's phone and pays points.
func TestOverdueReachesRepAndReminderReachesDoctor(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		msk, _ := time.LoadLocation("Europe/Moscow")
		admin, doc := e.account(auth.RoleAdmin), e.account(auth.RoleDoctor)
		repA, repB := e.account(auth.RoleRep), e.account(auth.RoleRep)
		director := e.account(auth.RoleDirector)
		if _, err := e.accounts.AssignRegion(e.ctx, auth.System, director.user.Id, "msk", true); err != nil {
			t.Fatal(err)
		}
		summary := auth.TerritorySummaryBucket("msk-north")
		for rep, territory := range map[*app]string{repA: "msk-north", repB: "msk-south"} {
			if _, err := e.accounts.AssignTerritory(e.ctx, auth.System, rep.user.Id, territory, true); err != nil {
				t.Fatal(err)
			}
		}
		e.dir.set(doc.user.Id, "msk-north")
		doc.registerPush("ru-RU", "Europe/Moscow")
		st, results := e.study(admin, doc, []int32{0, 4}, "2026-03-01")
		first := results[0].Id
		e.tick() // due today: the doctor is told
		if got := doc.pushes(); len(got) != 1 || !strings.Contains(got[0].Body, "сегодня") {
			t.Fatalf("due-today reminder %+v", got)
		}
		north := auth.TerritoryBucket("msk-north")
		repA.Sync()
		if len(repA.results(north)) != 0 {
			t.Fatal("the rep sees a result that is not overdue")
		}

		// Just after midnight it is overdue: the rep's tablet shows it.
		e.at(time.Date(2026, 3, 2, 0, 1, 0, 0, msk))
		e.tick()
		repA.Sync()
		seen := repA.results(north)
		if r := seen[first]; r == nil || r.Status != studiesv1.ResultStatus_RESULT_STATUS_OVERDUE || r.DoctorName != doc.user.DisplayName || r.Visit != 1 {
			t.Fatalf("rep A's tablet shows %v", seen)
		}
		director.Sync()
		if r := director.results(summary)[first]; r == nil || r.Status != studiesv1.ResultStatus_RESULT_STATUS_OVERDUE || r.DoctorId != doc.user.Id {
			t.Fatalf("the director's phone shows %v", director.results(summary))
		}
		repB.Sync()
		if len(repB.results(auth.TerritoryBucket("msk-south"))) != 0 || len(repB.results(north)) != 0 {
			t.Fatal("rep B sees another territory's doctor")
		}
		if out := repB.Do(studies.MutationRemind, &studiesv1.RemindArgs{ResultId: first}); out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.EPERMISSION {
			t.Fatalf("rep B reminds: %v", out)
		}
		// Rep A reminds from the tablet; it is night for the doctor.
		if out := repA.Do(studies.MutationRemind, &studiesv1.RemindArgs{ResultId: first, Message: "Жду до пятницы"}); out.Status != syncengine.StatusApplied {
			t.Fatalf("rep A reminds: %v", out.Error)
		}
		if out := repA.Do(studies.MutationRemind, &studiesv1.RemindArgs{ResultId: first}); out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.EPRECONDITION {
			t.Fatalf("a second reminder the same day: %v", out)
		}
		e.tick()
		if len(doc.pushes()) != 1 {
			t.Fatalf("pushed at night: %+v", doc.pushes())
		}
		repA.Sync()
		if r := repA.results(north)[first]; r.LastReminderBy != repA.user.DisplayName || r.LastReminderAtUnixMs == 0 {
			t.Fatalf("the tablet does not show the reminder: %v", r)
		}
		e.at(time.Date(2026, 3, 2, 8, 0, 0, 0, msk))
		e.tick()
		got := doc.pushes()
		// The rep's own words stay in the inbox: a push carries no free text.
		if len(got) != 2 || got[1].Title != "Напоминание от представителя" || !strings.Contains(got[1].Body, repA.user.DisplayName) ||
			strings.Contains(got[1].Body, "Жду до пятницы") || got[1].At.In(msk).Format("15:04") != "08:00" {
			t.Fatalf("the rep's reminder reached the doctor as %+v", got)
		}
		// At nine the system's own overdue notice follows, once.
		e.at(time.Date(2026, 3, 2, 9, 0, 0, 0, msk))
		e.tick()
		e.clock.Advance(time.Hour)
		e.tick()
		got = doc.pushes()
		if len(got) != 3 || got[2].Title != "Результат исследования просрочен" {
			t.Fatalf("overdue notice %+v", got)
		}

		// The doctor submits it (made offline, pushed now).
		out := doc.Do(studies.MutationSubmitResult, &studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: 1,
			Answers: map[string]string{"iga": "2", "erythema": "mild"}, ObservedOn: "2026-03-01"})
		if out.Status != syncengine.StatusApplied {
			t.Fatalf("submit: %v", out.Error)
		}
		repA.Sync()
		director.Sync()
		if len(repA.results(north)) != 0 || len(director.results(summary)) != 0 {
			t.Fatal("a submitted result stays on the rep's tablet or the director's phone")
		}
		doc.Sync()
		mine := doc.results(syncengine.UserBucket(doc.user.Id))
		if r := mine[first]; r.Status != studiesv1.ResultStatus_RESULT_STATUS_SUBMITTED || r.Answers["iga"] != "2" || r.PointsAwarded != 50 {
			t.Fatalf("the doctor's phone shows %v", r)
		}
		if r := mine[results[1].Id]; r.Status != studiesv1.ResultStatus_RESULT_STATUS_OWED || r.DueDate != "2026-03-29" {
			t.Fatalf("visit 2: %v", r)
		}
		var balance int64
		if err := e.store.View(e.ctx, func(q syncengine.Querier) error {
			var err error
			balance, err = points.Balance(e.ctx, q, doc.user.Id)
			return err
		}); err != nil || balance != 50 {
			t.Fatalf("balance %d (%v)", balance, err)
		}
		if out := repA.Do(studies.MutationRemind, &studiesv1.RemindArgs{ResultId: first}); out.Status != syncengine.StatusRejected {
			t.Fatalf("a reminder for a submitted result: %v", out)
		}
	})
}

// TestBadResults: results the server cannot accept are rejected with the
// reason and the field, and change nothing: no result, no points, nothing
// queued.
func TestBadResults(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		admin, doc, other := e.account(auth.RoleAdmin), e.account(auth.RoleDoctor), e.account(auth.RoleDoctor)
		doc.registerPush("ru", "Europe/Moscow")
		st, _ := e.study(admin, doc, []int32{0, 4}, "2026-03-10")
		notStudied, _ := e.study(admin, other, []int32{0}, "2026-03-10")
		before := e.count(`SELECT count(*) FROM notifications`)
		for _, c := range []struct {
			args  *studiesv1.SubmitResultArgs
			code  string
			field string
		}{
			{&studiesv1.SubmitResultArgs{StudyId: notStudied.Id, Visit: 1, Answers: map[string]string{"iga": "1", "erythema": "none"}}, syncengine.EPERMISSION, "study_id"},
			{&studiesv1.SubmitResultArgs{StudyId: "no-such-study", Visit: 1, Answers: map[string]string{"iga": "1", "erythema": "none"}}, syncengine.EPERMISSION, "study_id"},
			{&studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: 3, Answers: map[string]string{"iga": "1", "erythema": "none"}}, syncengine.EINVALID, "visit"},
			{&studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: 1, Answers: map[string]string{"iga": "1"}}, syncengine.EINVALID, "answers.erythema"},
			{&studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: 1, Answers: map[string]string{"iga": "1", "erythema": "x", "name": "Ivanov"}}, syncengine.EINVALID, "answers.name"},
			{&studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: 1, Answers: map[string]string{"iga": "1", "erythema": "x"}, ObservedOn: "2027-01-01"}, syncengine.EINVALID, "observed_on"},
			{&studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: 0}, syncengine.EINVALID, "visit"},
		} {
			out := doc.Do(studies.MutationSubmitResult, c.args)
			if out.Status != syncengine.StatusRejected || out.Error.Code != c.code ||
				len(out.Error.Violations) == 0 || out.Error.Violations[0].Field != c.field {
				t.Errorf("%v: %v, want %s on %s", c.args, out.Error, c.code, c.field)
			}
		}
		if n := e.count(`SELECT count(*) FROM study_results WHERE status = 'submitted'`); n != 0 {
			t.Fatalf("%d results accepted", n)
		}
		if n := e.count(`SELECT count(*) FROM points_ledger`); n != 0 {
			t.Fatalf("%d points entries", n)
		}
		if n := e.count(`SELECT count(*) FROM notifications`); n != before {
			t.Fatalf("%d notifications queued by bad input", n-before)
		}
		// Twice the same visit: the second is refused.
		ok := &studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: 2, Answers: map[string]string{"iga": "1", "erythema": "none"}}
		if out := doc.Do(studies.MutationSubmitResult, ok); out.Status != syncengine.StatusApplied {
			t.Fatal(out.Error)
		}
		if out := doc.Do(studies.MutationSubmitResult, ok); out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.EPRECONDITION {
			t.Fatalf("submitted twice: %v", out)
		}
		// A rep cannot submit results.
		rep := e.account(auth.RoleRep)
		if out := rep.Do(studies.MutationSubmitResult, ok); out.Status != syncengine.StatusRejected || out.Error.Code != syncengine.EPERMISSION {
			t.Fatalf("a rep submits: %v", out)
		}
	})
}

// TestAdmin: only admins define studies and enrol doctors, and bad
// definitions or enrolments are refused with the field at fault.
func TestAdmin(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		admin, doc, rep := e.account(auth.RoleAdmin), e.account(auth.RoleDoctor), e.account(auth.RoleRep)
		good := &studiesv1.CreateStudyRequest{Title: "DERM-8", VisitWeeks: []int32{0, 4, 12}, Fields: []string{"iga"}}
		if _, err := doc.studies.CreateStudy(e.ctx, connect.NewRequest(good)); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Fatalf("a doctor creates a study: %v", err)
		}
		for field, req := range map[string]*studiesv1.CreateStudyRequest{
			"visit_weeks[1]": {Title: "x", VisitWeeks: []int32{4, 4}},
			"fields[1]":      {Title: "x", VisitWeeks: []int32{0}, Fields: []string{"iga", "iga"}},
			"fields[0]":      {Title: "x", VisitWeeks: []int32{0}, Fields: []string{"Bad Field"}},
			"region_id":      {Title: "x", VisitWeeks: []int32{0}, RegionId: "mars"},
			"title":          {Title: "   ", VisitWeeks: []int32{0}},
		} {
			_, err := admin.studies.CreateStudy(e.ctx, connect.NewRequest(req))
			if d := detail(err); connect.CodeOf(err) != connect.CodeInvalidArgument || d == nil || len(d.Violations) == 0 || d.Violations[0].Field != field {
				t.Errorf("%v: %v, want a violation of %s", req, err, field)
			}
		}
		st, err := admin.studies.CreateStudy(e.ctx, connect.NewRequest(good))
		if err != nil {
			t.Fatal(err)
		}
		enrol := func(doctor, start string) error {
			_, err := admin.studies.EnrolDoctor(e.ctx, connect.NewRequest(&studiesv1.EnrolDoctorRequest{StudyId: st.Msg.Study.Id, DoctorId: doctor, StartDate: start}))
			return err
		}
		if err := enrol(rep.user.Id, ""); connect.CodeOf(err) != connect.CodeFailedPrecondition {
			t.Fatalf("a rep enrolled: %v", err)
		}
		unverified, err := e.accounts.RegisterDoctor(e.ctx, auth.NewUser{Email: "new@x.ru", Password: "long enough pw", Name: "New", Specialty: "dermatology", RegionID: "msk"})
		if err != nil {
			t.Fatal(err)
		}
		if err := enrol(unverified.ID, ""); connect.CodeOf(err) != connect.CodeFailedPrecondition {
			t.Fatalf("an unverified doctor enrolled: %v", err)
		}
		if err := enrol(doc.user.Id, "2026-02-30"); connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Fatalf("a bad start date: %v", err)
		}
		if err := enrol(doc.user.Id, ""); err != nil {
			t.Fatal(err)
		}
		if err := enrol(doc.user.Id, ""); connect.CodeOf(err) != connect.CodeAborted {
			t.Fatalf("enrolled twice: %v", err)
		}
		// Started today (the doctor's local date), visits at weeks 0, 4, 12.
		doc.Sync()
		var dues []string
		for _, r := range doc.results(syncengine.UserBucket(doc.user.Id)) {
			dues = append(dues, r.DueDate)
		}
		if strings.Join(sorted(dues), ",") != "2026-03-01,2026-03-29,2026-05-24" {
			t.Fatalf("due dates %v", dues)
		}
		list, err := admin.studies.ListStudies(e.ctx, connect.NewRequest(&studiesv1.ListStudiesRequest{}))
		if err != nil || len(list.Msg.Studies) != 1 || list.Msg.Studies[0].Title != "DERM-8" {
			t.Fatalf("list %v %v", list, err)
		}
	})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
