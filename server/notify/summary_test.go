package notify_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// TestDailySummary checks every figure of the directors' summary against
// counts the test keeps itself: doctors created at known instants, and
// gift orders and published cases in tables standing in for those of the
// modules that register their counters.
func TestDailySummary(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d syncengine.Dialect) {
		e := newEnv(t, d, 1)
		msk, _ := time.LoadLocation("Europe/Moscow")
		ekb, _ := time.LoadLocation("Asia/Yekaterinburg")
		dir := e.user(auth.RoleDirector, "msk")
		for _, r := range []string{"msk", "ekb"} {
			if _, err := e.accounts.AssignRegion(e.ctx, auth.System, dir.ID, r, true); err != nil {
				t.Fatal(err)
			}
		}
		// A director in Yekaterinburg gets their summary two hours earlier.
		far := e.user(auth.RoleDirector, "ekb")
		if _, err := e.accounts.AssignRegion(e.ctx, auth.System, far.ID, "ekb", true); err != nil {
			t.Fatal(err)
		}
		err := e.store.Update(e.ctx, func(tx syncengine.Tx) error {
			for _, table := range []string{"test_gift_orders", "test_cases"} {
				if _, err := tx.Exec(e.ctx, `CREATE TABLE `+table+` (region_id TEXT NOT NULL, at BIGINT NOT NULL)`); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sums := notify.NewSummaries(e.store, 9)
		for figure, table := range map[string]string{notify.FigureGiftOrders: "test_gift_orders", notify.FigureCasesPublished: "test_cases"} {
			sums.Register(figure, func(ctx context.Context, q syncengine.Querier, region string, from, to time.Time) (int64, error) {
				var n int64
				err := q.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE region_id = $1 AND at >= $2 AND at < $3`, region, from.UnixMilli(), to.UnixMilli()).Scan(&n)
				return n, err
			})
		}

		type event struct {
			region string
			at     time.Time
		}
		var doctors, orders, cases []event
		rng := rand.New(rand.NewPCG(1, 2))
		// From 2026-03-01 12:00 MSK to 2026-03-03 05:00 MSK, in steps.
		end := time.Date(2026, 3, 3, 5, 0, 0, 0, msk)
		for e.clock.Now().Before(end) {
			region := []string{"msk", "ekb"}[rng.IntN(2)]
			switch rng.IntN(3) {
			case 0:
				e.user(auth.RoleDoctor, region)
				doctors = append(doctors, event{region, e.clock.Now()})
			case 1:
				orders = append(orders, event{region, e.clock.Now()})
			case 2:
				cases = append(cases, event{region, e.clock.Now()})
			}
			e.clock.Advance(time.Duration(20+rng.IntN(100)) * time.Minute)
		}
		err = e.store.Update(e.ctx, func(tx syncengine.Tx) error {
			for table, evs := range map[string][]event{"test_gift_orders": orders, "test_cases": cases} {
				for _, ev := range evs {
					if _, err := tx.Exec(e.ctx, `INSERT INTO `+table+` (region_id, at) VALUES ($1, $2)`, ev.region, ev.at.UnixMilli()); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		count := func(evs []event, region string, loc *time.Location) string {
			from, to := time.Date(2026, 3, 2, 0, 0, 0, 0, loc), time.Date(2026, 3, 3, 0, 0, 0, 0, loc)
			n := 0
			for _, ev := range evs {
				if ev.region == region && !ev.at.Before(from) && ev.at.Before(to) {
					n++
				}
			}
			return strconv.Itoa(n)
		}
		inbox := func(user string) map[string]map[string]string {
			out := map[string]map[string]string{}
			err := e.store.View(e.ctx, func(q syncengine.Querier) error {
				rows, err := q.Query(e.ctx, `SELECT dedupe_key, params FROM notifications WHERE user_id = $1 AND kind = 'summary.daily'`, user)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var key, params string
					if err := rows.Scan(&key, &params); err != nil {
						return err
					}
					out[key] = parseParams(t, params)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}

		e.clock.Advance(time.Date(2026, 3, 3, 8, 59, 0, 0, msk).Sub(e.clock.Now()))
		if err := sums.SendDue(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if len(inbox(dir.ID)) != 0 {
			t.Fatal("a summary before 09:00")
		}
		got := inbox(far.ID)
		if len(got) != 1 {
			t.Fatalf("the Yekaterinburg director has %d summaries at 10:59 local", len(got))
		}
		p := got["summary.daily:"+far.ID+":ekb:2026-03-02"]
		if p["new_doctors"] != count(doctors, "ekb", ekb) || p["gift_orders"] != count(orders, "ekb", ekb) || p["cases_published"] != count(cases, "ekb", ekb) {
			t.Fatalf("ekb in ekb time: %v", p)
		}
		e.clock.Advance(time.Minute)
		for range 2 {
			if err := sums.SendDue(e.ctx, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		got = inbox(dir.ID)
		if len(got) != 2 {
			t.Fatalf("%d summaries, want one per region once", len(got))
		}
		for _, region := range []string{"msk", "ekb"} {
			p := got["summary.daily:"+dir.ID+":"+region+":2026-03-02"]
			want := map[string]string{
				"new_doctors": count(doctors, region, msk), "gift_orders": count(orders, region, msk), "cases_published": count(cases, region, msk),
			}
			for k, v := range want {
				if p[k] != v {
					t.Errorf("%s %s = %s, counted %s", region, k, p[k], v)
				}
			}
			if _, ok := p["approved_edits"]; ok {
				t.Errorf("%s: a figure no module registered: %v", region, p)
			}
		}
		// The push carries the figures.
		_, token := e.device(dir, "ru", "Europe/Moscow")
		e.drain(e.worker(e.store, notify.WorkerConfig{}))
		pushes := e.fcm.DeliveredTo(token)
		if len(pushes) != 2 {
			t.Fatalf("%d summary pushes", len(pushes))
		}
		for _, m := range pushes {
			if !strings.Contains(m.Body, "врачи +") || !strings.Contains(m.Body, "заказы ") || !strings.HasPrefix(m.Title, "Сводка по региону") {
				t.Errorf("push %q %q", m.Title, m.Body)
			}
		}
	})
}
