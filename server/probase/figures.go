package probase

import (
	"context"
	"strconv"
	"strings"
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
		{Key: "untouched_doctors", Label: "Doctors not touched for 90 days", Group: figure.GroupReps, State: func(ctx context.Context, q syncengine.Querier, s figure.Scope, at []time.Time) ([]int64, error) {
			args := figure.NewArgs(s)
			tables, where, conds := untouched(s, args, at)
			return figure.CountAt(ctx, q, args, `FROM `+tables+` WHERE `+where, conds)
		}},
	}
}

// Untouched is how long without an edit or a request makes a doctor
// "not touched" in the reports.
const Untouched = 90 * 24 * time.Hour

// untouched selects the scope's doctors (as d: tables WHERE where) and, for each time of at,
// the condition "created 90 days before it, and no edit proposed and no
// request sent in those 90 days". For a region the touches of every
// window are read once, grouped by doctor, and joined to the doctors: a
// scan of each table, where probing the indexes twice per doctor for each
// time costs several times more. A territory's few doctors are probed.
func untouched(s figure.Scope, args *figure.Args, at []time.Time) (tables, where string, conds []string) {
	conds = make([]string, len(at))
	if s.Territory != "" {
		for i, t := range at {
			since, until := args.Add(t.Add(-Untouched).UnixMilli()), args.Add(t.UnixMilli())
			conds[i] = `d.created_at < ` + since + `
				AND NOT EXISTS (SELECT 1 FROM edit_requests e WHERE e.doctor_id = d.id AND e.created_at >= ` + since + ` AND e.created_at < ` + until + `)
				AND NOT EXISTS (SELECT 1 FROM doctor_requests r WHERE r.doctor_id = d.id AND r.created_at >= ` + since + ` AND r.created_at < ` + until + `)`
		}
		return `doctors d`, s.Territories("d.territory_id"), conds
	}
	lo, hi := at[0], at[0]
	for _, t := range at {
		if t.Before(lo) {
			lo = t
		}
		if t.After(hi) {
			hi = t
		}
	}
	lo = lo.Add(-Untouched)
	flags := make([]string, len(at))
	for i, t := range at {
		since, until := args.Add(t.Add(-Untouched).UnixMilli()), args.Add(t.UnixMilli())
		flags[i] = "MAX(CASE WHEN x.at >= " + since + " AND x.at < " + until + " THEN 1 ELSE 0 END) AS t" + strconv.Itoa(i)
		conds[i] = "d.created_at < " + since + " AND COALESCE(t.t" + strconv.Itoa(i) + ", 0) = 0"
	}
	window := " WHERE created_at >= " + args.Add(lo.UnixMilli()) + " AND created_at < " + args.Add(hi.UnixMilli())
	return `doctors d LEFT JOIN (SELECT x.doctor_id, ` + strings.Join(flags, ", ") + `
			FROM (SELECT doctor_id, created_at AS at FROM edit_requests` + window + `
				UNION ALL SELECT doctor_id, created_at FROM doctor_requests` + window + `) x
			GROUP BY x.doctor_id) t ON t.doctor_id = d.id`, s.Territories("d.territory_id"), conds
}

// countPending counts, at each time, the edits proposed before it and not
// decided by then.
func countPending(ctx context.Context, q syncengine.Querier, s figure.Scope, at []time.Time) ([]int64, error) {
	args := figure.NewArgs(s)
	conds := make([]string, len(at))
	for i, t := range at {
		ms := args.Add(t.UnixMilli())
		conds[i] = "e.created_at < " + ms + " AND (e.status = 'pending' OR e.decided_at >= " + ms + ")"
	}
	return figure.CountAt(ctx, q, args, `FROM edit_requests e WHERE `+s.Territories("e.territory_id"), conds)
}

// Lists are the directory's drill-down tables.
func Lists() []figure.List {
	return []figure.List{{Key: "untouched_doctors", Title: "Doctors not touched for 90 days", Columns: []string{"doctor_id", "doctor", "territory", "reps"},
		Rows: func(ctx context.Context, q syncengine.Querier, s figure.Scope, at time.Time, limit int) ([][]string, error) {
			args := figure.NewArgs(s)
			tables, where, conds := untouched(s, args, []time.Time{at})
			return figure.Rows(ctx, q, `SELECT d.id, d.full_name, tr.name, COALESCE((SELECT min(u.display_name) FROM rep_territories rt JOIN users u ON u.id = rt.user_id WHERE rt.territory_id = d.territory_id), '')
				FROM `+tables+` JOIN territories tr ON tr.id = d.territory_id WHERE `+where+` AND `+conds[0]+` ORDER BY tr.name, d.full_name, d.id LIMIT `+args.Add(limit),
				4, args.Values()...)
		}}}
}
