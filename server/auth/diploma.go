package auth

import (
	"context"
	"strings"
	"time"

	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Notice kinds this module sends.
const (
	NoticeDiplomaVerified = "diploma.verified"
	NoticeDiplomaRejected = "diploma.rejected"
)

// AttachDiploma submits an uploaded diploma photo for verification. A
// doctor may resubmit after a rejection; a verified doctor has nothing to
// submit.
func (s *Service) AttachDiploma(ctx context.Context, p syncengine.Principal, mediaID string) (User, error) {
	if err := Require(p, RoleDoctor); err != nil {
		return User{}, err
	}
	var out User
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		u, err := FindUser(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if u.Verified {
			return syncengine.Errorf(syncengine.EPRECONDITION, "your diploma is already verified")
		}
		if s.cfg.DiplomaMedia != nil {
			if err := s.cfg.DiplomaMedia(ctx, tx, p.UserID, mediaID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET diploma_media_id = $1, diploma_status = 'pending', diploma_reason = '', diploma_submitted_at = $2, updated_at = $2 WHERE id = $3`,
			mediaID, tx.Now().UnixMilli(), p.UserID); err != nil {
			return err
		}
		if err := s.syncAccount(ctx, tx, p.UserID); err != nil {
			return err
		}
		out, err = FindUser(ctx, tx, p.UserID)
		return err
	})
	return out, err
}

// PendingDiploma is a diploma waiting for a moderator.
type PendingDiploma struct {
	User        User
	MediaID     string
	SubmittedAt time.Time
}

// ListPendingDiplomas lists diplomas to review, oldest first.
func (s *Service) ListPendingDiplomas(ctx context.Context, p syncengine.Principal) ([]PendingDiploma, error) {
	if err := Require(p, RoleModerator); err != nil {
		return nil, err
	}
	var out []PendingDiploma
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		ids, err := sqlq.Strings(ctx, q, `SELECT id FROM users WHERE diploma_status = 'pending' ORDER BY diploma_submitted_at, id LIMIT 500`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			u, err := FindUser(ctx, q, id)
			if err != nil {
				return err
			}
			var at int64
			if err := q.QueryRow(ctx, `SELECT diploma_submitted_at FROM users WHERE id = $1`, id).Scan(&at); err != nil {
				return err
			}
			out = append(out, PendingDiploma{User: u, MediaID: u.DiplomaMedia, SubmittedAt: time.UnixMilli(at)})
		}
		return nil
	})
	return out, err
}

// VerifyDoctor marks a doctor verified without a diploma review, for
// doctors the manufacturer already knows; only admins may.
func (s *Service) VerifyDoctor(ctx context.Context, p syncengine.Principal, userID string) (User, error) {
	if err := Require(p, RoleAdmin); err != nil {
		return User{}, err
	}
	var out User
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Role != RoleDoctor {
			return syncengine.Errorf(syncengine.EPRECONDITION, "%s is a %s account, not a doctor's", userID, u.Role)
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET verified = TRUE, diploma_status = 'verified', diploma_reason = 'verified by an administrator', updated_at = $1 WHERE id = $2`,
			tx.Now().UnixMilli(), userID); err != nil {
			return err
		}
		if err := accountAudit.Record(ctx, tx, p, "diploma.verified", userID, "without a diploma review"); err != nil {
			return err
		}
		if err := s.syncAccount(ctx, tx, userID); err != nil {
			return err
		}
		out, err = FindUser(ctx, tx, userID)
		return err
	})
	return out, err
}

// ReviewDiploma verifies a doctor, or rejects the diploma with a reason.
// The doctor is notified, and at their next sync gains (or keeps lacking)
// the buckets of their specialty and region.
func (s *Service) ReviewDiploma(ctx context.Context, p syncengine.Principal, userID string, approve bool, reason string) (User, error) {
	return s.ReviewDiplomaPhoto(ctx, p, userID, "", approve, reason)
}

// ReviewDiplomaPhoto is ReviewDiploma of the photo the moderator looked at:
// if the doctor has sent another one since, the decision is refused
// (mediaID "" decides whatever is pending).
func (s *Service) ReviewDiplomaPhoto(ctx context.Context, p syncengine.Principal, userID, mediaID string, approve bool, reason string) (User, error) {
	if err := Require(p, RoleModerator); err != nil {
		return User{}, err
	}
	reason = strings.TrimSpace(reason)
	if !approve && reason == "" {
		return User{}, syncengine.Invalid("a rejection needs a reason", syncengine.Violation{Field: "reason", Description: "tell the doctor what is wrong with the diploma"})
	}
	var out User
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		u, err := FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.DiplomaStatus != "pending" {
			return syncengine.Errorf(syncengine.EPRECONDITION, "there is no diploma waiting for review for %s (status %s)", userID, u.DiplomaStatus)
		}
		if mediaID != "" && u.DiplomaMedia != mediaID {
			return syncengine.Errorf(syncengine.ECONFLICT, "%s sent another diploma photo since you opened it; look at the new one", u.Name)
		}
		status, kind := "verified", NoticeDiplomaVerified
		if !approve {
			status, kind = "rejected", NoticeDiplomaRejected
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET verified = $1, diploma_status = $2, diploma_reason = $3, updated_at = $4 WHERE id = $5`,
			approve, status, reason, tx.Now().UnixMilli(), userID); err != nil {
			return err
		}
		if err := accountAudit.Record(ctx, tx, p, "diploma."+status, userID, reason); err != nil {
			return err
		}
		if err := s.syncAccount(ctx, tx, userID); err != nil {
			return err
		}
		if s.cfg.Notify != nil {
			n := Notice{UserID: userID, Kind: kind, Params: map[string]string{"reason": reason, "moderator": ClaimsOf(p).Name},
				DedupeKey: kind + ":" + userID + ":" + u.DiplomaMedia}
			if err := s.cfg.Notify(ctx, tx, n); err != nil {
				return err
			}
		}
		out, err = FindUser(ctx, tx, userID)
		return err
	})
	return out, err
}
