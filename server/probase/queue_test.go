package probase_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/probase"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestQueueFilters: the moderators' queue filters by territory, proposer
// and age, pages oldest first, and counts every status under a filter.
func TestQueueFilters(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		mod := auth.Principal(e.moderator, "m")
		repA, repB := e.device(e.repA), e.device(e.repB)
		var ids []string
		for i, d := range []*servertest.Device{repA, repB, repA} {
			out := propose(d, e.doctor.Id, 2, changes("position", []string{"one", "two", "three"}[i])...)
			var res probasev1.ProposeEditResult
			must(t, proto.Unmarshal(out.Result, &res))
			ids = append(ids, res.RequestId)
			e.clock.Advance(24 * time.Hour)
		}
		all, err := e.dir.ListEditRequests(e.ctx, mod, probase.RequestFilter{Status: "pending"})
		must(t, err)
		if len(all) != 3 || all[0].Id != ids[0] || all[2].Id != ids[2] || all[0].TerritoryId != "north" {
			t.Fatalf("queue %v", all)
		}
		byA, err := e.dir.ListEditRequests(e.ctx, mod, probase.RequestFilter{ProposerID: e.repA.ID})
		must(t, err)
		if len(byA) != 2 || byA[1].Id != ids[2] {
			t.Fatalf("rep A's requests %v", byA)
		}
		// Older than two days: only the first one.
		old, err := e.dir.ListEditRequests(e.ctx, mod, probase.RequestFilter{CreatedBefore: e.clock.Now().Add(-48 * time.Hour).UnixMilli()})
		must(t, err)
		if len(old) != 1 || old[0].Id != ids[0] {
			t.Fatalf("requests older than two days %v", old)
		}
		page, err := e.dir.ListEditRequests(e.ctx, mod, probase.RequestFilter{Limit: 1, Offset: 1})
		must(t, err)
		if len(page) != 1 || page[0].Id != ids[1] {
			t.Fatalf("second page %v", page)
		}
		if south, err := e.dir.ListEditRequests(e.ctx, mod, probase.RequestFilter{Territory: "south"}); err != nil || len(south) != 0 {
			t.Fatalf("south's requests %v (%v)", south, err)
		}

		_, err = e.dir.Reject(e.ctx, mod, ids[1], 0, "no")
		must(t, err)
		counts, err := e.dir.CountEditRequests(e.ctx, mod, probase.RequestFilter{Status: "approved", Territory: "north"})
		must(t, err)
		if counts["pending"] != 2 || counts["rejected"] != 1 || counts["approved"] != 0 {
			t.Fatalf("counts %v", counts)
		}
		if counts, err := e.dir.CountEditRequests(e.ctx, mod, probase.RequestFilter{ProposerID: e.repB.ID}); err != nil || counts["pending"] != 0 || counts["rejected"] != 1 {
			t.Fatalf("rep B's counts %v (%v)", counts, err)
		}
		if _, err := e.dir.CountEditRequests(e.ctx, auth.Principal(e.repA, "x"), probase.RequestFilter{}); syncengine.ErrorCode(err) != syncengine.EPERMISSION {
			t.Fatalf("a rep counting the queue: %v", err)
		}
	})
}

// TestStaleDecision: a decision made on a doctor version that is no longer
// the current one is refused and changes nothing; made on the current one,
// it applies.
func TestStaleDecision(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		mod := auth.Principal(e.moderator, "m")
		repA, repB := e.device(e.repA), e.device(e.repB)
		var first, second probasev1.ProposeEditResult
		must(t, proto.Unmarshal(propose(repA, e.doctor.Id, 2, changes("position", "chief physician")...).Result, &first))
		must(t, proto.Unmarshal(propose(repB, e.doctor.Id, 2, changes("clinic_id", "skin-center")...).Result, &second))
		seen, err := e.dir.GetEditRequest(e.ctx, mod, second.RequestId)
		must(t, err)
		if _, _, err := e.dir.Approve(e.ctx, mod, first.RequestId, seen.Current.Version, nil); err != nil {
			t.Fatal(err)
		}
		// The second request was reviewed at the version before the first
		// approval.
		_, _, err = e.dir.Approve(e.ctx, mod, second.RequestId, seen.Current.Version, nil)
		if syncengine.ErrorCode(err) != syncengine.ECONFLICT {
			t.Fatalf("a stale approval: %v", err)
		}
		if _, err := e.dir.Reject(e.ctx, mod, second.RequestId, seen.Current.Version, "stale"); syncengine.ErrorCode(err) != syncengine.ECONFLICT {
			t.Fatalf("a stale rejection: %v", err)
		}
		now, err := e.dir.GetEditRequest(e.ctx, mod, second.RequestId)
		must(t, err)
		if now.Request.Status != probasev1.EditStatus_EDIT_STATUS_PENDING || now.Current.ClinicId != "city-clinic" || now.Current.Version != seen.Current.Version+1 {
			t.Fatalf("a refused decision changed something: %v %v", now.Request.Status, now.Current)
		}
		_, doc, err := e.dir.Approve(e.ctx, mod, second.RequestId, now.Current.Version, nil)
		must(t, err)
		if doc.ClinicId != "skin-center" || doc.Position != "chief physician" {
			t.Fatalf("after the fresh approval: %v", doc)
		}
	})
}
