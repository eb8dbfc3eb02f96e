package cases_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestPhonesSaveOneDraftAtOnce: several phones of one doctor save the same
// draft at the same moment, round after round, the first round creating
// it. Writers of one case take turns, each on the version the one before
// it wrote: every save is applied, none is told the case was created or
// changed meanwhile (a race, not the doctor's doing, which would roll the
// phone's copy back), and the case's versions and history count every save.
func TestPhonesSaveOneDraftAtOnce(t *testing.T) {
	const phones, rounds = 6, 4
	forEach(t, func(t *testing.T, e *env) {
		caseID := uuid.NewString()
		devices := make([]*phone, phones)
		pushes := make([][]syncengine.Mutation, phones)
		for i := range devices {
			devices[i] = e.phone(e.author)
			for j := range rounds {
				c := content()
				c.Regimen = fmt.Sprintf("phone %d, save %d: twice a day for 8 weeks", i, j)
				pushes[i] = append(pushes[i], devices[i].Mutation("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: c}))
			}
		}
		outs := make([][]syncengine.Outcome, phones)
		errs := make([]error, phones)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, d := range devices {
			wg.Go(func() {
				<-start
				for _, m := range pushes[i] {
					out, err := d.TryPush(m)
					if err != nil {
						errs[i] = err
						return
					}
					outs[i] = append(outs[i], out[0])
				}
			})
		}
		close(start)
		wg.Wait()

		const saves = phones * rounds
		versions := map[int64]bool{}
		for i := range devices {
			if errs[i] != nil {
				t.Fatalf("phone %d: push failed: %v", i, errs[i])
			}
			for j, o := range outs[i] {
				if o.Status != syncengine.StatusApplied {
					t.Fatalf("phone %d, save %d: %s: %s", i, j, o.Error.Code, o.Error.Message)
				}
				var res casesv1.SaveDraftResult
				must(t, proto.Unmarshal(o.Result, &res))
				versions[res.Version] = true
			}
		}
		for v := int64(1); v <= saves; v++ {
			if !versions[v] {
				t.Fatalf("the saves were answered with versions %v, want each of 1 to %d once", versions, saves)
			}
		}
		var version, saved int64
		must(t, e.store.View(ctx, func(q syncengine.Querier) error {
			if err := q.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, caseID).Scan(&version); err != nil {
				return err
			}
			return q.QueryRow(ctx, `SELECT count(*) FROM case_events WHERE case_id = $1 AND action = 'saved'`, caseID).Scan(&saved)
		}))
		if version != saves || saved != saves {
			t.Fatalf("the case is at version %d with %d saves in its history, after %d saves", version, saved, saves)
		}
		devices[0].Sync()
		if got := devices[0].caseRecord(caseID); got == nil || got.Version != saves {
			t.Fatalf("a phone holds %v, want the case at version %d", got, saves)
		}
	})
}

// TestPublishWhileWithdrawn: a moderator publishes a submitted case at the
// moment its author withdraws it, round after round. Whichever comes
// first, the other sees what it did: either the case is published and
// then withdrawn into the drafts, or it is withdrawn and the moderator
// finds no case to publish (a draft is its author's alone). Neither is
// told the case changed meanwhile, nor gets an internal error.
func TestPublishWhileWithdrawn(t *testing.T) {
	const rounds = 8
	forEach(t, func(t *testing.T, e *env) {
		author := e.phone(e.author)
		var photos []*casesv1.CasePhoto
		for k, stage := range []casesv1.PhotoStage{casesv1.PhotoStage_PHOTO_STAGE_BEFORE, casesv1.PhotoStage_PHOTO_STAGE_AFTER} {
			id, img := uuid.NewString(), photo(320, 240, uint64(40+k))
			author.media.Upload(id, img)
			photos = append(photos, &casesv1.CasePhoto{MediaId: id, Stage: stage})
		}
		caseID := uuid.NewString()
		author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(photos...)})
		moderator := e.principal(e.moderator)
		published := 0
		for round := range rounds {
			author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
			var version int64
			must(t, e.store.View(ctx, func(q syncengine.Querier) error {
				return q.QueryRow(ctx, `SELECT version FROM cases WHERE id = $1`, caseID).Scan(&version)
			}))
			withdrawal := author.Mutation("case.withdraw", &casesv1.WithdrawArgs{CaseId: caseID})
			var publishErr, pushErr error
			var outs []syncengine.Outcome
			start := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				<-start
				_, publishErr = e.cases.Publish(ctx, moderator, caseID, version, "")
			})
			wg.Go(func() {
				<-start
				outs, pushErr = author.TryPush(withdrawal)
			})
			close(start)
			wg.Wait()
			must(t, pushErr)
			if o := outs[0]; o.Status != syncengine.StatusApplied {
				t.Fatalf("round %d: the withdrawal: %s: %s", round, o.Error.Code, o.Error.Message)
			}
			switch syncengine.ErrorCode(publishErr) {
			case "":
				published++
			case syncengine.ENOTFOUND:
			default:
				t.Fatalf("round %d: publishing: %v (%s)", round, publishErr, syncengine.ErrorCode(publishErr))
			}
			var status string
			must(t, e.store.View(ctx, func(q syncengine.Querier) error {
				return q.QueryRow(ctx, `SELECT status, version FROM cases WHERE id = $1`, caseID).Scan(&status, &version)
			}))
			// Saved once; then in each round submitted, withdrawn, and
			// published in between or not: one version for each.
			if want := int64(1 + 2*(round+1) + published); status != "draft" || version != want {
				t.Fatalf("round %d: the case is %s at version %d, want a draft at version %d", round, status, version, want)
			}
		}
		t.Logf("%d of %d rounds published before the withdrawal", published, rounds)
	})
}

