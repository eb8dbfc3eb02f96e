package cases

import (
	"context"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	casesv1 "github.com/ordinatorhq/ordinator/api/ordinator/cases/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/server/notify"
	"github.com/ordinatorhq/ordinator/server/points"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// Filter narrows ListCases.
type Filter struct {
	Status    casesv1.CaseStatus // unset: submitted
	Specialty string             // of the author, or the case once published
	Limit     int
}

// ListCases lists cases for moderators, oldest submission first. Drafts
// are their authors' alone: asking for them is refused.
func (s *Service) ListCases(ctx context.Context, p syncengine.Principal, f Filter) ([]*casesv1.Case, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	if f.Status == casesv1.CaseStatus_CASE_STATUS_DRAFT {
		return nil, syncengine.Invalid("drafts cannot be listed", syncengine.Violation{Field: "status",
			Description: "a draft is its author's alone until it is submitted; list submitted, published or rejected cases"})
	}
	status := statusSubmitted
	if f.Status != casesv1.CaseStatus_CASE_STATUS_UNSPECIFIED {
		status = strings.ToLower(strings.TrimPrefix(f.Status.String(), "CASE_STATUS_"))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var out []*casesv1.Case
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT `+prefixed("c.", recordColumns)+` FROM cases c JOIN users u ON u.id = c.author_id
			WHERE c.status = $1 AND ($2 = '' OR (c.specialty = $2 OR (c.specialty = '' AND u.specialty = $2)))
			ORDER BY c.submitted_at, c.id LIMIT $3`, status, f.Specialty, int64(f.Limit))
		if err != nil {
			return err
		}
		rs, err := sqlq.Collect(rows, scanRecord)
		if err != nil {
			return err
		}
		for _, r := range rs {
			name, err := authorName(ctx, q, r.AuthorID)
			if err != nil {
				return err
			}
			out = append(out, r.proto(name))
		}
		return nil
	})
	return out, err
}

func prefixed(prefix, columns string) string {
	cs := strings.Split(columns, ", ")
	for i := range cs {
		cs[i] = prefix + cs[i]
	}
	return strings.Join(cs, ", ")
}

// CaseView is a case as a moderator sees it.
type CaseView struct {
	Case     *casesv1.Case
	Comments []*casesv1.CaseComment // hidden ones with their text
	History  []*casesv1.CaseEvent
}

// GetCase shows a case with its whole discussion and history; moderators
// may, once the case was submitted: a draft is not found.
func (s *Service) GetCase(ctx context.Context, p syncengine.Principal, id string) (CaseView, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return CaseView{}, err
	}
	var v CaseView
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		r, err := shared(load(ctx, q, id))
		if err != nil {
			return err
		}
		name, err := authorName(ctx, q, r.AuthorID)
		if err != nil {
			return err
		}
		v.Case = r.proto(name)
		cs, err := comments(ctx, q, id)
		if err != nil {
			return err
		}
		for _, c := range cs {
			name, err := authorName(ctx, q, c.AuthorId)
			if err != nil {
				return err
			}
			c.AuthorName, c.Text = name, c.Original
			v.Comments = append(v.Comments, c.CaseComment)
		}
		v.History, err = events(ctx, q, id)
		return err
	})
	return v, err
}

// decide locks a submitted case at the version the moderator reviewed; a
// draft is not found, as in GetCase.
func decide(ctx context.Context, tx syncengine.Tx, id string, version int64) (*record, error) {
	r, err := shared(lock(ctx, tx, id))
	if err != nil {
		return nil, err
	}
	if r.Status != statusSubmitted {
		return nil, syncengine.Errorf(syncengine.EPRECONDITION, "case %s is %s, not waiting for moderation", id, r.Status)
	}
	if r.Version != version {
		return nil, syncengine.Errorf(syncengine.ECONFLICT, "case %s changed since you opened it (version %d, now %d); open it again", id, version, r.Version)
	}
	return r, nil
}

// title names a case in notifications, by its diagnosis.
func title(r *record) string {
	t := r.Content.Diagnosis
	if utf8.RuneCountInString(t) > 60 {
		t = string([]rune(t)[:60]) + "…"
	}
	return t
}

// Publish publishes a submitted case to the specialty of its author: the
// verified doctors of that specialty get it at their next sync. The author
// earns points (once per case, however often it is published) and is told.
func (s *Service) Publish(ctx context.Context, p syncengine.Principal, id string, version int64, note string) (*casesv1.Case, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	var out *casesv1.Case
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		r, err := decide(ctx, tx, id, version)
		if err != nil {
			return err
		}
		author, err := auth.FindUser(ctx, tx, r.AuthorID)
		if err != nil {
			return err
		}
		if author.Role != auth.RoleDoctor || author.Specialty == "" {
			return syncengine.Errorf(syncengine.EPRECONDITION, "the author of case %s is not a doctor with a specialty", id)
		}
		if err := checkPhotosReady(ctx, tx, r.Content); err != nil {
			return err
		}
		now := tx.Now().UnixMilli()
		r.Status, r.Specialty, r.PublishedAt, r.UpdatedAt = statusPublished, author.Specialty, now, now
		r.ModeratorID, r.ModeratorNote = p.UserID, strings.TrimSpace(note)
		r.Version++
		if err := update(ctx, tx, r); err != nil {
			return err
		}
		if out, err = syncCase(ctx, tx, r); err != nil {
			return err
		}
		if err := publishComments(ctx, tx, r.ID, r.Specialty); err != nil {
			return err
		}
		posted, err := points.Post(ctx, tx, points.Entry{UserID: r.AuthorID, Amount: s.cfg.PublishPoints, Source: points.SourceCase, SourceID: r.ID,
			Reason: "published clinical case", ActorID: p.UserID})
		if err != nil {
			return err
		}
		earned := "0"
		if posted.New {
			earned = strconv.FormatInt(posted.Entry.Amount, 10)
		}
		if _, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: r.AuthorID, Kind: NoticePublished,
			Params:    map[string]string{"diagnosis": title(r), "points": earned, "note": r.ModeratorNote},
			DedupeKey: NoticePublished + ":" + r.ID + ":" + strconv.FormatInt(r.Version, 10)}); err != nil {
			return err
		}
		return addEvent(ctx, tx, r.ID, p, "published", r.ModeratorNote)
	})
	return out, err
}

// Reject sends a submitted case back to its author with a reason; the
// author may edit it and submit it again.
func (s *Service) Reject(ctx context.Context, p syncengine.Principal, id string, version int64, reason string) (*casesv1.Case, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, syncengine.Invalid("a rejection needs a reason", syncengine.Violation{Field: "reason", Description: "tell the author what to change"})
	}
	var out *casesv1.Case
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		r, err := decide(ctx, tx, id, version)
		if err != nil {
			return err
		}
		now := tx.Now().UnixMilli()
		r.Status, r.UpdatedAt, r.ModeratorID, r.ModeratorNote = statusRejected, now, p.UserID, reason
		r.Version++
		if err := update(ctx, tx, r); err != nil {
			return err
		}
		if out, err = syncCase(ctx, tx, r); err != nil {
			return err
		}
		if _, err := notify.Enqueue(ctx, tx, notify.Notification{UserID: r.AuthorID, Kind: NoticeRejected,
			Params:    map[string]string{"diagnosis": title(r), "reason": reason},
			DedupeKey: NoticeRejected + ":" + r.ID + ":" + strconv.FormatInt(r.Version, 10)}); err != nil {
			return err
		}
		return addEvent(ctx, tx, r.ID, p, "rejected", reason)
	})
	return out, err
}

// CountCases counts the cases of a status (unset: submitted) per
// specialty, as ListCases files them: the case's, else its author's.
func (s *Service) CountCases(ctx context.Context, p syncengine.Principal, st casesv1.CaseStatus) (map[string]int64, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	if st == casesv1.CaseStatus_CASE_STATUS_DRAFT {
		return nil, syncengine.Invalid("drafts cannot be counted", syncengine.Violation{Field: "status", Description: "a draft is its author's alone until it is submitted"})
	}
	status := statusSubmitted
	if st != casesv1.CaseStatus_CASE_STATUS_UNSPECIFIED {
		status = strings.ToLower(strings.TrimPrefix(st.String(), "CASE_STATUS_"))
	}
	out := map[string]int64{}
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT CASE WHEN c.specialty = '' THEN u.specialty ELSE c.specialty END AS sp, count(*)
			FROM cases c JOIN users u ON u.id = c.author_id WHERE c.status = $1 GROUP BY sp`, status)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sp string
			var n int64
			if err := rows.Scan(&sp, &n); err != nil {
				return err
			}
			out[sp] += n
		}
		return rows.Err()
	})
	return out, err
}

