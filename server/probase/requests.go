package probase

import (
	"context"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/mutator"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// requestUpdate is the mutation "doctor.request_update": a rep asks a
// doctor of their territory to update their data or submit overdue study
// results. It reaches the doctor's inbox and, as a push, their phone.
var requestUpdate = mutator.New(func() *probasev1.RequestUpdateArgs { return &probasev1.RequestUpdateArgs{} },
	func(ctx context.Context, tx syncengine.Tx, call syncengine.Call, a *probasev1.RequestUpdateArgs) ([]byte, error) {
		p := call.Principal
		if err := auth.Require(p, auth.RoleRep); err != nil {
			return nil, err
		}
		d, _, err := reachDoctor(ctx, tx, p, a.DoctorId, false)
		if err != nil {
			return nil, err
		}
		if d.UserId == "" {
			return nil, syncengine.Errorf(syncengine.EPRECONDITION, "%s has no account on the platform, so a request cannot reach them", d.FullName)
		}
		n, err := tx.Exec(ctx, `INSERT INTO doctor_requests (id, doctor_id, rep_id, kind, message, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO NOTHING`, a.RequestId, d.Id, p.UserID, a.Kind, a.Message, tx.Now().UnixMilli())
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, syncengine.Invalid("request id already used", syncengine.Violation{Field: "request_id", Description: "a request " + a.RequestId + " already exists"})
		}
		_, err = notify.Enqueue(ctx, tx, notify.Notification{
			UserID: d.UserId, Kind: NoticeUpdateRequested, DedupeKey: NoticeUpdateRequested + ":" + a.RequestId,
			Params: map[string]string{"rep": auth.ClaimsOf(p).Name, "kind": a.Kind, "message": a.Message, "doctor_id": d.Id},
		})
		return nil, err
	})

// FindDoctor returns a doctor's record as it is now; moderators may.
func (s *Service) FindDoctor(ctx context.Context, p syncengine.Principal, id string) (*probasev1.Doctor, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	var d *probasev1.Doctor
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		var err error
		d, _, err = loadDoctor(ctx, q, id)
		return err
	})
	return d, err
}

// History returns a doctor's audit trail, oldest first; moderators may.
func (s *Service) History(ctx context.Context, p syncengine.Principal, doctorID string) ([]*probasev1.HistoryEntry, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	var out []*probasev1.HistoryEntry
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		if _, err := DoctorTerritory(ctx, q, doctorID); err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT action, actor_id, request_id, version, changes, note, at FROM doctor_history WHERE doctor_id = $1 ORDER BY n`, doctorID)
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (*probasev1.HistoryEntry, error) {
			e := &probasev1.HistoryEntry{}
			var changes string
			err := r.Scan(&e.Action, &e.ActorId, &e.RequestId, &e.Version, &changes, &e.Note, &e.AtUnixMs)
			if err == nil {
				e.Changes, err = changesFromJSON(changes)
			}
			return e, err
		})
		return err
	})
	return out, err
}
