package probase

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// CountApprovedEdits counts the edit requests approved in a region between
// from and to (the approved_edits figure).
func CountApprovedEdits(ctx context.Context, q syncengine.Querier, regionID string, from, to time.Time) (int64, error) {
	return figure.Total(ctx, q, Figures(), "approved_edits", regionID, from, to)
}

// Figures are the doctors directory's figures of the directors' reports:
// the reps' work on the doctors of a territory.
func Figures() []figure.Figure {
	edits := func(cond, at string) func(figure.Scope) figure.Events {
		return func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM edit_requests e WHERE ` + s.Territories("e.territory_id") + cond, At: at}
		}
	}
	return []figure.Figure{
		{Key: "doctors", Label: "Doctors in the territory", Group: figure.GroupReps, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM doctors d WHERE ` + s.Territories("d.territory_id"), At: "d.created_at", Cumulative: true}
		}},
		{Key: "doctors_updated", Label: "Doctors whose data was updated", Group: figure.GroupReps, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM doctor_history h JOIN doctors d ON d.id = h.doctor_id WHERE h.action = 'edit_approved' AND ` + s.Territories("d.territory_id"),
				At: "h.at", Aggregate: figure.Distinct, Value: "h.doctor_id"}
		}},
		{Key: "proposed_edits", Label: "Edits proposed", Group: figure.GroupReps, Events: edits("", "e.created_at")},
		{Key: "approved_edits", Label: "Edits approved", Group: figure.GroupReps, Events: edits(" AND e.status = 'approved'", "e.decided_at")},
		{Key: "rejected_edits", Label: "Edits rejected", Group: figure.GroupReps, Events: edits(" AND e.status = 'rejected'", "e.decided_at")},
		{Key: "moderation_median_minutes", Label: "Median time to moderation, minutes", Group: figure.GroupReps, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM edit_requests e WHERE e.status IN ('approved', 'rejected') AND ` + s.Territories("e.territory_id"),
				At: "e.decided_at", Aggregate: figure.Median, Value: "(e.decided_at - e.created_at) / 60000"}
		}},
		{Key: "pending_edits", Label: "Edits pending", Group: figure.GroupReps, State: countPending},
		{Key: "update_requests", Label: "Update requests sent", Group: figure.GroupReps, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM doctor_requests r JOIN doctors d ON d.id = r.doctor_id WHERE ` + s.Territories("d.territory_id"), At: "r.created_at", By: "r.kind"}
		}},
		{Key: "untouched_doctors", Label: "Doctors not touched for 90 days", Group: figure.GroupReps, State: func(ctx context.Context, q syncengine.Querier, s figure.Scope, at time.Time) (int64, error) {
			var n int64
			since := at.Add(-Untouched).UnixMilli()
			err := q.QueryRow(ctx, `SELECT count(*) `+untouched(s), s.Arg(), since, at.UnixMilli()).Scan(&n)
			return n, err
		}},
	}
}

// Untouched is how long without an edit or a request makes a doctor
// "not touched" in the reports.
const Untouched = 90 * 24 * time.Hour

// untouched selects the scope's doctors created before $2 with no edit
// proposed and no request sent between $2 and $3.
func untouched(s figure.Scope) string {
	return `FROM doctors d WHERE ` + s.Territories("d.territory_id") + ` AND d.created_at < $2
		AND NOT EXISTS (SELECT 1 FROM edit_requests e WHERE e.doctor_id = d.id AND e.created_at >= $2 AND e.created_at < $3)
		AND NOT EXISTS (SELECT 1 FROM doctor_requests r WHERE r.doctor_id = d.id AND r.created_at >= $2 AND r.created_at < $3)`
}

// countPending counts the edits proposed before at and not decided by then.
func countPending(ctx context.Context, q syncengine.Querier, s figure.Scope, at time.Time) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT count(*) FROM edit_requests e WHERE `+s.Territories("e.territory_id")+`
		AND e.created_at < $2 AND (e.status = 'pending' OR e.decided_at >= $2)`, s.Arg(), at.UnixMilli()).Scan(&n)
	return n, err
}

// Lists are the directory's drill-down tables.
func Lists() []figure.List {
	return []figure.List{{Key: "untouched_doctors", Title: "Doctors not touched for 90 days", Columns: []string{"doctor_id", "doctor", "territory", "reps"},
		Rows: func(ctx context.Context, q syncengine.Querier, s figure.Scope, at time.Time, limit int) ([][]string, error) {
			since := at.Add(-Untouched).UnixMilli()
			return figure.Rows(ctx, q, `SELECT d.id, d.full_name, t.name, COALESCE((SELECT min(u.display_name) FROM rep_territories rt JOIN users u ON u.id = rt.user_id WHERE rt.territory_id = d.territory_id), '')
				FROM doctors d JOIN territories t ON t.id = d.territory_id WHERE d.id IN (SELECT d.id `+untouched(s)+`) ORDER BY t.name, d.full_name, d.id LIMIT $4`,
				4, s.Arg(), since, at.UnixMilli(), limit)
		}}}
}
