package studies_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestListResults: an admin sees who owes what, overdue first, then owed,
// then submitted, each by due date; an unknown study is refused on
// study_id, and nobody but admins may look.
func TestListResults(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		msk, _ := time.LoadLocation("Europe/Moscow")
		admin, late, keen := e.account(auth.RoleAdmin), e.account(auth.RoleDoctor), e.account(auth.RoleDoctor)
		st, _ := e.study(admin, late, []int32{0, 4}, "2026-03-01")
		if _, err := admin.studies.EnrolDoctor(e.ctx, connect.NewRequest(&studiesv1.EnrolDoctorRequest{StudyId: st.Id, DoctorId: keen.user.Id, StartDate: "2026-03-01"})); err != nil {
			t.Fatal(err)
		}
		e.at(time.Date(2026, 3, 1, 12, 0, 0, 0, msk))
		if out := keen.Do(studies.MutationSubmitResult, &studiesv1.SubmitResultArgs{StudyId: st.Id, Visit: 1, Answers: map[string]string{"iga": "1", "erythema": "none"}, ObservedOn: "2026-03-01"}); out.Status != syncengine.StatusApplied {
			t.Fatalf("submit: %v", out.Error)
		}
		e.at(time.Date(2026, 3, 2, 0, 1, 0, 0, msk))
		e.tick() // the late doctor's first visit is overdue now

		res, err := admin.studies.ListStudyResults(e.ctx, connect.NewRequest(&studiesv1.ListStudyResultsRequest{StudyId: st.Id}))
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			status studiesv1.ResultStatus
			doctor string
			visit  int32
		}
		want := []row{
			{studiesv1.ResultStatus_RESULT_STATUS_OVERDUE, late.user.DisplayName, 1},
			{studiesv1.ResultStatus_RESULT_STATUS_OWED, keen.user.DisplayName, 2}, // same due date: by name
			{studiesv1.ResultStatus_RESULT_STATUS_OWED, late.user.DisplayName, 2},
			{studiesv1.ResultStatus_RESULT_STATUS_SUBMITTED, keen.user.DisplayName, 1},
		}
		if keen.user.DisplayName > late.user.DisplayName {
			want[1], want[2] = want[2], want[1]
		}
		var got []row
		for _, r := range res.Msg.Results {
			got = append(got, row{r.Status, r.DoctorName, r.Visit})
		}
		if len(got) != len(want) {
			t.Fatalf("results %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("results %v, want %v", got, want)
			}
		}
		_, err = admin.studies.ListStudyResults(e.ctx, connect.NewRequest(&studiesv1.ListStudyResultsRequest{StudyId: "no-such-study"}))
		if d := detail(err); connect.CodeOf(err) != connect.CodeNotFound || d == nil || len(d.Violations) != 1 || d.Violations[0].Field != "study_id" {
			t.Fatalf("an unknown study: %v", err)
		}
		if _, err := late.studies.ListStudyResults(e.ctx, connect.NewRequest(&studiesv1.ListStudyResultsRequest{StudyId: st.Id})); connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Fatalf("a doctor listing results: %v", err)
		}
	})
}
