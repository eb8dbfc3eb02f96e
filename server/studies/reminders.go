package studies

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	studiesv1 "github.com/ordinatorhq/ordinator/api/ordinator/studies/v1"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Remind is the scheduler job: in each doctor's time zone, a result whose
// due date has passed becomes overdue (and shows on the tablets of the
// reps of the doctor's territory); from the reminder hour the doctor is
// told, once, the day before a result is due (or on the day, if enrolled
// too late for that), and once when it is overdue. Every step is a
// conditional update with a dedupe key, so runs that overlap change
// nothing twice.
func (s *Service) Remind(ctx context.Context, now time.Time) error {
	type open struct {
		id, doctor, due, status string
		reminded                bool
	}
	var todo []open
	var zones map[string]*time.Location
	// Local dates are within a day of UTC's: nothing due later than the
	// day after tomorrow (UTC) is due tomorrow anywhere.
	horizon := now.UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	err := s.cfg.Store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT id, doctor_id, due_date, status, due_reminded_at <> 0 FROM study_results
			WHERE status <> 'submitted' AND due_date <= $1 AND (status = 'owed' OR overdue_reminded_at = 0)
			ORDER BY due_date, id`, horizon)
		if err != nil {
			return err
		}
		var doctors []string
		for rows.Next() {
			var o open
			if err := rows.Scan(&o.id, &o.doctor, &o.due, &o.status, &o.reminded); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, o)
			doctors = append(doctors, o.doctor)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		slices.Sort(doctors)
		zones, err = notify.UserZones(ctx, q, slices.Compact(doctors))
		return err
	})
	if err != nil {
		return err
	}
	for _, o := range todo {
		local := now.In(zones[o.doctor])
		today := local.Format(time.DateOnly)
		tomorrow := local.AddDate(0, 0, 1).Format(time.DateOnly)
		remindNow := local.Hour() >= s.cfg.RemindHour
		overdue := today > o.due
		dueSoon := !overdue && o.due <= tomorrow && remindNow && !o.reminded
		if (!overdue && !dueSoon) || (o.status == statusOverdue && !remindNow) {
			continue
		}
		err := s.cfg.Store.Update(ctx, func(tx syncengine.Tx) error {
			if overdue {
				return s.markOverdue(ctx, tx, o.id, o.doctor, remindNow)
			}
			return s.remindDue(ctx, tx, o.id, today)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// markOverdue makes an owed result overdue and, from the reminder hour,
// tells the doctor once.
func (s *Service) markOverdue(ctx context.Context, tx syncengine.Tx, id, doctor string, remindNow bool) error {
	territory := ""
	if s.cfg.Territories != nil {
		var err error
		if territory, err = s.cfg.Territories.DoctorTerritory(ctx, tx, doctor); err != nil {
			return err
		}
	}
	changed, err := tx.Exec(ctx, `UPDATE study_results SET status = 'overdue', territory_id = $1 WHERE id = $2 AND status = 'owed'`, territory, id)
	if err != nil {
		return err
	}
	told := int64(0)
	if remindNow {
		if told, err = tx.Exec(ctx, `UPDATE study_results SET overdue_reminded_at = $1 WHERE id = $2 AND status = 'overdue' AND overdue_reminded_at = 0`,
			tx.Now().UnixMilli(), id); err != nil {
			return err
		}
	}
	if changed == 0 && told == 0 {
		return nil
	}
	r, err := syncResult(ctx, tx, id)
	if err != nil || told == 0 {
		return err
	}
	_, err = notify.Enqueue(ctx, tx, notify.Notification{UserID: r.doctorID, Kind: NoticeOverdue, DedupeKey: NoticeOverdue + ":" + r.id,
		Params: map[string]string{"study": r.studyTitle, "visit": strconv.Itoa(int(r.visit)), "due": r.dueDate, "result_id": r.id}})
	return err
}

// remindDue tells the doctor, once, that a result is due tomorrow (or
// today).
func (s *Service) remindDue(ctx context.Context, tx syncengine.Tx, id, today string) error {
	n, err := tx.Exec(ctx, `UPDATE study_results SET due_reminded_at = $1 WHERE id = $2 AND status = 'owed' AND due_reminded_at = 0`, tx.Now().UnixMilli(), id)
	if err != nil || n == 0 {
		return err
	}
	r, err := findResult(ctx, tx, id)
	if err != nil {
		return err
	}
	when := "tomorrow"
	if r.dueDate == today {
		when = "today"
	}
	_, err = notify.Enqueue(ctx, tx, notify.Notification{UserID: r.doctorID, Kind: NoticeDue, DedupeKey: NoticeDue + ":" + r.id,
		Params: map[string]string{"study": r.studyTitle, "visit": strconv.Itoa(int(r.visit)), "due": r.dueDate, "when": when, "result_id": r.id}})
	return err
}

// remindEvery is how often a rep may remind a doctor of one result.
const remindEvery = 24 * time.Hour

// remind is the mutation "study.remind": a rep asks a doctor of their
// territory to submit an overdue result. The doctor gets it in their inbox
// and by push; the reminder shows on the result for the rep and the doctor.
var remind = mutator.New(func() *studiesv1.RemindArgs { return &studiesv1.RemindArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *studiesv1.RemindArgs) ([]byte, error) {
		p := call.Principal
		if err := auth.Require(p, auth.RoleRep); err != nil {
			return nil, err
		}
		// A result a rep may not see (another territory's, one never
		// overdue, none at all) gets one answer, naming only the id sent.
		ts, err := auth.RepTerritories(ctx, tx, p.UserID)
		if err != nil {
			return nil, err
		}
		r, err := findResult(ctx, tx, a.ResultId)
		if syncengine.ErrorCode(err) == syncengine.ENOTFOUND || err == nil && (r.territoryID == "" || !slices.Contains(ts, r.territoryID)) {
			return nil, syncengine.Errorf(syncengine.EPERMISSION, "study result %s is not in your territories", a.ResultId)
		}
		if err != nil {
			return nil, err
		}
		if r.status != statusOverdue {
			return nil, syncengine.Errorf(syncengine.EPRECONDITION, "the result of visit %d of %q is no longer overdue", r.visit, r.studyTitle)
		}
		now := tx.Now()
		if last := time.UnixMilli(r.reminderAt); r.reminderAt != 0 && now.Sub(last) < remindEvery {
			return nil, syncengine.Errorf(syncengine.EPRECONDITION, "%s was reminded of this result %s ago; remind again after a day",
				r.doctorName, now.Sub(last).Round(time.Minute))
		}
		name := auth.ClaimsOf(p).Name
		if _, err := tx.Exec(ctx, `UPDATE study_results SET reminder_at = $1, reminder_by = $2, reminder_by_name = $3 WHERE id = $4`,
			now.UnixMilli(), p.UserID, name, r.id); err != nil {
			return nil, err
		}
		if _, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: r.doctorID, Kind: NoticeReminder,
			DedupeKey: NoticeReminder + ":" + r.id + ":" + strconv.FormatInt(now.UnixMilli(), 10),
			Params: map[string]string{"rep": name, "study": r.studyTitle, "visit": strconv.Itoa(int(r.visit)), "due": r.dueDate,
				"message": strings.TrimSpace(a.Message), "result_id": r.id}}); err != nil {
			return nil, err
		}
		_, err = syncResult(ctx, tx, r.id)
		return nil, err
	})