// Flags says what in a case's free text may identify someone now, field
// by field, as the check every save runs (a case saved before a word list
// grew may be flagged); none for a case the check clears.
func Flags(c *casesv1.CaseContent) []syncengine.Violation {
	var out []syncengine.Violation
	for _, f := range freeText(c) {
		if v, ok := anonymityViolation(f.field, f.text); ok {
			out = append(out, v)
		}
	}
	return out
}

// AuditEvent is an event of a case's history with the case named by its
// diagnosis, for the audit log across cases.
type AuditEvent struct {
	CaseID, Diagnosis string
	Event             *casesv1.CaseEvent
	// Address is the host the event came from ("" before it was recorded,
	// or for the server's own tasks).
	Address string
}

// AuditTrail lists the events of every case in [from, to) (unix ms; 0
// leaves a side open), newest first, at most limit; moderators may.
func (s *Service) AuditTrail(ctx context.Context, p syncengine.Principal, from, to int64, limit int) ([]AuditEvent, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if to == 0 {
		to = math.MaxInt64
	}
	var out []AuditEvent
	err := s.store.View(ctx, func(q syncengine.Querier) error {
		rows, err := q.Query(ctx, `SELECT e.case_id, e.at, e.actor_id, e.action, e.note, e.address FROM case_events e
			WHERE e.at >= $1 AND e.at < $2 ORDER BY e.at DESC, e.id DESC LIMIT $3`, from, to, int64(limit))
		if err != nil {
			return err
		}
		out, err = sqlq.Collect(rows, func(r syncengine.Row) (AuditEvent, error) {
			e := AuditEvent{Event: &casesv1.CaseEvent{}}
			err := r.Scan(&e.CaseID, &e.Event.AtUnixMs, &e.Event.ActorId, &e.Event.Action, &e.Event.Note, &e.Address)
			return e, err
		})
		if err != nil {
			return err
		}
		// A draft is its author's alone: what they did to it is left out,
		// and a decision taken on it before it went back to draft is
		// listed without its text.
		kept := out[:0]
		for _, e := range out {
			r, err := load(ctx, q, e.CaseID)
			if err != nil {
				return err
			}
			if r.private() && e.Event.ActorId == r.AuthorID {
				continue
			}
			if !r.private() {
				e.Diagnosis = title(r)
			}
			kept = append(kept, e)
		}
		out = kept
		return nil
	})
	return out, err
}
