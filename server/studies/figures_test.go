package studies_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"connectrpc.com/connect"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/studies"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestOverdueFigure: the overdue-results figure of the directors' summary
// equals the count the test makes from the schedules it created.
func TestOverdueFigure(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		if _, err := e.accounts.CreateRegion(e.ctx, auth.System, auth.Region{ID: "spb", Name: "Петербург", TimeZone: "Europe/Moscow"}); err != nil {
			t.Fatal(err)
		}
		admin := e.account(auth.RoleAdmin)
		st, err := admin.studies.CreateStudy(e.ctx, connect.NewRequest(&studiesv1.CreateStudyRequest{Title: "DERM-9", VisitWeeks: []int32{0, 2, 4, 8}, Fields: []string{"iga"}}))
		if err != nil {
			t.Fatal(err)
		}
		msk, _ := time.LoadLocation("Europe/Moscow")
		e.at(time.Date(2026, 3, 2, 12, 0, 0, 0, msk))
		today := "2026-03-02"
		type owed struct {
			region, due string
			submitted   bool
		}
		var all []owed
		for i, start := range []string{"2026-01-10", "2026-02-01", "2026-02-20", "2026-03-01", "2026-01-25"} {
			doc := e.account(auth.RoleDoctor)
			region := "msk"
			if i == 4 {
				region = "spb"
				if err := e.store.Update(e.ctx, func(tx syncengine.Tx) error {
					_, err := tx.Exec(e.ctx, `UPDATE users SET region_id = 'spb' WHERE id = $1`, doc.user.Id)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			en, err := admin.studies.EnrolDoctor(e.ctx, connect.NewRequest(&studiesv1.EnrolDoctorRequest{StudyId: st.Msg.Study.Id, DoctorId: doc.user.Id, StartDate: start}))
			if err != nil {
				t.Fatal(err)
			}
			for j, r := range en.Msg.Results {
				o := owed{region: region, due: r.DueDate}
				// Every doctor submitted their second visit.
				if j == 1 {
					out := doc.Do(studies.MutationSubmitResult, &studiesv1.SubmitResultArgs{StudyId: st.Msg.Study.Id, Visit: 2, Answers: map[string]string{"iga": "1"}})
					if out.Status != syncengine.StatusApplied {
						t.Fatal(out.Error)
					}
					o.submitted = true
				}
				all = append(all, o)
			}
		}
		if err := e.studies.Remind(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{}
		for _, o := range all {
			if !o.submitted && o.due < today {
				want[o.region]++
			}
		}
		if want["msk"] == 0 || want["spb"] == 0 {
			t.Fatalf("the schedules make nothing overdue: %v", want)
		}
		for _, region := range []string{"msk", "spb"} {
			var n int64
			err := e.store.View(e.ctx, func(q syncengine.Querier) error {
				var err error
				n, err = studies.CountOverdue(context.Background(), q, region, time.Time{}, time.Time{})
				return err
			})
			if err != nil || n != want[region] {
				t.Errorf("%s: %d overdue, counted %d (%v)", region, n, want[region], err)
			}
		}
		// And through the summary a director gets the next morning.
		dir := e.account(auth.RoleDirector)
		if _, err := e.accounts.AssignRegion(e.ctx, auth.System, dir.user.Id, "msk", true); err != nil {
			t.Fatal(err)
		}
		sums := notify.NewSummaries(e.store, 9)
		sums.Register(notify.FigureOverdueResults, studies.CountOverdue)
		e.clock.Advance(21 * time.Hour) // 09:00 on the 3rd; nothing new is overdue
		if err := sums.SendDue(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		dir.Sync()
		items := dir.inbox()
		if len(items) != 1 || items[0].Params["overdue_results"] != strconv.FormatInt(want["msk"], 10) {
			t.Fatalf("director's inbox %v, want overdue_results %d", items, want["msk"])
		}
	})
}
