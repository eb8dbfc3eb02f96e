package reports_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ordinatorhq/ordinator/deploy/testenv"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/reports"
	"github.com/ordinatorhq/ordinator/server/servertest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var moscow, _ = time.LoadLocation("Europe/Moscow")

// fact is one thing the test wrote that a figure counts: where and when,
// with its value (1 for counts), its distinct key and its breakdown key.
type fact struct {
	fig               string
	region, territory string
	at                time.Time
	day               string // results due: the local date
	value             int64
	key, by           string
}

// world is what the test wrote, to count independently of the reports.
type world struct {
	t       *testing.T
	ctx     context.Context
	store   syncengine.Store
	reports *reports.Service
	now     time.Time
	facts   []fact
	doctors []doc
	edits   []edit
	touches map[string][]time.Time // doctor id → edits proposed and requests sent
}

type doc struct {
	id, user, region, territory string
	created                     time.Time
	verified                    bool
	overdue                     int
}

type edit struct {
	territory, status string
	created, decided  time.Time
}

// newWorld writes a year's worth of random activity in two regions
// (msk: north and south; spb: west), through plain SQL.
func newWorld(t *testing.T, d syncengine.Dialect) *world {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, moscow)
	w := &world{t: t, ctx: context.Background(), now: now, touches: map[string][]time.Time{}}
	w.store = servertest.Store(t, d, func() time.Time { return now }, reports.Schema())
	figs, lists := reports.ModuleFigures()
	w.reports = reports.New(reports.Config{Store: w.store, Figures: figs, Lists: lists, Now: func() time.Time { return now }})
	r := rand.New(rand.NewPCG(1, uint64(len(d))))
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, moscow)
	when := func() time.Time {
		return start.Add(time.Duration(r.Int64N(int64(now.Sub(start))))).Truncate(time.Millisecond)
	}
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	w.exec(`INSERT INTO regions (id, name, time_zone, created_at) VALUES ('msk', 'Москва', 'Europe/Moscow', 0), ('spb', 'Санкт-Петербург', 'Europe/Moscow', 0)`)
	w.exec(`INSERT INTO territories (id, region_id, name, created_at) VALUES ('north', 'msk', 'Север', 0), ('south', 'msk', 'Юг', 0), ('west', 'spb', 'Запад', 0)`)
	w.exec(`INSERT INTO users (id, role, password_hash, display_name, region_id, created_at, updated_at) VALUES
		('rep-n', 'rep', '', 'Rep North', 'msk', 0, 0), ('rep-s', 'rep', '', 'Rep South', 'msk', 0, 0), ('dir-msk', 'director', '', 'Director', 'msk', 0, 0),
		('dir-spb', 'director', '', 'Director SPb', 'spb', 0, 0), ('mod', 'moderator', '', 'Moderator', NULL, 0, 0)`)
	w.exec(`INSERT INTO rep_territories (user_id, territory_id) VALUES ('rep-n', 'north'), ('rep-s', 'south')`)
	w.exec(`INSERT INTO director_regions (user_id, region_id) VALUES ('dir-msk', 'msk'), ('dir-spb', 'spb')`)
	w.exec(`INSERT INTO gift_waves (id, region_id, title, description, starts_at, ends_at, grace_ms, created_at, updated_at) VALUES ('wave', 'msk', 'Wave', '', 0, 1, 0, 0, 0)`)
	w.exec(`INSERT INTO content_items (id, kind, version, title, public, starts_at, ends_at, payload, created_by, updated_by, created_at, updated_at) VALUES ('article', 'article', 1, 'Article', FALSE, 0, 0, $1, '', '', 0, 0), ('training', 'training', 1, 'Training', FALSE, 0, 0, $1, '', '', 0, 0)`, []byte{})
	w.exec(`INSERT INTO studies (id, title, description, visit_weeks, fields, points_per_result, region_id, created_by, created_at) VALUES ('acne', 'Acne', '', '[]', '[]', 0, '', 'mod', 0)`)
	territories := []string{"north", "south", "west"}
	specialties := []string{"dermatology", "cosmetology"}
	products := []string{"cream", "serum", "gel"}
	for i := range 60 {
		dd := doc{id: fmt.Sprintf("d%02d", i), user: fmt.Sprintf("u%02d", i), territory: territories[i%3], created: when(), verified: r.IntN(2) == 0}
		dd.region = map[string]string{"north": "msk", "south": "msk", "west": "spb"}[dd.territory]
		if i < 4 {
			dd.created = start.AddDate(0, -3, 0) // old and never touched
		}
		spec := specialties[r.IntN(2)]
		f := func(fig string, at time.Time, value int64, key, by string) {
			w.facts = append(w.facts, fact{fig: fig, region: dd.region, territory: dd.territory, at: at, value: value, key: key, by: by})
		}
		w.exec(`INSERT INTO users (id, role, password_hash, display_name, specialty, region_id, verified, created_at, updated_at) VALUES ($1, 'doctor', '', $2, $3, $4, $5, $6, $6)`,
			dd.user, "Doctor "+dd.id, spec, dd.region, dd.verified, ms(dd.created))
		w.exec(`INSERT INTO doctors (id, user_id, fields, full_name, territory_id, version, created_at, updated_at) VALUES ($1, $2, '{}', $3, $4, 1, $5, $5)`,
			dd.id, dd.user, "Doctor "+dd.id, dd.territory, ms(dd.created))
		f("doctors", dd.created, 1, "", "")
		f("new_doctors", dd.created, 1, "", spec)
		for j := range r.IntN(4) * min(i, 1) {
			e := edit{territory: dd.territory, status: []string{"pending", "approved", "rejected"}[r.IntN(3)], created: when()}
			id := fmt.Sprintf("%s-e%d", dd.id, j)
			if e.status != "pending" {
				e.decided = e.created.Add(time.Duration(r.IntN(72*60)) * time.Minute)
				f(e.status+"_edits", e.decided, 1, "", "")
				f("moderation_median_minutes", e.decided, int64(e.decided.Sub(e.created)/time.Minute), "", "")
			}
			if e.status == "approved" {
				w.exec(`INSERT INTO doctor_history (id, doctor_id, n, action, actor_id, request_id, version, changes, note, at) VALUES ($1, $2, $3, 'edit_approved', 'mod', $1, 1, '', '', $4)`,
					id, dd.id, j, ms(e.decided))
				f("doctors_updated", e.decided, 1, dd.id, "")
			}
			w.exec(`INSERT INTO edit_requests (id, doctor_id, territory_id, proposer_id, base_version, changes, comment, status, created_at, decided_at) VALUES ($1, $2, $3, 'rep-n', 1, '', '', $4, $5, $6)`,
				id, dd.id, dd.territory, e.status, ms(e.created), ms(e.decided))
			f("proposed_edits", e.created, 1, "", "")
			w.edits = append(w.edits, e)
			w.touches[dd.id] = append(w.touches[dd.id], e.created)
		}
		for j := range r.IntN(3) * min(i/4, 1) {
			at, kind := when(), []string{"update", "visit"}[r.IntN(2)]
			w.exec(`INSERT INTO doctor_requests (id, doctor_id, rep_id, kind, message, created_at) VALUES ($1, $2, 'rep-n', $3, '', $4)`, fmt.Sprintf("%s-r%d", dd.id, j), dd.id, kind, ms(at))
			f("update_requests", at, 1, "", kind)
			w.touches[dd.id] = append(w.touches[dd.id], at)
		}
		for j := range r.IntN(3) {
			sub, product := when(), products[r.IntN(3)]
			status := []string{"submitted", "published", "rejected"}[r.IntN(3)]
			var pub int64
			later := sub.Add(time.Duration(r.IntN(48)) * time.Hour)
			switch status {
			case "published":
				pub = ms(later)
				f("cases_published", later, 1, "", spec)
			case "rejected":
				f("cases_rejected", later, 1, "", product)
			}
			w.exec(`INSERT INTO cases (id, author_id, status, content, product_key, specialty, version, created_at, updated_at, submitted_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $7, $9)`,
				fmt.Sprintf("%s-c%d", dd.id, j), dd.user, status, []byte{}, product, map[bool]string{true: spec}[pub > 0], ms(sub), ms(later), pub)
			f("cases_submitted", sub, 1, "", product)
		}
		if r.IntN(2) == 0 {
			placed, pts, status := when(), int64(100*(1+r.IntN(5))), []string{"placed", "cancelled", "shipped", "delivered"}[r.IntN(4)]
			oid := dd.id + "-o"
			shipment := ""
			if status == "shipped" || status == "delivered" {
				shipment = oid + "-s"
				shipped, delivered := placed.Add(30*time.Hour), int64(0)
				qty := int64(1 + r.IntN(3))
				f("items_shipped", shipped, qty, "", dd.territory)
				if status == "delivered" {
					delivered = ms(shipped.Add(50 * time.Hour))
					f("items_delivered", shipped.Add(50*time.Hour), qty, "", dd.territory)
				}
				w.exec(`INSERT INTO gift_shipments (id, number, wave_id, address, address_key, status, packed_at, shipped_at, delivered_at, updated_at) VALUES ($1, $1, 'wave', '', '', $2, 0, $3, $4, 0)`,
					shipment, status, ms(shipped), delivered)
				defer w.exec(`INSERT INTO gift_order_lines (order_id, item_id, shard, name, quantity, points_price) VALUES ($1, 'cream', 0, 'Cream', $2, 1)`, oid, qty)
			}
			w.exec(`INSERT INTO gift_orders (id, user_id, wave_id, territory_id, status, points_total, address, address_key, shipment_id, created_at, placed_at, updated_at) VALUES ($1, $2, 'wave', $3, $4, $5, '', '', $6, $7, $7, $7)`,
				oid, dd.user, dd.territory, status, pts, shipment, ms(placed))
			f("gift_orders", placed, 1, "", dd.territory)
			if status != "cancelled" {
				f("gift_points_spent", placed, pts, "", dd.territory)
			}
		}
		for j := range r.IntN(4) {
			at, amount := when(), int64(r.IntN(200)-100)
			if amount == 0 {
				amount = 7
			}
			w.exec(`INSERT INTO points_ledger (id, user_id, amount, source, source_id, reason, actor_id, balance_after, created_at) VALUES ($1, $2, $3, 'test', $1, '', '', 0, $4)`,
				fmt.Sprintf("%s-p%d", dd.id, j), dd.user, amount, ms(at))
			if amount > 0 {
				f("points_earned", at, amount, "", "")
			} else {
				f("points_spent", at, -amount, "", "")
			}
		}
		for j := range r.IntN(3) {
			at := when()
			w.exec(`INSERT INTO devices (id, user_id, name, platform, refresh_hash, refresh_expires_at, created_at, last_seen_at) VALUES ($1, $2, '', '', $1, 0, 0, $3)`,
				fmt.Sprintf("%s-dev%d", dd.id, j), dd.user, ms(at))
			f("active_doctors", at, 1, dd.user, "")
		}
		if r.IntN(2) == 0 {
			opened := when()
			var finished, passed int64
			f("content_opened", opened, 1, "", spec)
			if r.IntN(2) == 0 {
				finished = ms(opened.Add(time.Hour))
				f("content_finished", opened.Add(time.Hour), 1, "", spec)
			}
			w.exec(`INSERT INTO content_progress (user_id, item_id, region_id, specialty, opened_at, finished_at, passed_at, updated_at) VALUES ($1, 'article', $2, $3, $4, $5, $6, 0)`,
				dd.user, dd.region, spec, ms(opened), finished, passed)
			if r.IntN(2) == 0 {
				at := when()
				w.exec(`INSERT INTO content_training_status (user_id, training_id, passed_at, updated_at) VALUES ($1, 'training', $2, 0)`, dd.user, ms(at))
				f("trainings_passed", at, 1, "", "")
			}
		}
		if r.IntN(2) == 0 {
			enrolled := when()
			w.exec(`INSERT INTO study_enrolments (study_id, doctor_id, start_date, enrolled_at) VALUES ('acne', $1, '', $2)`, dd.user, ms(enrolled))
			f("study_enrolled", enrolled, 1, "", "acne")
			for v := range 3 {
				due := enrolled.AddDate(0, 0, 14*(v+1))
				day := due.Format(time.DateOnly)
				status, sub, told, reminder := []string{"owed", "overdue", "submitted"}[r.IntN(3)], int64(0), int64(0), int64(0)
				w.facts = append(w.facts, fact{fig: "results_due", region: dd.region, territory: dd.territory, day: day, value: 1, by: "acne"})
				if status == "overdue" {
					dd.overdue++
				}
				if status == "submitted" {
					at := due.Add(time.Duration(r.IntN(96)-48) * time.Hour)
					sub = ms(at)
					if r.IntN(2) == 0 {
						told = sub - 1
						f("results_late", at, 1, "", "acne")
					} else {
						f("results_on_time", at, 1, "", "acne")
					}
				}
				if r.IntN(3) == 0 {
					at := when()
					reminder = ms(at)
					f("study_reminders", at, 1, "", "")
				}
				w.exec(`INSERT INTO study_results (id, study_id, doctor_id, visit, due_date, status, submitted_at, overdue_reminded_at, reminder_at) VALUES ($1, 'acne', $2, $3, $4, $5, $6, $7, $8)`,
					fmt.Sprintf("%s-v%d", dd.id, v), dd.user, v, day, status, sub, told, reminder)
			}
		}
		w.doctors = append(w.doctors, dd)
	}
	return w
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if err := w.store.Update(w.ctx, func(tx syncengine.Tx) error { _, err := tx.Exec(w.ctx, q, args...); return err }); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

