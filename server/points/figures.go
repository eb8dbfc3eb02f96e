package points

import "github.com/ordinatorhq/ordinator/server/reports/figure"

// Figures are the points' figures of the directors' reports: points the
// region's doctors earned and spent (refunds count as earned).
func Figures() []figure.Figure {
	ledger := func(cond, value string) func(figure.Scope) figure.Events {
		return func(s figure.Scope) figure.Events {
			return figure.Events{From: `FROM points_ledger pl WHERE ` + cond + ` AND ` + s.Doctors("pl.user_id"), At: "pl.created_at", Aggregate: figure.Sum, Value: value}
		}
	}
	return []figure.Figure{
		{Key: "points_earned", Label: "Points earned", Group: figure.GroupDoctors, Events: ledger("pl.amount > 0", "pl.amount")},
		{Key: "points_spent", Label: "Points spent", Group: figure.GroupDoctors, Events: ledger("pl.amount < 0", "-pl.amount")},
	}
}