// TestCommentsWhileWithdrawn: colleagues comment on a published case at
// the moment its author withdraws it, or discards it. A comment written
// first leaves the feed with the case (and, if the case is discarded, is
// deleted with it); one that comes second finds no published case. No
// comment stays in the specialty's feed, nor in the database, for a case
// that left it.
func TestCommentsWhileWithdrawn(t *testing.T) {
	const rounds, commenters = 6, 3
	forEach(t, func(t *testing.T, e *env) {
		author := e.phone(e.author)
		var photos []*casesv1.CasePhoto
		for k, stage := range []casesv1.PhotoStage{casesv1.PhotoStage_PHOTO_STAGE_BEFORE, casesv1.PhotoStage_PHOTO_STAGE_AFTER} {
			id, img := uuid.NewString(), photo(320, 240, uint64(50+k))
			author.media.Upload(id, img)
			photos = append(photos, &casesv1.CasePhoto{MediaId: id, Stage: stage})
		}
		colleagues := make([]*phone, commenters)
		for i := range colleagues {
			colleagues[i] = e.phone(e.colleague)
		}
		moderator := e.principal(e.moderator)
		commented := 0
		for round := range rounds {
			caseID := uuid.NewString()
			author.MustApply("case.save_draft", &casesv1.SaveDraftArgs{CaseId: caseID, Content: content(photos...)})
			author.MustApply("case.submit", &casesv1.SubmitArgs{CaseId: caseID})
			_, err := e.cases.Publish(ctx, moderator, caseID, 2, "")
			must(t, err)
			discard := round%2 == 1
			withdrawal := author.Mutation("case.withdraw", &casesv1.WithdrawArgs{CaseId: caseID, Discard: discard})
			comments := make([]syncengine.Mutation, commenters)
			for i, c := range colleagues {
				comments[i] = c.Mutation("case.comment", &casesv1.CommentArgs{CommentId: uuid.NewString(), CaseId: caseID, Text: "Какой был уход до назначения?"})
			}
			outs := make([][]syncengine.Outcome, commenters+1)
			errs := make([]error, commenters+1)
			start := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				<-start
				outs[commenters], errs[commenters] = author.TryPush(withdrawal)
			})
			for i, c := range colleagues {
				wg.Go(func() {
					<-start
					outs[i], errs[i] = c.TryPush(comments[i])
				})
			}
			close(start)
			wg.Wait()
			for i := range outs {
				must(t, errs[i])
			}
			if o := outs[commenters][0]; o.Status != syncengine.StatusApplied {
				t.Fatalf("round %d: the withdrawal: %s: %s", round, o.Error.Code, o.Error.Message)
			}
			for i, out := range outs[:commenters] {
				switch o := out[0]; {
				case o.Status == syncengine.StatusApplied:
					commented++
				case o.Error.Code != syncengine.ENOTFOUND:
					t.Fatalf("round %d, comment %d: %s: %s", round, i, o.Error.Code, o.Error.Message)
				}
			}
			colleagues[0].Sync()
			if got := colleagues[0].commentsOf(caseID); len(got) > 0 {
				t.Fatalf("round %d: a colleague's phone holds %d comments of a case that left the feed", round, len(got))
			}
			if discard {
				var n int64
				must(t, e.store.View(ctx, func(q syncengine.Querier) error {
					return q.QueryRow(ctx, `SELECT count(*) FROM case_comments WHERE case_id = $1`, caseID).Scan(&n)
				}))
				if n > 0 {
					t.Fatalf("round %d: %d comments outlived the discarded case", round, n)
				}
			}
		}
		t.Logf("%d of %d comments written before the withdrawal", commented, rounds*commenters)
	})
}