// in reports whether a fact is in a scope.
func in(f fact, s reports.Scope) bool {
	return f.region == s.Region && (s.Territory == "" || f.territory == s.Territory)
}

// expect counts a figure's facts in a scope from from to to, as the
// figure's aggregate does, with the breakdown.
func (w *world) expect(fig string, s reports.Scope, from, to time.Time) (int64, map[string]int64) {
	var vals []int64
	keys, by := map[string]bool{}, map[string]int64{}
	var sum int64
	for _, f := range w.facts {
		if f.fig != fig || !in(f, s) {
			continue
		}
		if f.day != "" {
			if f.day < from.Format(time.DateOnly) || f.day >= to.Format(time.DateOnly) {
				continue
			}
		} else if f.at.Before(from) || !f.at.Before(to) {
			continue
		}
		vals, sum = append(vals, f.value), sum+f.value
		keys[f.key] = true
		if f.by != "" {
			by[f.by] += f.value
		}
	}
	switch fig {
	case "doctors_updated", "active_doctors":
		return int64(len(keys)), nil
	case "moderation_median_minutes":
		if len(vals) == 0 {
			return 0, nil
		}
		slices.Sort(vals)
		return vals[len(vals)/2], nil
	}
	return sum, by
}

// state counts a state figure in a scope at a time.
func (w *world) state(fig string, s reports.Scope, at time.Time) int64 {
	var n int64
	for _, d := range w.doctors {
		if d.region != s.Region || (s.Territory != "" && d.territory != s.Territory) {
			continue
		}
		switch fig {
		case "verified_doctors":
			if d.verified && d.created.Before(at) {
				n++
			}
		case "overdue_results":
			n += int64(d.overdue)
		case "untouched_doctors":
			since := at.Add(-90 * 24 * time.Hour)
			if d.created.Before(since) && !slices.ContainsFunc(w.touches[d.id], func(t time.Time) bool { return !t.Before(since) && t.Before(at) }) {
				n++
			}
		}
	}
	if fig == "pending_edits" {
		for _, e := range w.edits {
			if in(fact{region: map[string]string{"north": "msk", "south": "msk", "west": "spb"}[e.territory], territory: e.territory}, s) &&
				e.created.Before(at) && (e.status == "pending" || !e.decided.Before(at)) {
				n++
			}
		}
	}
	return n
}

var (
	director = syncengine.Principal{UserID: "dir-msk", Claims: auth.Claims{Role: auth.RoleDirector}}
	other    = syncengine.Principal{UserID: "dir-spb", Claims: auth.Claims{Role: auth.RoleDirector}}
	staff    = syncengine.Principal{UserID: "mod", Claims: auth.Claims{Role: auth.RoleModerator}}
)
