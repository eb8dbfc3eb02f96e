package probase

import (
	"context"
	"math"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// AuditEntry is one entry of a doctor's history with the doctor named,
// for the audit log across doctors.
type AuditEntry struct {
	DoctorID, DoctorName, Action, ActorID, RequestID, Note string
	// Address is the host the entry came from ("" before it was recorded,
	// or for the server's own tasks).
	Address  string
	AtUnixMs int64
}

// AuditTrail lists the directory's history entries of every doctor
// written in [from, to) (unix ms; 0 leaves a side open), newest first, at
// most limit; moderators may.
func (s *Service) AuditTrail(ctx context.Context, p syncengine.Principal, from, to int64, limit int) ([]AuditEntry, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if to == 0 {
		to = math.MaxInt64
	}
	var out []AuditEntry
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT h.doctor_id, d.full_name, h.action, h.actor_id, h.request_id, h.note, h.at, h.address
			FROM doctor_history h JOIN doctors d ON d.id = h.doctor_id
			WHERE h.at >= $1 AND h.at < $2 ORDER BY h.at DESC, h.id LIMIT $3`, from, to, int64(limit))
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (AuditEntry, error) {
			var e AuditEntry
			err := r.Scan(&e.DoctorID, &e.DoctorName, &e.Action, &e.ActorID, &e.RequestID, &e.Note, &e.AtUnixMs, &e.Address)
			return e, err
		})
		return err
	})
	return out, err
}
