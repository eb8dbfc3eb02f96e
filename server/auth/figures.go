package auth

import (
	"context"
	"time"

	"github.com/ordinatorhq/ordinator/server/reports/figure"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Figures are the accounts' figures of the directors' reports. Accounts
// keep no time of verification, so verified doctors are those registered
// by the time asked who are verified now.
func Figures() []figure.Figure {
	return []figure.Figure{
		{Key: "new_doctors", Label: "New doctors", Group: figure.GroupDoctors, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM users u WHERE ` + s.Users("u"), At: "u.created_at", By: "u.specialty"}
		}},
		{Key: "verified_doctors", Label: "Verified doctors", Group: figure.GroupDoctors, State: func(ctx context.Context, q syncengine.Querier, s figure.Scope, at []time.Time) ([]int64, error) {
			args := figure.NewArgs(s)
			conds := make([]string, len(at))
			for i, t := range at {
				conds[i] = "u.created_at < " + args.Add(t.UnixMilli())
			}
			return figure.CountAt(ctx, q, args, `FROM users u WHERE u.verified AND `+s.Users("u"), conds)
		}},
		{Key: "active_doctors", Label: "Active doctors (synced)", Group: figure.GroupDoctors, Events: func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM devices dv WHERE ` + s.Doctors("dv.user_id"), At: "dv.last_seen_at", Aggregate: figure.Distinct, Value: "dv.user_id"}
		}},
	}
}
